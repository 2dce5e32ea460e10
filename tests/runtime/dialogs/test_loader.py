"""Loading dialog files: the model built from YAML, and every mistake at its own line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from runtime.dialogs.loader import load_dialog, load_dialogs
from runtime.dialogs.model import (
    END,
    Branch,
    Button,
    Dialog,
    EntityNode,
    ListValue,
    MessageNode,
    NodeKind,
    Request,
    ServiceNode,
    ValidateRule,
)
from runtime.dialogs.validation import profiles_used
from runtime.errors import DefinitionError

SPEC_EXAMPLE = """
dialog: create_lead
description: Create a lead in Salesforce
intents:                       # example utterances that start this dialog
  - create a lead
  - add a new lead
  - new lead please
nodes:
  - id: last_name
    type: entity
    entity_type: string
    prompt: What is the lead's last name?

  - id: company
    type: entity
    entity_type: string
    prompt: Which company does {{ entities.last_name }} work for?

  - id: email
    type: entity
    entity_type: email
    optional: true             # "skip" leaves it empty
    prompt: Their email address? (say "skip" if you don't have it)
    error_prompt: That doesn't look like an email address. Try again, or say "skip".
    retries: 2
    on_failure: create         # after 2 failed re-asks, carry on without it

  - id: create
    type: service
    auth: salesforce           # an auth profile from config.yaml
    request:
      method: POST
      url: "{{ auth.salesforce.instance_url }}/services/data/v60.0/sobjects/Lead/"
      json:
        LastName: "{{ entities.last_name }}"
        Company: "{{ entities.company }}"
        Email: "{{ entities.email }}"
    next:
      - when: response.status == 201
        to: created
      - to: failed

  - id: created
    type: message
    text: Lead {{ nodes.create.response.body.id }} created for {{ entities.company }}.
    next: end

  - id: failed
    type: message
    text: "Salesforce refused the lead: {{ nodes.create.response.body[0].message }}"
"""


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


# -- the model ----------------------------------------------------------------------------------


def test_the_spec_example_loads_clean():
    dialog = load(SPEC_EXAMPLE)
    assert (dialog.id, dialog.file, dialog.line, dialog.start) == (
        "create_lead",
        "bot/d.yaml",
        1,
        "last_name",
    )
    assert dialog.description == "Create a lead in Salesforce"
    assert dialog.intents == ("create a lead", "add a new lead", "new lead please")
    assert [n.id for n in dialog.nodes] == [
        "last_name",
        "company",
        "email",
        "create",
        "created",
        "failed",
    ]
    assert profiles_used(dialog) == {"salesforce"}

    email = dialog.node("email")
    assert email == EntityNode(
        id="email",
        kind=NodeKind.ENTITY,
        line=18,
        next=(Branch("create", None, 18),),
        entity="email",
        entity_type="email",
        prompt='Their email address? (say "skip" if you don\'t have it)',
        error_prompts=('That doesn\'t look like an email address. Try again, or say "skip".',),
        retries=2,
        on_failure="create",
        optional=True,
    )
    assert email.line_of("retries") == 24
    assert email.line_of("on_failure") == 25

    create = dialog.node("create")
    assert isinstance(create, ServiceNode)
    assert create.auth == "salesforce"
    assert create.request == Request(
        url="{{ auth.salesforce.instance_url }}/services/data/v60.0/sobjects/Lead/",
        method="POST",
        json={
            "LastName": "{{ entities.last_name }}",
            "Company": "{{ entities.company }}",
            "Email": "{{ entities.email }}",
        },
        has_json=True,
        timeout=10.0,
    )
    assert create.next == (
        Branch("created", "response.status == 201", 38),
        Branch("failed", None, 40),
    )
    assert create.line_of("request.json.Email") == 36
    assert create.line_of("next.0.when") == 38
    assert create.line_of("next.1.to") == 40

    created = dialog.node("created")
    assert isinstance(created, MessageNode)
    assert created.texts == (
        "Lead {{ nodes.create.response.body.id }} created for {{ entities.company }}.",
    )
    assert created.next == (Branch(END, None, 45),)
    # the last node ends the dialog when `next` is omitted
    assert dialog.node("failed").next == (Branch(END, None, 47),)


def test_entity_defaults():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: name
            type: entity
            prompt: Name?
        """
    )
    node = dialog.node("name")
    assert isinstance(node, EntityNode)
    assert (node.entity, node.entity_type, node.retries, node.optional) == (
        "name",
        "string",
        3,
        False,
    )
    assert (node.on_failure, node.validate, node.error_prompts, node.set) == (None, None, (), ())


