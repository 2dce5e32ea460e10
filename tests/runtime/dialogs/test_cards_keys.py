"""A message node's `cards`: read, checked, every problem at its line."""

from __future__ import annotations

import pytest

from runtime.dialogs.loader import load_dialog
from runtime.dialogs.model import Cards, MessageNode
from runtime.errors import DefinitionError


def load(text: str):
    return load_dialog(text, "d.yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load(text)
    return [f"{p.line}: {p.message}" for p in info.value.problems]


def dialog(cards: str, text: str = '    text: "Found:"') -> str:
    """A dialog whose message node `show` has `cards` (its lines from line 6 on)."""
    return f"""\
dialog: d
nodes:
  - id: show
    type: message
{text}
{cards}
"""


def test_cards_are_read_with_items_written_either_way():
    for items in ("vars.found", '"{{ vars.found }}"'):
        d = load(
            dialog(
                f"""\
    cards:
      items: {items}
      title: "{{{{ item.Name }}}}"
      subtitle: "{{{{ item.Company }}}}"
      fields: {{Email: "{{{{ item.Email }}}}", Phone: "{{{{ item.Phone }}}}"}}
      buttons: [{{label: Delete, value: "delete lead {{{{ item.Id }}}}"}}]"""
            )
        )
        node = d.node("show")
        assert isinstance(node, MessageNode)
        assert node.cards == Cards(
            items="vars.found",
            title="{{ item.Name }}",
            subtitle="{{ item.Company }}",
            fields=(("Email", "{{ item.Email }}"), ("Phone", "{{ item.Phone }}")),
            buttons=node.cards.buttons,
        )
        assert node.cards.buttons[0].value == "delete lead {{ item.Id }}"


def test_cards_alone_need_no_text():
    d = load(dialog('    cards: {items: vars.found, title: "{{ item.Name }}"}', text=""))
    assert d.node("show").texts == ()


def test_every_problem_of_cards_is_reported_at_its_line():
    found = problems(
        dialog(
            """\
    cards:
      title: "{{ item.Name"
      subtitle: "{{ itme.Company }}"
      fields: {Email: [1, 2]}
      buttons: [{label: Delete, value: "x", url: "https://x"}]
      colour: red"""
        )
    )
    assert [line.split(":")[0] for line in found] == ["6", "7", "8", "9", "10", "11"]
    assert found[0] == (
        "6: `cards` of message node 'show' needs `items`, the expression giving the list to show"
    )
    assert found[1].startswith("7: `cards.title` of node 'show' does not compile")
    assert found[2].startswith("8: `cards.subtitle` of node 'show' reads 'itme'")
    assert found[3:] == [
        "9: field 'Email' in `cards` of message node 'show' must be text, got a list",
        "10: button #1 of `cards` of message node 'show' has both `value` and `url`; a button "
        "either sends a value or opens a link: keep one",
        "11: unknown key 'colour' in `cards` of message node 'show'; allowed keys: items, title, "
        "subtitle, fields, buttons",
    ]
    found = problems(
        dialog(
            """\
    cards:
      items: vars.found
      title: "{{ item.Name"
      subtitle: "{{ itme.Company }}"
      fields: {Email: "{{ item.Email }}"}"""
        )
    )
    assert found[0].startswith("8: `cards.title` of node 'show' does not compile")
    assert found[1] == (
        "9: `cards.subtitle` of node 'show' reads 'itme', which is not defined; did you mean "
        "'item'?"
    )


def test_item_is_read_only_inside_cards():
    found = problems(dialog('    text: "{{ item.Name }}"', text=""))
    assert found == [
        "6: `text` of node 'show' reads `item`, which exists only in a message node's `cards` "
        "(the element of `items` a card shows)"
    ]


def test_cards_must_be_a_mapping_and_items_an_expression():
    assert problems(dialog("    cards: [a, b]")) == [
        "6: `cards` of message node 'show' must be a mapping with items, title and optionally "
        "subtitle, fields and buttons, got a list"
    ]
    found = problems(dialog('    cards: {items: "", title: "{{ item.Name }}"}'))
    assert found == [
        "6: `items` of `cards` of message node 'show' must be an expression such as "
        "entities.count > 2, got the text ''"
    ]
