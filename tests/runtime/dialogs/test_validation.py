"""Validation of a whole dialog: routes, reachability, loops, templates and what they read."""

from __future__ import annotations

from textwrap import dedent

import pytest

from runtime.dialogs.loader import load_dialog
from runtime.dialogs.model import Branch, Dialog, EntityNode, MessageNode, NodeKind
from runtime.dialogs.validation import entity_names, profiles_used, validate_dialog
from runtime.errors import DefinitionError, Problem
from runtime.templating import Templates


def load(text: str, templates: Templates | None = None) -> Dialog:
    return load_dialog(dedent(text).lstrip("\n"), "d.yaml", templates)


def problems(text: str, templates: Templates | None = None) -> list[str]:
    """Every problem of the file, as 'LINE: message', sorted by line."""
    with pytest.raises(DefinitionError) as info:
        load(text, templates)
    return [f"{p.line}: {p.message}" for p in info.value.problems]


# -- routes -------------------------------------------------------------------------------------


def test_every_route_names_a_node_or_end():
    assert problems(
        """
        dialog: d
        start: frist
        nodes:
          - id: first
            type: entity
            prompt: Name?
            on_failure: nowhere
            next:
              - when: entities.first == 'x'
                to: creted
              - to: created
          - id: call
            type: service
            request: {url: "https://x.test"}
            on_error: sory
            on_auth_failure: created
          - id: sorry
            type: message
            text: Sorry.
          - id: created
            type: message
            text: Done.
        """
    ) == [
        "2: `start` names 'frist', which is not a node of dialog 'd'; did you mean 'first'?",
        "7: `on_failure` in node 'first' names 'nowhere', which is not a node of dialog 'd'; "
        "name one of its nodes, or end",
        "10: `to` in node 'first' names 'creted', which is not a node of dialog 'd'; "
        "did you mean 'created'?",
        "15: `on_error` in node 'call' names 'sory', which is not a node of dialog 'd'; "
        "did you mean 'sorry'?",
    ]


def test_every_node_must_be_reachable_from_start():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: Name?
            next: end
          - id: orphan
            type: message
            text: Nobody gets here.
          - id: also_orphan
            type: message
            text: Only orphan leads here.
        """
    ) == [
        "7: node 'orphan' can never be reached from the start node 'ask'; lead to it with "
        "`next` (or remove it)",
        "10: node 'also_orphan' can never be reached from the start node 'ask'; lead to it with "
        "`next` (or remove it)",
    ]


def test_failure_routes_count_as_edges():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: email
            type: entity
            entity_type: email
            prompt: Email?
            on_failure: gave_up
            next: call
          - id: call
            type: service
            request: {url: "https://x.test"}
            on_error: down
            on_auth_failure: denied
            next: end
          - id: gave_up
            type: message
            text: Never mind.
            next: end
          - id: down
            type: message
            text: Down.
            next: end
          - id: denied
            type: message
            text: Denied.
        """
    )
    assert [n.id for n in dialog.nodes] == ["email", "call", "gave_up", "down", "denied"]


def test_a_start_other_than_the_first_node():
    assert problems(
        """
        dialog: d
        start: second
        nodes:
          - id: first
            type: message
            text: Never shown.
          - id: second
            type: message
            text: Hi.
        """
    ) == [
        "4: node 'first' can never be reached from the start node 'second'; lead to it with "
        "`next` (or remove it)"
    ]


def test_a_default_branch_must_come_last():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            entity_type: number
            prompt: How many?
            next:
              - when: entities.ask > 10
                to: many
              - to: few
              - when: entities.ask == 0
                to: none_at_all
          - id: many
            type: message
            text: Many.
            next: end
          - id: few
            type: message
            text: Few.
            next: end
          - id: none_at_all
            type: message
            text: None.
        """
    ) == [
        "11: node 'ask': this branch is never tried, because the branch before it (line 10) has "
        "no `when` and always matches; put the default branch last",
    ]


def test_no_default_branch_is_allowed():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            entity_type: boolean
            prompt: Sure?
            next:
              - when: entities.ask
                to: yes_node
          - id: yes_node
            type: message
            text: Good.
        """
    )
    assert dialog.node("ask").next == (Branch("yes_node", "entities.ask", 8),)