def test_next_forms_and_set():
    dialog = load(
        """
        dialog: d
        start: ask
        nodes:
          - id: intro
            type: message
            text: Hi
            next: ask
          - id: ask
            type: entity
            entity: amount_due
            entity_type: number
            prompt: How much?
            set:
              doubled: entities.amount_due * 2
              entities.note: "'big'"
              count: 2
              flag: true
              cleared: ~
          - id: check
            type: message
            text: "{{ vars.doubled }} {{ entities.note }}"
            next:
              - when: vars.doubled > 10
                to: intro
              - when: true
                to: end
        """
    )
    assert dialog.start == "ask"
    assert dialog.node("intro").next == (Branch("ask", None, 7),)
    ask = dialog.node("ask")
    assert ask.next == (Branch("check", None, 8),)
    assert ask.set == (
        ("doubled", "entities.amount_due * 2"),
        ("entities.note", "'big'"),
        ("count", "2"),
        ("flag", "true"),
        ("cleared", "none"),
    )
    assert ask.line_of("set.entities.note") == 15
    assert dialog.node("check").next == (
        Branch("intro", "vars.doubled > 10", 23),
        Branch(END, "true", 25),
    )


def test_entity_options():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: size
            type: entity
            entity_type: list
            prompt: Size?
            values:
              - small
              - value: large
                synonyms: [big, family]
              - 10
            error_prompt:
              - Small or large?
              - Please pick small or large.
            validate:
              when: value != 'small' or entities.size is not defined
              error: Not {{ value }}, sorry.
          - id: code
            type: entity
            entity_type: regex
            pattern: "\\\\b([A-Z]{3}-\\\\d{4})\\\\b"
            prompt: Code?
            retries: 0
        """
    )
    size = dialog.node("size")
    assert isinstance(size, EntityNode)
    assert size.values == (
        ListValue("small"),
        ListValue("large", ("big", "family")),
        ListValue("10"),
    )
    assert size.error_prompts == ("Small or large?", "Please pick small or large.")
    assert size.validate == ValidateRule(
        "value != 'small' or entities.size is not defined", "Not {{ value }}, sorry.", 15
    )
    code = dialog.node("code")
    assert isinstance(code, EntityNode)
    assert code.pattern == r"\b([A-Z]{3}-\d{4})\b"
    assert code.retries == 0


def test_message_nodes_and_buttons():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: menu
            type: message
            messages: ["Here is the menu.", "Pick one:"]
            buttons: [Yes, No, {label: Salad, value: salad please}, {label: Soup}]
        """
    )
    menu = dialog.node("menu")
    assert isinstance(menu, MessageNode)
    assert menu.texts == ("Here is the menu.", "Pick one:")
    # YAML 1.2: Yes and No are texts, not booleans
    assert menu.buttons == (
        Button("Yes", "Yes"),
        Button("No", "No"),
        Button("Salad", "salad please"),
        Button("Soup", "Soup"),
    )


def test_service_request_options():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: call
            type: service
            request:
              method: patch
              url: https://api.example.com/x
              headers: {X-Trace: "{{ session.id }}", X-Version: 2}
              query: {limit: 10, on: yes}
              json:
                CloseDate: 2026-12-01
                Time: 10:30
                Code: 010
                Note: null
              json_drop_nulls: true
              timeout: 2.5
            on_error: down
            on_auth_failure: down
            progress: One moment...
          - id: get
            type: service
            request:
              url: https://api.example.com/y
          - id: down
            type: message
            text: Down.
        """
    )
    call = dialog.node("call")
    assert isinstance(call, ServiceNode)
    assert call.request == Request(
        url="https://api.example.com/x",
        method="PATCH",
        headers=(("X-Trace", "{{ session.id }}"), ("X-Version", "2")),
        query=(("limit", "10"), ("on", "yes")),
        json={"CloseDate": "2026-12-01", "Time": "10:30", "Code": 10, "Note": None},
        has_json=True,
        json_drop_nulls=True,
        timeout=2.5,
    )
    assert (call.on_error, call.on_auth_failure, call.progress) == ("down", "down", "One moment...")
    assert type(call.request.json) is dict  # plain values in the model, not YAML containers
    get = dialog.node("get")
    assert isinstance(get, ServiceNode)
    assert get.request == Request(url="https://api.example.com/y")
    assert not get.request.has_json


def test_json_that_is_null_still_counts_as_present():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: call
            type: service
            request:
              method: POST
              url: https://x.test
              json: null
        """
    )
    assert dialog.node("call").request.has_json  # type: ignore[attr-defined]


