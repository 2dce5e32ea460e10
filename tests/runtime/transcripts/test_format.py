"""The transcript format: every step kind read into the model; every mistake at its line."""

from __future__ import annotations

import textwrap

import pytest

from runtime.errors import DefinitionError
from runtime.transcripts import find_transcripts, load_transcript, parse_transcript
from runtime.transcripts.model import (
    UNSET,
    Authorize,
    BotSays,
    ExpectNoMore,
    ExpectState,
    StubReply,
    UserSays,
)

FILE = "t.transcript.yaml"


def parse(text: str):
    return parse_transcript(textwrap.dedent(text).lstrip(), FILE)


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


def test_every_step_kind_is_read_with_its_line():
    t = parse(
        """
        name: all kinds
        user_id: alice
        fixtures:
          dialog: create_lead
          entities: {company: Acme}
          globals: {crm_url: "http://crm.test"}
        stubs:
          create: {status: 201, body: {id: 00Q1}, headers: {Location: /x}}
          create_lead.lookup:
            - {status: 404}
            - {error: connection refused}
        steps:
          - user: create a lead
          - bot: What is the lead's last name?
          - bot: {match: "Which .*", buttons: [Yes, "No"]}
          - bot: {contains: email}
          - bot: {auth_link: salesforce, contains: connect}
          - user: 42
          - authorize: salesforce
          - deny: salesforce
          - expect_no_more: true
          - expect: {dialog: create_lead, node: email, entities: {company: Acme}, vars: {n: 1}}
          - expect: {dialog: null}
        """
    )
    assert (t.name, t.user_id, t.file) == ("all kinds", "alice", FILE)
    steps = t.steps
    assert steps[0] == UserSays(13, "create a lead")
    assert steps[1] == BotSays(14, text="What is the lead's last name?")
    assert steps[2].match.pattern == "Which .*" and steps[2].buttons == ("Yes", "No")
    assert steps[3] == BotSays(16, contains="email")
    assert steps[4] == BotSays(17, contains="connect", auth_link="salesforce")
    assert steps[5] == UserSays(18, "42")  # a number the user types is text
    assert steps[6] == Authorize(19, "salesforce", allow=True)
    assert steps[7] == Authorize(20, "salesforce", allow=False)
    assert steps[8] == ExpectNoMore(21)
    expect = steps[9]
    assert isinstance(expect, ExpectState)
    assert (expect.dialog, expect.node, expect.status) == ("create_lead", "email", None)
    assert (expect.entities, expect.vars) == ({"company": "Acme"}, {"n": 1})
    assert steps[10].dialog is None and steps[10].node is UNSET
    assert t.fixtures.dialog == "create_lead"
    assert t.fixtures.entities == {"company": "Acme"}
    assert t.fixtures.globals == {"crm_url": "http://crm.test"}
    create, lookup = t.stubs
    assert (create.dialog, create.node, create.line) == (None, "create", 8)
    assert create.replies == (StubReply(201, {"id": "00Q1"}, (("Location", "/x"),)),)
    assert (lookup.dialog, lookup.node) == ("create_lead", "lookup")
    assert lookup.replies == (StubReply(404), StubReply(error="connection refused"))


def test_the_name_defaults_to_the_file_name():
    t = parse_transcript("steps:\n  - user: hi\n", "tests/create_a_lead.transcript.yaml")
    assert t.name == "create a lead"
    assert t.user_id == ""


