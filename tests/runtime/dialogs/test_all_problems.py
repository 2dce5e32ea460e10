"""Every problem of a dialog file is reported at once, each at its line: a mistake in a node
(a duplicate or missing id, an unknown or missing type, a `next` that cannot be read) does not
stop the checks of the rest of that node, nor of the other nodes and of the file."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from runtime.dialogs.loader import load_dialog, read_dialogs
from runtime.errors import DefinitionError


def problems(text: str) -> list[str]:
    """Every problem of the file, as 'LINE: message', sorted by line."""
    with pytest.raises(DefinitionError) as info:
        load_dialog(dedent(text).lstrip("\n"), "d.yaml")
    return [f"{p.line}: {p.message}" for p in info.value.problems]


ANY_NAME = (
    "templates can read entities, nodes, response, value, vars, auth, user, session, globals, held"
)


# -- a node with a duplicate id -----------------------------------------------------------------


def test_a_duplicate_id_and_an_unknown_type_are_both_reported():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: Name?
          - id: ask
            type: mesage
            text: Hi
        """
    ) == [
        "6: duplicate node id 'ask' (first at line 3); node ids must be unique in a dialog",
        "7: unknown node type 'mesage' in node 'ask': use entity, message or service; "
        "did you mean 'message'?",
    ]


def test_a_node_with_a_duplicate_id_is_checked_like_any_other():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: Name?
            next: done
          - id: ask
            type: entity
            promt: Again?
            prompt: "{{ entities.nmae }}"
            retries: many
            on_failure: nowhere
            next:
              - when: "entities.ask =="
                to: gone
          - id: done
            type: message
            text: Bye.
        """
    ) == [
        "7: duplicate node id 'ask' (first at line 3); node ids must be unique in a dialog",
        "9: unknown key 'promt' in entity node 'ask'; did you mean 'prompt'?",
        "10: `prompt` of node 'ask' reads entities.nmae, but dialog 'd' has no entity 'nmae'",
        "11: entity node 'ask': `retries` must be a whole number, got 'many'",
        "12: `on_failure` in node 'ask' names 'nowhere', which is not a node of dialog 'd'; "
        "name one of its nodes, or end",
        "14: `next.0.when` of node 'ask' does not compile: unexpected 'end of template'; to use "
        "a text in an expression, quote it, e.g. \"'hello'\"",
        "15: `to` in node 'ask' names 'gone', which is not a node of dialog 'd'; "
        "did you mean 'done'?",
    ]


def test_duplicate_nodes_are_checked_apart_from_the_graph():
    # The second 'a' is not part of the dialog: its branches are checked, but it makes no loop
    # and no node reachable.
    assert problems(
        """
        dialog: d
        nodes:
          - id: a
            type: message
            text: A
            next: b
          - id: a
            type: message
            text: "{{ entities.x }}"
            next:
              - to: b
              - to: nowhere
          - id: b
            type: entity
            prompt: B?
            next: end
          - id: c
            type: message
            text: C
            next: a
        """
    ) == [
        "7: duplicate node id 'a' (first at line 3); node ids must be unique in a dialog",
        "9: `text` of node 'a' reads entities.x, but dialog 'd' has no entity 'x'",
        "12: `to` in node 'a' names 'nowhere', which is not a node of dialog 'd'; name one of "
        "its nodes, or end",
        "12: node 'a': this branch is never tried, because the branch before it (line 11) has "
        "no `when` and always matches; put the default branch last",
        "17: node 'c' can never be reached from the start node 'a'; lead to it with `next` "
        "(or remove it)",
    ]


def test_the_entity_of_a_duplicate_node_is_not_reported_as_missing():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: Colour?
          - id: ask
            type: entity
            entity: shade
            prompt: Shade?
          - id: show
            type: message
            text: "{{ entities.ask }} {{ entities.shade }} {{ entities.tint }}"
        """
    ) == [
        "6: duplicate node id 'ask' (first at line 3); node ids must be unique in a dialog",
        "12: `text` of node 'show' reads entities.tint, but dialog 'd' has no entity 'tint'",
    ]


# -- nodes without a usable id ------------------------------------------------------------------