def test_yaml_anchors_and_merge_keys_work():
    dialog = load(
        """
        dialog: d
        nodes:
          - id: a
            type: service
            request: &base
              url: https://x.test/a
              headers: {Accept: application/json}
          - id: b
            type: service
            request:
              <<: *base
              url: https://x.test/b
        """
    )
    assert dialog.node("b").request.headers == (("Accept", "application/json"),)  # type: ignore[attr-defined]
    assert dialog.node("b").request.url == "https://x.test/b"  # type: ignore[attr-defined]


# -- mistakes, each at its line -----------------------------------------------------------------


def test_unknown_key_with_a_suggestion():
    assert problems(
        """
        dialog: d
        nodes:
          - id: company
            type: entity
            prompt: Company?
            promt: Which company?
        """
    ) == ["6: unknown key 'promt' in entity node 'company'; did you mean 'prompt'?"]


def test_unknown_key_without_a_close_match_lists_the_allowed_ones():
    found = problems(
        """
        dialog: d
        nodes:
          - id: hello
            type: message
            text: Hi
            colour: blue
        """
    )
    assert found == [
        "6: unknown key 'colour' in message node 'hello'; allowed keys: id, type, next, set, "
        "text, messages, buttons, cards"
    ]


def test_misplaced_keys_say_where_they_belong():
    assert problems(
        """
        dialog: d
        nodes:
          - id: size
            type: entity
            prompt: Size?
            values: [small, large]
            pattern: "[a-z]+"
            text: Hi
          - id: call
            type: service
            url: https://x.test
            request:
              url: https://x.test
            prompt: Which?
        """
    ) == [
        "6: `values` is only allowed when entity_type is list "
        "(entity node 'size' has entity_type string)",
        "7: `pattern` is only allowed when entity_type is regex "
        "(entity node 'size' has entity_type string)",
        "8: `text` is not allowed in entity node 'size'; it belongs to message nodes",
        "11: `url` belongs under `request:` in service node 'call'",
        "14: `prompt` is not allowed in service node 'call'; it belongs to entity nodes",
    ]


def test_wrong_value_types():
    assert problems(
        """
        dialog: d
        nodes:
          - id: email
            type: entity
            entity_type: email
            prompt: [not, text]
            retries: two
            optional: maybe
            error_prompt: []
          - id: count
            type: entity
            prompt: Count?
            retries: -1
            on_failure: 3
          - id: call
            type: service
            request:
              method: FETCH
              url: https://x.test
              timeout: fast
              headers: [a, b]
              json_drop_nulls: "yes"
        """
    ) == [
        "6: `prompt` in entity node 'email' must be text, got a list",
        "7: entity node 'email': `retries` must be a whole number, got 'two'",
        "8: entity node 'email': `optional` must be true or false, got 'maybe'",
        "9: `error_prompt` in entity node 'email' must be a text or a list of texts, "
        "got an empty list",
        "13: entity node 'count': `retries` must be 0 or more, got -1",
        "14: `on_failure` in entity node 'count' must be a node id or end, got 3",
        "18: `method` in service node 'call' must be one of GET, POST, PUT, PATCH, DELETE, "
        "got 'FETCH'",
        "20: `timeout` in service node 'call' must be a number of seconds greater than 0, "
        "got 'fast'",
        "21: `headers` in service node 'call' must be a mapping of names to texts, got a list",
        "22: service node 'call': `json_drop_nulls` must be true or false, got 'yes'",
    ]


def test_node_types_and_entity_types():
    assert problems(
        """
        dialog: d
        nodes:
          - id: x
            type: form
            prompt: Hi
          - id: y
            type: entitiy
          - id: z
            prompt: Hi
          - id: w
            type: entity
            entity_type: emial
            prompt: Email?
          - id: v
            type: entity
            entity_type: colour
            prompt: Colour?
        """
    ) == [
        "4: unknown node type 'form' in node 'x': use entity, message or service",
        # read as the entity node it is meant to be: its other problems are reported too
        "6: node 'y' needs `prompt`, the question that asks for the value",
        "7: unknown node type 'entitiy' in node 'y': use entity, message or service; "
        "did you mean 'entity'?",
        "8: node 'z' has no `type`: use entity, message or service",
        "12: unknown entity_type 'emial' in node 'w'; did you mean 'email'?",
        "16: unknown entity_type 'colour' in node 'v'; use one of string, number, boolean, "
        "email, phone, date, currency, list, regex, url",
    ]


