"""The dialog keys of conversation.md: `extract`, `interruptions`, `amend_words` and the buttons
of entity nodes (and link buttons), read into the model, every mistake at its own line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from runtime.dialogs.compiler import compile_dialog
from runtime.dialogs.loader import load_dialog
from runtime.dialogs.model import Button, Dialog, EntityNode, MessageNode
from runtime.errors import DefinitionError
from runtime.templating import Templates
from tests.runtime.cli.test_cli import example_bot, parley


def yaml_text(text: str) -> str:
    """Inline YAML as it reads in the test: its first line is line 1."""
    return dedent(text).lstrip("\n")


def load(text: str) -> Dialog:
    return load_dialog(yaml_text(text), "bot/d.yaml")


def problems(text: str) -> list[str]:
    """Every problem of the file, as 'LINE: message', sorted by line."""
    with pytest.raises(DefinitionError) as info:
        load(text)
    assert all(p.file == "bot/d.yaml" for p in info.value.problems)
    return [f"{p.line}: {p.message}" for p in info.value.problems]


def entity(dialog: Dialog, node_id: str) -> EntityNode:
    node = dialog.node(node_id)
    assert isinstance(node, EntityNode)
    return node


# -- extract ------------------------------------------------------------------------------------


def test_extract_patterns_are_read_in_their_canonical_form():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: last_name
            type: entity
            prompt: Last name?
            extract: ["for {value:last}", "named   {value}", "called { value : first }"]
          - id: company
            type: entity
            prompt: Company?
            extract: at {value}
          - id: email
            type: entity
            entity_type: email
            prompt: Email?
            extract: ["email {value}"]
        """
    )
    assert entity(dialog, "last_name").extract == (
        "for {value:last}",
        "named {value}",
        "called {value:first}",
    )
    assert entity(dialog, "company").extract == ("at {value}",)
    assert entity(dialog, "email").extract == ("email {value}",)
    assert not any(entity(dialog, n).extract_off for n in ("last_name", "company", "email"))