def test_nodes_without_a_usable_id_are_checked_by_their_position():
    assert problems(
        """
        dialog: d
        nodes:
          - type: servce
            auth: 5
            request:
              url: "{{ nodes.nope.response }}"
              method: FETCH
            on_error: nowhere
          - id: 7
            type: message
            text: "{{ usr.id }}"
          - id: end
            prompt: Last?
            retries: -1
          - id: first
            type: message
            text: Hi.
        """
    ) == [
        "3: node #1 has no `id`; give it one, e.g. id: ask_name",
        "3: unknown node type 'servce' in node #1: use entity, message or service; "
        "did you mean 'service'?",
        "4: `auth` in node #1 must name an auth profile of config.yaml, got 5",
        "6: `request.url` of node #1 reads nodes.nope, but 'nope' is not a node of dialog 'd'; "
        "only service nodes have a response",
        "7: `method` in node #1 must be one of GET, POST, PUT, PATCH, DELETE, got 'FETCH'",
        "8: `on_error` in node #1 names 'nowhere', which is not a node of dialog 'd'; name one "
        "of its nodes, or end",
        "9: node #2: `id` must be text, got 7",
        "11: `text` of node #2 reads 'usr', which is not defined; did you mean 'user'?",
        "12: `end` is reserved for ending the dialog; pick another node id",
        "12: node #3 has no `type`: use entity, message or service",
        "14: node #3: `retries` must be 0 or more, got -1",
    ]


def test_a_file_whose_nodes_all_lack_an_id_still_has_them_checked():
    assert problems(
        """
        dialog: d
        nodes:
          - type: entity
            entity: colour
            prompt: "{{ entities.colr }}"
          - type: message
            text: "{{ entities.colour }} {{ vars.x }"
        """
    ) == [
        "3: node #1 has no `id`; give it one, e.g. id: ask_name",
        "5: `prompt` of node #1 reads entities.colr, but dialog 'd' has no entity 'colr'; did "
        "you mean entities.colour?",
        "6: node #2 has no `id`; give it one, e.g. id: ask_name",
        "7: `text` of node #2 does not compile: unexpected '}'",
    ]


# -- nodes of an unknown or missing type --------------------------------------------------------


def test_a_node_of_an_unknown_type_is_read_as_the_type_it_looks_like():
    # A typo of a type, else the type whose own keys the node uses; with neither, only its
    # keys can be checked, against those of every type.
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            prompt: Name?
            entity_type: lst
            values: [a, [b]]
          - id: show
            type: widget
            txt: Hi
            foo: 1
          - id: call
            type: servise
          - id: more
            type: entity
            entity_type: colour
            values: [red, {value: green, synonyms: 3}]
        """
    ) == [
        "3: node 'ask' has no `type`: use entity, message or service",
        "5: unknown entity_type 'lst' in node 'ask'; did you mean 'list'?",
        "6: value #2 in node 'ask' must be text, got a list",
        "8: unknown node type 'widget' in node 'show': use entity, message or service",
        "9: unknown key 'txt' in node 'show'; did you mean 'text'?",
        "10: unknown key 'foo' in node 'show'; no node type has it",
        "11: node 'call' needs `request` with at least `url`",
        "12: unknown node type 'servise' in node 'call': use entity, message or service; "
        "did you mean 'service'?",
        "13: entity node 'more' needs `prompt`, the question that asks for the value",
        "15: unknown entity_type 'colour' in node 'more'; use one of string, number, boolean, "
        "email, phone, date, currency, list, regex, url",
        "16: `synonyms` in value #2 of entity node 'more' must be a list of texts, got 3",
    ]


def test_a_node_whose_type_cannot_be_told_still_has_its_routes_and_set_checked():
    assert problems(
        """
        dialog: d
        nodes:
          - id: odd
            type: [entity]
            prompt: Name?
            text: Hi
            set: {Total: "1 +"}
            next: nowhere
        """
    ) == [
        "4: unknown node type a list in node 'odd': use entity, message or service",
        "7: `set.Total` of node 'odd' does not compile: unexpected 'end of template'; to use a "
        "text in an expression, quote it, e.g. \"'hello'\"",
        "7: `set` name 'Total' in node 'odd' must be a lower-case name like order_total (stored "
        "under vars), or entities.NAME to set an entity",
        "8: `to` in node 'odd' names 'nowhere', which is not a node of dialog 'd'; name one of "
        "its nodes, or end",
    ]


# -- other mistakes that used to stop a check early ---------------------------------------------


def test_a_next_that_cannot_be_read_leaves_the_rest_of_the_node_checked():
    # Where that node leads is unknown (it was taken to be the following node): no node is
    # reported as unreachable because of it.
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: "{{ entities.ask "
            next: 5
            optional: maybe
          - id: thanks
            type: message
            text: Thanks.
            next: end
          - id: later
            type: message
            text: Reached from ask, maybe.
        """
    ) == [
        "5: `prompt` of node 'ask' does not compile: unexpected end of template, expected "
        "'end of print statement'.",
        "6: `next` in entity node 'ask' must be a node id, `end`, or a list of {when, to} "
        "branches, got 5",
        "7: entity node 'ask': `optional` must be true or false, got 'maybe'",
    ]