def test_bad_and_duplicate_ids():
    assert problems(
        """
        dialog: Create-Lead
        nodes:
          - id: ask
            type: entity
            prompt: A?
          - id: Ask Again
            type: entity
            prompt: B?
          - id: ask
            type: message
            text: C
          - id: end
            type: message
            text: D
          - type: message
            text: E
          - just a string
        """
    ) == [
        "1: dialog id 'Create-Lead' must start with a lower-case letter and use only a-z, 0-9 "
        "and _",
        "6: node id 'Ask Again' must start with a lower-case letter and use only a-z, 0-9 and _",
        "9: duplicate node id 'ask' (first at line 3); node ids must be unique in a dialog",
        "12: `end` is reserved for ending the dialog; pick another node id",
        "15: node #5 has no `id`; give it one, e.g. id: ask_name",
        "17: node #6 must be a mapping with `id` and `type`, got the text 'just a string'",
    ]


def test_required_parts():
    assert problems(
        """
        dialog: d
        nodes:
          - id: ask
            type: entity
          - id: size
            type: entity
            entity_type: list
            prompt: Size?
          - id: code
            type: entity
            entity_type: regex
            prompt: Code?
          - id: bad_code
            type: entity
            entity_type: regex
            prompt: Code?
            pattern: "([A-Z"
          - id: both
            type: message
            text: a
            messages: [b]
          - id: neither
            type: message
          - id: no_request
            type: service
          - id: no_url
            type: service
            request:
              method: GET
          - id: check
            type: entity
            prompt: Age?
            validate:
              when: value > 17
        """
    ) == [
        "3: entity node 'ask' needs `prompt`, the question that asks for the value",
        "5: entity node 'size' has entity_type list but no `values`; list the allowed values",
        "9: entity node 'code' has entity_type regex but no `pattern`; give the regular expression",
        "17: `pattern` in entity node 'bad_code' is not a valid regular expression: "
        "unterminated character set at position 1",
        "21: message node 'both' has both `text` and `messages`; use one",
        "22: message node 'neither' needs `text` (or `messages`, a list of texts, or `cards`)",
        "24: service node 'no_request' needs `request` with at least `url`",
        "28: the request of service node 'no_url' needs `url`, the address to call",
        "33: `validate` of entity node 'check' needs `error`, the text said when the value "
        "fails `when`",
    ]


def test_bad_next_and_set():
    assert problems(
        """
        dialog: d
        nodes:
          - id: a
            type: message
            text: A
            next: [b]
          - id: b
            type: message
            text: B
            next:
              - when: true
                goto: c
              - to: c
          - id: c
            type: message
            text: C
            next: {to: end}
            set:
              Total Sum: 1
              entities.Bad: 2
              fine: 3
        """
    ) == [
        "6: branch 1 of `next` in message node 'a' must be a mapping like {when: EXPR, to: NODE}, "
        "got the text 'b'; for a single target write next: NODE",
        "11: branch 1 of `next` in message node 'b' has no `to`; name the node to go to, or end",
        "12: unknown key 'goto' in branch 1 of `next` in message node 'b'; allowed keys: when, to",
        "17: `next` in message node 'c' must be a node id, `end`, or a list of {when, to} "
        "branches, got a mapping",
        "19: `set` name 'Total Sum' in message node 'c' must be a lower-case name like "
        "order_total (stored under vars), or entities.NAME to set an entity",
        "20: `set` name 'entities.Bad' in message node 'c' must be a lower-case name like "
        "order_total (stored under vars), or entities.NAME to set an entity",
    ]


def test_file_level_mistakes():
    assert problems(
        """
        dialog: d
        intent: [hello]
        intents: hello
        nodes:
          - id: a
            type: message
            text: A
        """
    ) == [
        "2: unknown key 'intent' in the dialog file; did you mean 'intents'?",
        "3: `intents` in the dialog must be a list of texts, got the text 'hello'",
    ]
    assert problems("description: no id, no nodes\n") == [
        "1: the file has no `dialog` key; name the dialog, e.g. dialog: create_lead",
        "1: the file has no `nodes`; list the dialog's nodes under it",
    ]
    assert problems("dialog: d\nnodes: []\n") == [
        "2: `nodes` must list the dialog's nodes, got an empty list"
    ]