def test_extract_false_always_asks_and_no_extract_is_the_default():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: nickname
            type: entity
            prompt: Nickname?
            extract: false
          - id: size
            type: entity
            entity_type: number
            prompt: How many?
        """
    )
    assert (entity(dialog, "nickname").extract, entity(dialog, "nickname").extract_off) == (
        (),
        True,
    )
    assert (entity(dialog, "size").extract, entity(dialog, "size").extract_off) == ((), False)


def test_every_bad_extract_pattern_is_reported_at_its_own_line():
    found = problems(
        """
        dialog: d
        nodes:
          - id: name
            type: entity
            prompt: Name?
            extract:
              - for
              - for {value} and {value:last}
              - named {value} please
              - "{value}"
              - called {value:frist}
              - 42
              - by {{ value }}
              - ok {value}
        """
    )
    where = "in entity node 'name'"
    assert found == [
        f"7: `extract` pattern 'for' {where}: an extract pattern needs {{value}} where the "
        'value goes, e.g. "for {value}"',
        f"8: `extract` pattern 'for {{value}} and {{value:last}}' {where}: an extract pattern "
        "takes one placeholder, got 2: {value}, {value:last}; write one pattern per keyword, "
        'e.g. ["for {value}", "named {value}"]',
        f"9: `extract` pattern 'named {{value}} please' {where}: {{value}} must end the pattern "
        "(the value is the words after the keyword), but 'please' follows it; "
        'e.g. "for {value}"',
        f"10: `extract` pattern '{{value}}' {where}: an extract pattern needs a keyword before "
        '{value}, e.g. "for {value}" or "named {value}"',
        f"11: `extract` pattern 'called {{value:frist}}' {where}: unknown selector 'frist' in "
        "{value:frist}: use {value} (the words), {value:first} (all but the last word) or "
        "{value:last} (the last word); did you mean 'first'?",
        f'12: `extract` {where} holds 42; each entry is a pattern such as "for {{value}}"',
        f"13: `extract` pattern 'by {{{{ value }}}}' {where}: write the placeholder with single "
        'braces, e.g. "for {value}"; {{ }} is for templates',
    ]


def test_a_placeholder_of_another_name_is_not_value():
    found = problems(
        """
        dialog: d
        nodes:
          - id: name
            type: entity
            prompt: Name?
            extract: for {name}
        """
    )
    assert found == [
        "6: `extract` pattern 'for {name}' in entity node 'name': an extract pattern needs "
        '{value} where the value goes, e.g. "for {value}"; {name} is not a placeholder'
    ]


def test_extract_true_says_it_is_the_default():
    [found] = problems(
        """
        dialog: d
        nodes:
          - id: name
            type: entity
            prompt: Name?
            extract: true
        """
    )
    assert found.startswith("6: `extract: true` in entity node 'name' is what happens without it")
    assert "or write false to always ask" in found


@pytest.mark.parametrize(("value", "got"), [("{a: b}", "a mapping"), ("[]", "an empty list")])
def test_extract_of_the_wrong_shape(value, got):
    assert problems(
        f"""
        dialog: d
        nodes:
          - id: name
            type: entity
            prompt: Name?
            extract: {value}
        """
    ) == [
        "6: `extract` in entity node 'name' must be a list of patterns such as "
        f'["for {{value}}"], or false to always ask, got {got}'
    ]


def test_extract_belongs_to_entity_nodes():
    assert problems(
        """
        dialog: d
        nodes:
          - id: hi
            type: message
            text: Hi
            extract: ["for {value}"]
        """
    ) == ["6: `extract` is not allowed in message node 'hi'; it belongs to entity nodes"]


# -- interruptions ------------------------------------------------------------------------------


def test_interruptions_of_the_dialog_and_of_a_node():
    dialog = load(
        """
        dialog: d
        interruptions: ask
        nodes:
          - id: name
            type: entity
            prompt: Name?
            interruptions: never
          - id: size
            type: entity
            entity_type: number
            prompt: How many?
        """
    )
    assert dialog.interruptions == "ask"
    assert entity(dialog, "name").interruptions == "never"
    assert entity(dialog, "size").interruptions is None


def test_interruptions_default_to_none_the_bot_decides():
    dialog = load("dialog: d\nnodes:\n  - id: name\n    type: entity\n    prompt: Name?\n")
    assert dialog.interruptions is None
    assert entity(dialog, "name").interruptions is None


def test_an_unknown_interruptions_value_is_reported_with_a_suggestion():
    assert problems(
        """
        dialog: d
        interruptions: hodl
        nodes:
          - id: name
            type: entity
            prompt: Name?
            interruptions: nevr
          - id: other
            type: entity
            prompt: Other?
            interruptions: false
        """
    ) == [
        "2: `interruptions` in the dialog must be one of hold, ask, discard, never, "
        "got 'hodl'; did you mean 'hold'?",
        "7: `interruptions` in entity node 'name' must be one of hold, ask, discard, never, "
        "got 'nevr'; did you mean 'never'?",
        "11: `interruptions` in entity node 'other' must be one of hold, ask, discard, never, "
        "got false",
    ]


# -- amend_words --------------------------------------------------------------------------------


def test_amend_words_of_a_node_are_normalised():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: company
            type: entity
            prompt: Company?
            amend_words: [Organisation, "  my   Employer ", organisation]
          - id: email
            type: entity
            entity_type: email
            prompt: Email?
            amend_words: address
        """
    )
    assert entity(dialog, "company").amend_words == ("organisation", "my employer")
    assert entity(dialog, "email").amend_words == ("address",)