def test_a_file_without_nodes_still_has_its_other_keys_checked():
    assert problems(
        """
        dialog: Bad-Id
        nodes: 5
        intents: [hello, hello]
        start: 7
        interruptions: sometimes
        amend_words: {colour: [shade, ""]}
        synonyms: {thing: [thing]}
        """
    ) == [
        "1: dialog id 'Bad-Id' must start with a lower-case letter and use only a-z, 0-9 and _",
        "2: `nodes` must list the dialog's nodes, got 5",
        "3: intent 'hello' is listed twice (first at line 3); remove one",
        "4: `start` in the dialog must be a node id or end, got 7",
        "5: `interruptions` in the dialog must be one of hold, ask, discard, never, got "
        "'sometimes'",
        "6: `amend_words` of `colour` in the dialog must be words or phrases, got an empty text",
        "7: 'thing' is listed as a synonym of itself; remove it",
    ]


def test_parts_that_conflict_are_each_still_checked():
    # `text` with `messages`, a button with `value` and `url`, amend words for an entity no
    # node asks for: the conflict is one problem, and what each part holds is checked too.
    assert problems(
        """
        dialog: d
        amend_words:
          size: [big, 3]
        nodes:
          - id: ask
            type: entity
            entity: colour
            prompt: Colour?
          - id: show
            type: message
            text: [x]
            messages: ["{{ entities.colour }}", "{{ entities.nope }}"]
            buttons:
              - {label: Go, value: [v], url: "https://x.test/{{ nope }}"}
        """
    ) == [
        "3: `amend_words` names `size`, which no entity node of this dialog asks for; its "
        "entity nodes ask for `colour`",
        "3: `amend_words` of `size` in the dialog must be words or phrases, got 3",
        "11: `text` in message node 'show' must be text, got a list",
        "12: `messages.1` of node 'show' reads entities.nope, but dialog 'd' has no entity 'nope'",
        "12: message node 'show' has both `text` and `messages`; use one",
        "14: `value` in button #1 of message node 'show' must be text, got a list",
        "14: button #1 of message node 'show' has both `value` and `url`; a button either sends "
        "a value or opens a link: keep one",
    ]


# -- across nodes, and with config.yaml's auth profiles -----------------------------------------


def test_problems_of_several_nodes_come_together_in_line_order():
    assert problems(
        """
        dialog: d
        nodes:
          - id: a
            type: entity
            prompt: A?
          - id: a
            type: nope
          - id: b
            type: message
          - type: message
            text: "{{ secret }}"
          - id: c
            type: service
            request: {url: "https://x.test", method: GET}
            verify: {url: "https://x.test", found: "true"}
            next: a
        """
    ) == [
        "6: duplicate node id 'a' (first at line 3); node ids must be unique in a dialog",
        "7: unknown node type 'nope' in node 'a': use entity, message or service",
        "8: message node 'b' needs `text` (or `messages`, a list of texts, or `cards`)",
        "10: node #4 has no `id`; give it one, e.g. id: ask_name",
        f"11: `text` of node #4 reads 'secret', which is not defined; {ANY_NAME}",
        "15: `verify` in service node 'c' checks whether a call with a side effect happened; a "
        "GET has none, so remove `verify` (or give the request the method that changes "
        "something)",
    ]


def test_auth_profiles_are_checked_in_every_node_even_in_a_file_with_other_problems(tmp_path):
    (tmp_path / "d.yaml").write_text(
        dedent(
            """
            dialog: d
            nodes:
              - id: call
                type: service
                auth: crm
                request: {url: "{{ nope }}"}
              - id: call
                type: service
                auth: hubspot
                request: {url: "https://x.test"}
            """
        ).lstrip("\n")
    )
    dialogs, found = read_dialogs([tmp_path], profiles={"salesforce", "crm"})
    assert [d.id for d in dialogs] == ["d"]
    assert sorted((Path(p.file).name, p.line, p.message) for p in found) == [
        (
            "d.yaml",
            6,
            f"`request.url` of node 'call' reads 'nope', which is not defined; {ANY_NAME}",
        ),
        (
            "d.yaml",
            7,
            "duplicate node id 'call' (first at line 3); node ids must be unique in a dialog",
        ),
        (
            "d.yaml",
            9,
            "node 'call' uses auth profile 'hubspot', which config.yaml does not define; known "
            "profiles: crm, salesforce",
        ),
    ]