def test_duplicate_yaml_keys():
    assert problems(
        """
        dialog: d
        nodes:
          - id: a
            type: message
            text: A
            text: B
        """
    ) == ["6: duplicate key 'text' (first at line 5); keep only one of them"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "dialog: d\nnodes:\n  - id: a\n    type: message\n    text: Note: it's late\n",
            "5: could not parse YAML: mapping values are not allowed here; a text containing "
            "': ' must be quoted, e.g. text: \"Note: it's late\"",
        ),
        (
            'dialog: d\nnodes:\n  - id: a\n    prompt "hello"\n  - id: b\n',
            "4: could not parse YAML: could not find expected ':'; write a key with ':' after it, "
            "e.g. prompt: Your name?",
        ),
        (
            "dialog: d\nnodes: [a, b\n",
            "3: could not parse YAML: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence at line 2)",
        ),
        (
            "dialog: d\n\tnodes: []\n",
            "2: could not parse YAML: found character '\\t' that "
            "cannot start any token; indent with spaces, not tabs",
        ),
        (
            "dialog: a\n---\ndialog: b\n",
            "2: a file holds one YAML document: remove the '---' line",
        ),
        ("", "1: the file is empty; a dialog needs `dialog` and `nodes`"),
        ("# only a comment\n", "1: the file is empty; a dialog needs `dialog` and `nodes`"),
        ("- a\n- b\n", "1: a dialog file must be a mapping with `dialog` and `nodes`, got a list"),
        (
            "just text\n",
            "1: a dialog file must be a mapping with `dialog` and `nodes`, "
            "got the text 'just text'",
        ),
        ("a: &x [*x]\n", "1: a YAML alias refers to a value that contains it"),
        (
            "a: !!python/object:os.system x\n",
            "1: could not parse YAML: could not determine a "
            "constructor for the tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
    ],
)
def test_unreadable_files_are_one_problem_each(text, expected):
    with pytest.raises(DefinitionError) as info:
        load_dialog(text, "bot/d.yaml")
    assert [f"{p.line}: {p.message}" for p in info.value.problems] == [expected]


def test_alias_bombs_are_refused():
    rows = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for name, prev in zip("bcdef", "abcde", strict=True):
        rows.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    with pytest.raises(DefinitionError, match="more than 100000 values"):
        load_dialog("\n".join(rows) + "\n", "bot/d.yaml")


def test_several_mistakes_in_one_file_are_reported_together():
    found = problems(
        """
        dialog: d
        nodes:
          - id: company
            type: entity
            promt: Which company?
            retries: two
          - id: thanks
            type: message
            text: Thanks {{ entities.compnay }}
            next: nowhere
        """
    )
    assert [line.split(":")[0] for line in found] == ["3", "5", "6", "9", "10"]
    assert (
        found[0] == "3: entity node 'company' needs `prompt`, the question that asks for the value"
    )
    assert found[1] == "5: unknown key 'promt' in entity node 'company'; did you mean 'prompt'?"
    assert "entities.compnay" in found[3] and "did you mean entities.company?" in found[3]
    assert "'nowhere'" in found[4]


@pytest.mark.parametrize(
    "text",
    [
        "dialog: [x]\nnodes: {a: 1}\n",
        "dialog: d\nnodes:\n  - {id: [1], type: {a: b}}\n",
        "dialog: d\nnodes:\n  - id: a\n    type: [entity]\n",
        "dialog: d\nnodes:\n  - id: a\n    type: message\n    text: {a: 1}\n    next: 5\n",
        "dialog: d\nnodes:\n  - id: a\n    type: service\n    request: [url]\n",
        "dialog: d\nnodes:\n  - id: a\n    type: entity\n    prompt: x\n    validate: yes\n",
        "dialog: d\nnodes:\n  - id: a\n    type: entity\n    entity_type: list\n"
        "    prompt: x\n    values: [{value: [1]}, {synonyms: 3}, [a]]\n",
        "dialog: d\nnodes:\n  - id: a\n    type: message\n    text: x\n    buttons: [[a], {}]\n",
        "dialog: d\nnodes:\n  - id: a\n    type: message\n    text: x\n    set: [a]\n",
        "dialog: d\nstart: 3\nnodes:\n  - id: a\n    type: message\n    text: x\n",
        "dialog: d\nnodes:\n  - id: a\n    type: service\n    request:\n      url: x\n"
        "      json: !!binary aGVsbG8=\n",
        "dialog: d\nnodes:\n  - id: a\n    type: message\n    text: x\n    1: 2\n",
        "? [a]\n: b\n",
    ],
)
def test_bad_input_never_escapes_as_a_traceback(text):
    with pytest.raises(DefinitionError) as info:
        load_dialog(text, "bot/d.yaml")
    assert info.value.problems
    assert all(p.line >= 1 for p in info.value.problems)