def test_file_level_amend_words_join_every_node_asking_for_the_entity():
    dialog = load(
        """
        dialog: d
        amend_words:
          company: [Employer, firm]
          email: mail
        nodes:
          - id: company
            type: entity
            prompt: Company?
            amend_words: [organisation, firm]
          - id: company_again
            type: entity
            entity: company
            prompt: Company, again?
          - id: email
            type: entity
            entity_type: email
            prompt: Email?
        """
    )
    assert entity(dialog, "company").amend_words == ("organisation", "firm", "employer")
    assert entity(dialog, "company_again").amend_words == ("employer", "firm")
    assert entity(dialog, "email").amend_words == ("mail",)


def test_file_level_amend_words_must_name_an_entity_a_node_asks_for():
    assert problems(
        """
        dialog: d
        amend_words:
          compnay: [organisation]
          colour: [shade]
        nodes:
          - id: company
            type: entity
            prompt: Company?
          - id: last_name
            type: entity
            prompt: Last name?
          - id: done
            type: message
            text: Done
            set: {entities.colour: "'red'"}
        """
    ) == [
        "3: `amend_words` names `compnay`, which no entity node of this dialog asks for; "
        "did you mean `company`?",
        "4: `amend_words` names `colour`, which no entity node of this dialog asks for; "
        "its entity nodes ask for `company`, `last_name`",
    ]


def test_a_word_given_to_two_entities_is_reported_where_it_is_given_the_second_time():
    assert problems(
        """
        dialog: d
        amend_words:
          email: [Contact]
        nodes:
          - id: company
            type: entity
            prompt: Company?
            amend_words: [organisation, employer]
          - id: job
            type: entity
            prompt: Job?
            amend_words: [role, employer]
          - id: email
            type: entity
            entity_type: email
            prompt: Email?
          - id: phone
            type: entity
            entity_type: phone
            prompt: Phone?
            amend_words:
              - number
              - contact
        """
    ) == [
        "12: amend word 'employer' is given to `job` here and to `company` at line 8; a word "
        "can name only one entity of a dialog: remove it from one of them",
        "23: amend word 'contact' is given to `phone` here and to `email` at line 3; a word "
        "can name only one entity of a dialog: remove it from one of them",
    ]


def test_amend_words_of_the_wrong_shape():
    assert problems(
        """
        dialog: d
        amend_words: [organisation]
        nodes:
          - id: company
            type: entity
            prompt: Company?
            amend_words:
              - organisation
              - 3
              - ""
          - id: city
            type: entity
            prompt: City?
            amend_words: {town: place}
        """
    ) == [
        "2: `amend_words` must map an entity to the other names users call it, e.g. "
        "company: [organisation, employer], got a list",
        "9: `amend_words` in entity node 'company' must be words or phrases, got 3",
        "10: `amend_words` in entity node 'company' must be words or phrases, got an empty text",
        "14: `amend_words` in entity node 'city' must be a list of words, got a mapping",
    ]


# -- buttons ------------------------------------------------------------------------------------