# -- loops --------------------------------------------------------------------------------------


def test_a_loop_of_message_and_service_nodes_is_an_error_naming_the_loop():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: Name?
          - id: hello
            type: message
            text: Hello
          - id: call
            type: service
            request: {url: "https://x.test"}
            next:
              - when: response.ok
                to: done
              - to: again
          - id: again
            type: message
            text: Trying again.
            next: hello
          - id: done
            type: message
            text: Done.
        """
    ) == [
        "6: nodes 'hello' -> 'call' -> 'again' -> 'hello' form a loop that never waits for the "
        "user; route the loop through an entity node, which waits for an answer"
    ]


def test_a_node_that_leads_to_itself_without_waiting():
    assert problems(
        """
        dialog: d
        nodes:
          - id: poll
            type: service
            request: {url: "https://x.test"}
            on_error: poll
            next: end
        """
    ) == [
        "3: nodes 'poll' -> 'poll' form a loop that never waits for the user; route the loop "
        "through an entity node, which waits for an answer"
    ]


def test_a_loop_through_an_entity_node_is_fine():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: n
            type: entity
            entity_type: number
            prompt: Number?
          - id: echo
            type: message
            text: "got {{ entities.n }}"
          - id: call
            type: service
            request: {url: "https://x.test/{{ entities.n }}"}
            next:
              - when: entities.n == 0
                to: end
              - to: n
        """
    )
    assert [n.id for n in dialog.nodes] == ["n", "echo", "call"]


# -- templates and expressions ------------------------------------------------------------------


def test_templates_and_expressions_must_compile():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: "Hi {{ entities.ask "
            validate:
              when: value >
              error: "{% if value %}bad"
            next:
              - when: "{{ entities.ask == 'x' }}"
                to: end
              - to: call
          - id: call
            type: service
            request:
              url: "https://x.test/{{ entities.ask | no_such_filter }}"
              json:
                Items:
                  - Name: "{{ entities.ask }"
        """
    ) == [
        "5: `prompt` of node 'ask' does not compile: unexpected end of template, expected "
        "'end of print statement'.",
        "7: `validate.when` of node 'ask' does not compile: unexpected 'end of template'; "
        "to use a text in an expression, quote it, e.g. \"'hello'\"",
        "8: `validate.error` of node 'ask' does not compile: Unexpected end of template. Jinja "
        "was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block "
        "that needs to be closed is 'if'.",
        "10: `next.0.when` of node 'ask' does not compile: expected token ':', got '}'; "
        "expressions are written without {{ }}, e.g. when: response.status == 201",
        "16: `request.url` of node 'call' does not compile: No filter named 'no_such_filter'.",
        "19: `request.json.Items.0.Name` of node 'call' does not compile: unexpected '}'",
    ]


def test_the_bots_own_filters_are_known_to_validation():
    text = """
    dialog: d
    nodes:
      - id: call
        type: service
        request:
          url: "https://x.test/?q={{ 'O''Brien' | soql }}"
    """
    assert "No filter named 'soql'" in problems(text)[0]
    load(text, Templates(filters={"soql": str}))


def test_names_must_be_known_roots():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            prompt: "Hi {{ entites.name }} {{ usr.id }} {{ secret }}"
            next:
              - when: ask == 1
                to: end
        """
    ) == [
        "5: `prompt` of node 'ask' reads 'entites', which is not defined; did you mean 'entities'?",
        "5: `prompt` of node 'ask' reads 'secret', which is not defined; templates can read "
        "entities, nodes, response, value, vars, auth, user, session, globals, held",
        "5: `prompt` of node 'ask' reads 'usr', which is not defined; did you mean 'user'?",
        "7: `next.0.when` of node 'ask' reads 'ask', which is not defined; templates can read "
        "entities, nodes, response, value, vars, auth, user, session, globals, held",
    ]