# -- many files ---------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml_text(text))
    return path


GREET = """
dialog: {id}
nodes:
  - id: hello
    type: message
    text: Hello
"""


def test_folders_are_searched_recursively_in_sorted_order(tmp_path):
    write(tmp_path / "dialogs" / "b.yaml", GREET.format(id="bravo"))
    write(tmp_path / "dialogs" / "a" / "z.yaml", GREET.format(id="alpha"))
    write(tmp_path / "dialogs" / "notes.txt", "not a dialog")
    write(tmp_path / "dialogs" / ".hidden" / "x.yaml", "broken: [")
    write(tmp_path / "dialogs" / ".swap.yaml", "broken: [")
    extra = write(tmp_path / "extra.yaml", GREET.format(id="charlie"))
    dialogs = load_dialogs([tmp_path / "dialogs", str(extra)])
    assert [d.id for d in dialogs] == ["alpha", "bravo", "charlie"]
    assert dialogs[0].file == str(tmp_path / "dialogs" / "a" / "z.yaml")


def test_problems_of_all_files_come_together(tmp_path):
    write(
        tmp_path / "a.yaml",
        """
        dialog: alpha
        nodes:
          - id: hello
            type: mesage
            text: Hello
        """,
    )
    write(tmp_path / "b.yaml", "dialog: bravo\nnodes: [\n")
    write(tmp_path / "c.yaml", GREET.format(id="charlie"))
    with pytest.raises(DefinitionError) as info:
        load_dialogs([tmp_path])
    found = [(Path(p.file).name, p.line) for p in info.value.problems]
    assert found == [("a.yaml", 4), ("b.yaml", 3)]
    assert "did you mean 'message'?" in info.value.problems[0].message
    assert str(info.value).startswith(f"{tmp_path / 'a.yaml'}:4: unknown node type 'mesage'")


def test_duplicate_dialog_ids_name_both_files(tmp_path):
    first = write(tmp_path / "a.yaml", GREET.format(id="greet"))
    second = write(
        tmp_path / "b.yaml", "# the same id again\n" + yaml_text(GREET.format(id="greet"))
    )
    with pytest.raises(DefinitionError) as info:
        load_dialogs([tmp_path])
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(second), 2)
    assert problem.message == (
        f"dialog id 'greet' is already used by {first}:1; dialog ids must be unique across the bot"
    )


def test_missing_paths_empty_folders_and_bad_encodings(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "latin1.yaml").write_bytes(b"dialog: d\nnodes:\n  - text: caf\xe9\n")
    with pytest.raises(DefinitionError) as info:
        load_dialogs([tmp_path / "missing", tmp_path / "empty", tmp_path / "latin1.yaml"])
    assert [(Path(p.file).name, p.line, p.message) for p in info.value.problems] == [
        ("empty", 0, "no *.yaml dialog files in this folder"),
        ("latin1.yaml", 3, "the file is not UTF-8 text; save it as UTF-8"),
        ("missing", 0, "no such file or folder"),
    ]


def test_the_same_file_named_twice_is_loaded_once(tmp_path):
    path = write(tmp_path / "a.yaml", GREET.format(id="greet"))
    assert [d.id for d in load_dialogs([path, tmp_path])] == ["greet"]


def test_the_repository_example_dialogs_load():
    root = Path(__file__).resolve().parents[3] / "dialogs"
    dialogs = load_dialogs([root])
    assert {d.id for d in dialogs} >= {"book_demo", "order_pizza"}


def test_transcripts_beside_the_dialogs_are_not_read_as_dialogs(tmp_path):
    (tmp_path / "hello.yaml").write_text(
        "dialog: hello\nnodes:\n  - id: hi\n    type: message\n    text: Hi.\n"
    )
    (tmp_path / "hello.transcript.yaml").write_text("steps:\n  - user: hi\n  - bot: Hi.\n")
    assert [d.id for d in load_dialogs([tmp_path])] == ["hello"]