def test_entity_nodes_have_buttons_and_any_button_may_be_a_link():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: confirm
            type: entity
            entity_type: boolean
            prompt: Shall I?
            buttons:
              - Sure
              - {label: Not now, value: "no"}
              - {label: "Read {{ entities.confirm }}", url: "https://x.test/{{ user.id }}"}
          - id: done
            type: message
            text: Done
            buttons: [{label: Docs, url: "https://x.test/docs"}, {label: Again}]
        """
    )
    assert entity(dialog, "confirm").buttons == (
        Button("Sure", "Sure"),
        Button("Not now", "no"),
        Button("Read {{ entities.confirm }}", url="https://x.test/{{ user.id }}"),
    )
    done = dialog.node("done")
    assert isinstance(done, MessageNode)
    assert done.buttons == (Button("Docs", url="https://x.test/docs"), Button("Again", "Again"))


def test_buttons_compile_to_label_value_and_url_for_entity_and_message_nodes():
    templates = Templates()
    text = yaml_text(
        """
        dialog: d
        nodes:
          - id: confirm
            type: entity
            entity_type: boolean
            prompt: Shall I?
            buttons: [Sure, {label: "Open {{ user.id }}", url: "https://x.test/{{ user.id }}"}]
          - id: done
            type: message
            text: Done
            buttons: [{label: Again, value: start over}]
        """
    )
    compiled = compile_dialog(load_dialog(text, "d.yaml", templates), templates)
    context = {"user": {"id": "u1", "channel": "web"}}

    def shown(node_id: str) -> list[tuple[str, str, str | None]]:
        return [
            (label.render(context), value, url.render(context) if url else None)
            for label, value, url in compiled.nodes[node_id].buttons
        ]

    assert shown("confirm") == [("Sure", "Sure", None), ("Open u1", "", "https://x.test/u1")]
    assert shown("done") == [("Again", "start over", None)]


def test_a_button_with_both_value_and_url_and_other_button_mistakes():
    assert problems(
        """
        dialog: d
        nodes:
          - id: pick
            type: entity
            prompt: Pick?
            buttons:
              - label: Both
                value: b
                url: https://x.test
              - {label: Link, ulr: https://x.test}
              - {url: https://x.test}
          - id: call
            type: service
            request: {url: https://x.test}
            buttons: [a]
        """
    ) == [
        "9: button #1 of entity node 'pick' has both `value` and `url`; a button either sends "
        "a value or opens a link: keep one",
        "10: unknown key 'ulr' in button #2 of entity node 'pick'; did you mean 'url'?",
        "11: button #3 of entity node 'pick' needs `label`, the text shown on the button",
        "15: `buttons` is not allowed in service node 'call'; it belongs to entity and "
        "message nodes",
    ]


def test_button_templates_of_entity_nodes_and_links_are_checked_at_their_lines():
    found = problems(
        """
        dialog: d
        nodes:
          - id: pick
            type: entity
            prompt: Pick?
            buttons:
              - "{{ bad1 }}"
              - label: "{{ bad2 }}"
                url: "https://x.test/{{ bad3 }}"
          - id: done
            type: message
            text: Done
            buttons:
              - label: Docs
                url: "{{ bad4 }}"
        """
    )
    assert [(line.split(":")[0], line.split("'")[-2]) for line in found] == [
        ("7", "bad1"),
        ("8", "bad2"),
        ("9", "bad3"),
        ("15", "bad4"),
    ]
    assert found[2].startswith("9: `buttons.1.url` of node 'pick' reads 'bad3'")


def test_a_broken_button_keeps_the_lines_of_the_ones_after_it():
    found = problems(
        """
        dialog: d
        nodes:
          - id: done
            type: message
            text: Done
            buttons:
              - [not, a, button]
              - label: "{{ bad }}"
                value: x
        """
    )
    assert [line.split(":")[0] for line in found] == ["7", "8"]
    assert found[1].startswith("8: `buttons.1.label` of node 'done' reads 'bad'")


# -- parley validate ----------------------------------------------------------------------------


def test_validate_reports_the_new_keys_with_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad"
    bad.mkdir()
    dialog = bad / "lead.yaml"
    dialog.write_text(
        yaml_text(
            """
            dialog: lead
            interruptions: hodl
            amend_words:
              compnay: [organisation]
            nodes:
              - id: company
                type: entity
                prompt: Company?
                extract: [at]
            """
        )
    )
    done = parley("validate", str(bad), cwd=example_bot(tmp_path))
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert (
        f"{dialog}:2: `interruptions` in the dialog must be one of hold, ask, discard, "
        in (lines[0])
    )
    assert lines[1] == (
        f"{dialog}:4: `amend_words` names `compnay`, which no entity node of this dialog asks "
        "for; did you mean `company`?"
    )
    assert lines[2] == (
        f"{dialog}:9: `extract` pattern 'at' in entity node 'company': an extract pattern "
        'needs {value} where the value goes, e.g. "for {value}"'
    )
    assert lines[-1] == "3 problem(s) found."