def test_response_only_in_a_service_nodes_own_next_and_set():
    assert problems(
        """
        dialog: d
        nodes:
          - id: call
            type: service
            request:
              url: "https://x.test/{{ response.status }}"
            progress: "{{ response }}"
            set:
              status: response.status
            next:
              - when: response.status == 200
                to: ok
              - to: ok
          - id: ok
            type: message
            text: "{{ nodes.call.response.status }} / {{ response.status }}"
            set:
              copy: response.body
        """
    ) == [
        "6: `request.url` of node 'call' reads `response`, which exists only in a service "
        "node's own `next` and `set`; elsewhere use nodes.ID.response",
        "7: `progress` of node 'call' reads `response`, which exists only in a service node's "
        "own `next` and `set`; elsewhere use nodes.ID.response",
        "16: `text` of node 'ok' reads `response`, which exists only in a service node's own "
        "`next` and `set`; elsewhere use nodes.ID.response",
        "18: `set.copy` of node 'ok' reads `response`, which exists only in a service node's "
        "own `next` and `set`; elsewhere use nodes.ID.response",
    ]


def test_value_only_inside_validate():
    assert problems(
        """
        dialog: d
        nodes:
          - id: seats
            type: entity
            entity_type: number
            prompt: "How many? (not {{ value }})"
            validate:
              when: value >= 1 and value <= 50
              error: "{{ value }} is too many"
            set:
              copy: value
        """
    ) == [
        "6: `prompt` of node 'seats' reads `value`, which exists only inside `validate`",
        "11: `set.copy` of node 'seats' reads `value`, which exists only inside `validate`",
    ]


def test_entity_references_are_checked_with_a_suggestion():
    assert problems(
        """
        dialog: d
        nodes:
          - id: company
            type: entity
            prompt: Company?
          - id: contact
            type: entity
            entity: contact_name
            prompt: "Who at {{ entities.company }}?"
            set:
              entities.note: "'from ' ~ entities.company"
          - id: created
            type: message
            text: >-
              Created for {{ entities.compnay }} ({{ entities.contact_name }},
              {{ entities.note }}, {{ entities['contct_name'] }})
        """
    ) == [
        "14: `text` of node 'created' reads entities.compnay, but dialog 'd' has no entity "
        "'compnay'; did you mean entities.company?",
        "14: `text` of node 'created' reads entities.contct_name, but dialog 'd' has no entity "
        "'contct_name'; did you mean entities.contact_name?",
    ]


def test_node_references_name_service_nodes_and_their_response():
    assert problems(
        """
        dialog: d
        nodes:
          - id: create
            type: service
            request: {url: "https://x.test", method: POST}
          - id: created
            type: message
            text: "{{ nodes.create.response.body.id }} {{ nodes.creat.response }}"
          - id: again
            type: message
            text: "{{ nodes.created.response }} {{ nodes.create.body.id }} {{ nodes.created.x }}"
        """
    ) == [
        "8: `text` of node 'created' reads nodes.creat, but 'creat' is not a node of dialog 'd'; "
        "only service nodes have a response; did you mean nodes.create?",
        "11: `text` of node 'again' reads nodes.create.body.id; a service node's result is under "
        "response: write nodes.create.response.body.id",
        "11: `text` of node 'again' reads nodes.created, but 'created' is a message node of "
        "dialog 'd'; only service nodes have a response; did you mean nodes.create?",
    ]