def test_mistakes_are_all_reported_with_their_lines():
    found = problems(
        """
        name: broken
        colour: blue
        steps:
          - usr: hello
          - bot: {match: "(", contains: x}
          - bot: {text: a, shout: b}
          - bot: [a, b]
          - user: {text: hi}
          - user: a
            bot: b
          - expect_no_more: false
          - expect: {dialog: d, mood: happy, status: sleeping}
          - expect: {}
          - authorize: {profile: x}
        stubs:
          book: {status: 999}
          send: {error: refused, status: 500}
          nothing: "ok"
        fixtures: [1]
        """
    )
    assert found == [
        f"{FILE}:2: unknown key 'colour' in a transcript (known: name, user_id, steps, fixtures, "
        "stubs)",
        f"{FILE}:4: unknown step 'usr' (did you mean 'user'?)",
        f"{FILE}:5: `match` is not a regular expression: missing ), unterminated subpattern at "
        "position 0",
        f"{FILE}:5: use one of `text`, `match` and `contains` in a `bot` step, not "
        "['match', 'contains']",
        f"{FILE}:6: unknown key 'shout' in a `bot` step (known: text, match, contains, "
        "auth_link, buttons, cards)",
        f"{FILE}:7: `bot` must be the exact text, or a mapping of text, match, contains, "
        "auth_link, buttons, cards; got a list",
        f"{FILE}:8: `user` must be what the user says, got a mapping",
        f"{FILE}:9: step 6 must be one of `user`, `bot`, `authorize`, `deny`, `expect_no_more`, "
        "`expect`, `restart` (one key), got 2 keys",
        f"{FILE}:11: `expect_no_more` takes true, got False",
        f"{FILE}:12: `status` must be one of idle, active, waiting, parked, got 'sleeping'",
        f"{FILE}:12: unknown key 'mood' in an `expect` step (known: dialog, node, status, "
        "entities, vars, held, intent)",
        f"{FILE}:13: `expect` names nothing to check; use some of ('dialog', 'node', 'status', "
        "'entities', 'vars', 'held', 'intent')",
        f"{FILE}:14: `authorize` must name an auth profile, got a mapping",
        f"{FILE}:16: stub 'book': `status` must be an HTTP status (100-599), got 999",
        f"{FILE}:17: stub 'send': `error` (a transport failure) has no status",
        f"{FILE}:18: stub 'nothing' must be a mapping of status, body, headers, error, "
        "unknown, got 'ok'",
        f"{FILE}:19: `fixtures` of the transcript must be a mapping, got a list",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", f"{FILE}:1: the file is empty; a transcript needs `steps`"),
        ("- user: hi\n", f"{FILE}:1: a transcript must be a mapping with `steps`, got a list"),
        ("name: x\n", f"{FILE}:1: the transcript has no `steps`; list the conversation under it"),
        ("steps: []\n", f"{FILE}:1: `steps` must list the conversation, got an empty list"),
        (
            "steps:\n  - user: hi\n  - bot: {text: a\n",
            f"{FILE}:4: could not parse YAML: expected ',' or '}}', but got '<stream end>' "
            "(while parsing a flow mapping at line 3)",
        ),
        (
            "name: a\nname: b\nsteps:\n  - user: hi\n",
            f"{FILE}:2: duplicate key 'name' (first at line 1); keep only one of them",
        ),
    ],
)
def test_malformed_files(text, expected):
    with pytest.raises(DefinitionError) as caught:
        parse_transcript(text, FILE)
    assert [str(p) for p in caught.value.problems] == [expected]


def test_files_are_found_in_folders_and_missing_paths_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.transcript.yaml").write_text("steps:\n  - user: hi\n")
    (tmp_path / "a" / "dialog.yaml").write_text("dialog: x\n")
    (tmp_path / "a" / ".hidden").mkdir()
    (tmp_path / "a" / ".hidden" / "two.transcript.yaml").write_text("steps:\n  - user: hi\n")
    (tmp_path / "empty").mkdir()
    files, missing = find_transcripts([tmp_path / "a", tmp_path / "empty", tmp_path / "nope"])
    assert files == [tmp_path / "a" / "one.transcript.yaml"]
    assert [str(p) for p in missing] == [
        f"{tmp_path / 'empty'}:0: no *.transcript.yaml files in this folder",
        f"{tmp_path / 'nope'}:0: no such file or folder",
    ]


def test_a_file_that_is_not_utf8_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "x.transcript.yaml"
    path.write_bytes(b"steps:\n  - user: caf\xe9\n")
    with pytest.raises(DefinitionError, match=r"x.transcript.yaml:2: the file is not UTF-8"):
        load_transcript(path)