def test_user_and_session_attributes_are_checked_vars_are_left_to_run_time():
    assert problems(
        """
        dialog: d
        nodes:
          - id: first
            type: message
            text: "{{ user.id }} {{ user.channel }} {{ session.id }} {{ globals.anything }}"
            set:
              total: 3
          - id: second
            type: message
            text: "{{ vars.total }} {{ vars.totl }} {{ user.name }} {{ session.user }}"
        """
    ) == [
        "10: `text` of node 'second' reads session.user, which does not exist; there is session.id",
        "10: `text` of node 'second' reads user.name, which does not exist; there is user.id, "
        "user.channel",
    ]


def test_every_template_field_is_checked_at_its_own_line():
    found = problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
            entity_type: list
            prompt: "{{ bad1 }}"
            error_prompt:
              - fine
              - "{{ bad2 }}"
            values: [a, b]
          - id: show
            type: message
            messages: ["ok", "{{ bad3 }}"]
            buttons: ["{{ bad4 }}", {label: "{{ bad5 }}", value: v}]
          - id: call
            type: service
            request:
              url: "{{ bad6 }}"
              headers: {X-A: "{{ bad7 }}"}
              query: {q: "{{ bad8 }}"}
              json: ["{{ bad9 }}"]
            progress: "{{ bad10 }}"
            set: {v: bad11}
            next:
              - when: bad12
                to: end
        """
    )
    assert [(line.split(":")[0], line.split("'")[-2]) for line in found] == [
        ("6", "bad1"),
        ("9", "bad2"),
        ("13", "bad3"),
        ("14", "bad4"),
        ("14", "bad5"),
        ("18", "bad6"),
        ("19", "bad7"),
        ("20", "bad8"),
        ("21", "bad9"),
        ("22", "bad10"),
        ("23", "bad11"),
        ("25", "bad12"),
    ]


def test_loops_and_locals_inside_templates_are_not_unknown_names():
    load(
        """
        dialog: d
        nodes:
          - id: call
            type: service
            request: {url: "https://x.test"}
          - id: show
            type: message
            text: |
              {% for item in nodes.call.response.body.items %}{{ loop.index }}. {{ item.name }}
              {% endfor %}{% set total = 3 %}{{ total }} {{ range(2) | list }}
        """
    )


# -- the public function ------------------------------------------------------------------------


def test_validate_dialog_on_a_model_built_in_code_returns_problems_without_raising():
    dialog = Dialog(
        id="hand_made",
        file="code",
        line=1,
        start="ask",
        nodes=(
            EntityNode(
                id="ask",
                kind=NodeKind.ENTITY,
                line=10,
                next=(Branch("shout", None, 11),),
                entity="name",
                prompt="Name?",
            ),
            MessageNode(
                id="shout",
                kind=NodeKind.MESSAGE,
                line=20,
                next=(Branch("shout", "true", 21),),
                texts=("{{ entities.nam }}",),
            ),
        ),
    )
    assert validate_dialog(dialog, Templates()) == [
        Problem(
            "code",
            20,
            "`text` of node 'shout' reads entities.nam, but dialog 'hand_made' has no entity "
            "'nam'; did you mean entities.name?",
        ),
        Problem(
            "code",
            20,
            "nodes 'shout' -> 'shout' form a loop that never waits for the user; route the loop "
            "through an entity node, which waits for an answer",
        ),
    ]


def test_clean_dialogs_have_no_problems_and_expose_their_profiles_and_entities():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: name
            type: entity
            prompt: Name?
            set: {entities.greeting: "'hi ' ~ entities.name"}
          - id: a
            type: service
            auth: salesforce
            request: {url: "{{ auth.salesforce.instance_url }}/a"}
          - id: b
            type: service
            auth: hubspot
            request: {url: "https://x.test/{{ vars.missing | default('') }}"}
            set: {missing: response.status}
        """
    )
    assert validate_dialog(dialog, Templates()) == []
    assert profiles_used(dialog) == {"salesforce", "hubspot"}
    assert entity_names(dialog) == {"name", "greeting"}
