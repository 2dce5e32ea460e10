"""`parley validate` on mutated bots: every answer is OK or `FILE:LINE: message` lines, never a
traceback.

Valid dialog files (the repository's, and the examples of the tests) and config files are
mutated a few times each, at the level of their YAML structure (a key deleted, renamed with a
typo, a value of another type, a node duplicated, deep nesting, a lone surrogate, a huge text)
and at the level of their text (lines deleted, duplicated, swapped, indented, truncated; odd
characters, tabs, NUL, bytes that are not UTF-8; explicit tags, aliases). Each mutated bot is
validated in process; a few through the installed `parley` command. The number of examples is
bounded so that CI stays fast; PARLEY_FUZZ_EXAMPLES raises it for a longer hunt.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.cli import main
from runtime.dialogs.reading.wording import plain
from runtime.yaml_lines import LineLoader
from tests.runtime.dialogs.test_loader import SPEC_EXAMPLE

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "0")) or None

# What a dialog file may use that the repository's dialogs do not.
EXTRA_DIALOG = """\
dialog: extra
start: ask
intents: [do the extra thing]
not_intents: [extra words]
synonyms: {thing: [stuff]}
amend_words: {colour: [shade]}
nodes:
  - id: intro
    type: message
    messages: ["Hello {{ user.id }}", "Again"]
    buttons: [Go, {label: Docs, url: "https://x.test/{{ session.id }}"}]
    next: end
  - id: ask
    type: entity
    entity: colour
    entity_type: regex
    pattern: "[a-z]+"
    extract: ["in {value}"]
    error_prompt: [Again?, Once more?]
    validate: {when: "value != 'x'", error: "{{ value }} is not allowed"}
    prompt: Colour?
    set: {entities.shade: "entities.colour ~ '!'", count: 1}
  - id: call
    type: service
    auth: salesforce
    request:
      method: POST
      url: "https://x.test/{{ entities.colour }}"
      headers: {X-Colour: "{{ entities.colour }}"}
      query: {q: "{{ entities.shade }}"}
      json: {Colour: "{{ entities.colour }}", Tags: [a, 1, true, null]}
      timeout: 5
    verify:
      url: "https://x.test/check/{{ call.request.json.Colour }}"
      found: response.body.total > 0
    idempotency_key: {header: X-Key, value: "{{ session.id }}-{{ entities.colour }}"}
    on_error: sorry
    on_auth_failure: sorry
    on_unknown: sorry
    progress: Working...
    next:
      - when: response.status == 201
        to: done
      - to: sorry
  - id: done
    type: message
    text: "Done: {{ nodes.call.response.body.id }}"
    next: end
  - id: sorry
    type: message
    text: Sorry.
"""

DIALOGS = {
    **{p.name: p.read_text() for p in sorted((ROOT / "dialogs").glob("*.yaml"))},
    **{p.name: p.read_text() for p in sorted((ROOT / "dialogs" / "salesforce").glob("*.yaml"))},
    "spec_example.yaml": SPEC_EXAMPLE.lstrip("\n"),
    "extra.yaml": EXTRA_DIALOG,
}

RICH_CONFIG = """\
bot: {name: Rich bot, locale: en-GB, timezone: Europe/London, currency: eur}
dialogs: [dialogs/]
server: {host: 0.0.0.0, port: "8081", public_url: "https://bot.example.com/"}
store: {url: "sqlite:///var/parley.db"}
secrets: {key: "${PARLEY_FUZZ_UNSET:-}"}
channels:
  websocket: {enabled: true, allowed_origins: ["https://a.example.com"]}
  webhook: {enabled: true, secret: s3cret, mode: async, callback_url: "https://cb.example.com/"}
  web: {enabled: "yes"}
integrations:
  salesforce: {enabled: true, app: custom, mode: per_user, auth_profile: crm, api_version: 61}
auth_profiles:
  crm:
    identity_provider: Salesforce
    client_id: ${PARLEY_FUZZ_UNSET:-the-id}
    client_secret: x
    authorization_url: https://login.example.com/authorize
    token_url: https://login.example.com/token
    scope: full refresh_token
    extra_params: {prompt: consent, max_age: 60}
  salesforce:
    client_id: abc
    client_secret: def
    authorization_url: https://login.example.com/authorize
    token_url: https://login.example.com/token
globals:
  company: {name: Acme, phones: ["+1 415 555 0100"]}
conversation:
  cancel_words: [cancel, stop]
  restart_words: start over
  intent_threshold: 40
  interruptions: ask
  max_held: 2
  small_talk:
    greeting: Hello there!
    thanks: false
    help: {text: "I can help.", utterances: [what can you do]}
synonyms:
  lead: [prospect]
"""

CONFIGS = {"repository": (ROOT / "config.yaml").read_text(), "rich": RICH_CONFIG}

# -- mutations ----------------------------------------------------------------------------------


def nested(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


ODD_VALUES = [
    0,
    -1,
    10**40,
    1.5,
    float("inf"),
    float("nan"),
    True,
    False,
    None,
    [],
    {},
    [1, [2, {"a": None}]],
    {"a": {"b": [1]}},
    "",
    " ",
    "end",
    "x" * 100_000,
    "\ud800",  # dumped escaped, as "\uD800": a lone surrogate once read
    "a\x00b",  # dumped escaped, as "\0"
    "{{ entities.",
    "{% if %}",
    # templates that Jinja would compute or recurse on while compiling
    "{{ 'a' * 10**10 }}",
    "{{ 'a' | center(999999999) }}",
    "{{ " + "9" * 5000 + " }}",
    "{{ " + "(" * 500 + "x" + ")" * 500 + " }}",
    "{{ x" + ".a" * 3000 + " }}",
    "{% if x %}" * 300 + "{% endif %}" * 300,
    "}}",
    "nodes.nowhere.response",
    "${PARLEY_FUZZ_UNSET}",
    "${",
    "for {value:middle}",
    "[a-",
    "a{99999999999}",
    "(" * 1000 + ")" * 1000,
    "America",
    "2026-01-01",
    "0x1F",
    "ü\u2028",
    nested(40),
    nested(110),
]

KEYS = [
    *("id", "type", "next", "to", "when", "set", "prompt", "text", "messages", "request"),
    *("url", "method", "json", "verify", "found", "entity", "entity_type", "values", "pattern"),
    *("extract", "buttons", "label", "value", "retries", "on_failure", "interruptions"),
    *("amend_words", "synonyms", "intents", "not_intents", "start", "dialog", "nodes", "auth"),
    *("idempotency_key", "validate", "error", "error_prompt", "optional", "on_unknown"),
    *("bot", "server", "port", "dialogs", "store", "channels", "webhook", "mode", "globals"),
    *("auth_profiles", "conversation", "small_talk", "integrations", "salesforce", "enabled"),
]

SNIPPETS = [
    "k: !!bool maybe",
    "k: !!timestamp 2001-13-40",
    "k: !!float abc",
    "k: !!int ''",
    "k: !!map x",
    "k: !!seq x",
    "k: !!binary ***",
    "k: !!set {a, b}",
    "k: !!python/object:os.system x",
    "k: &a [*a]",
    "k: &x {a: 1}",
    "<<: *x",
    "<<: 1",
    "k: *nowhere",
    "k: " + "9" * 5000,
    "? [a, b]\n: 1",
    "k: |\n  a\n b",
    "---",
    "%YAML 1.1",
    "k: " + "[" * 3000 + "]" * 3000,
    "k: " + "{a: " * 2000 + "1" + "}" * 2000,
    "- " * 500 + "x",
    # an alias bomb (3**13 values), and a chain of 400 aliases each inside the next
    "a0: &a0 [x, x, x]\n"
    + "\n".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 14)),
    "c0: &c0 [x]\n" + "\n".join(f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, 400)),
]

APPENDED = ["{{ x }}", "}}", "\ud800", "\t", "\n- x"]
ODD_TEXT = ":-[]{}&*!|>'\"%@`#,?\t\x00\x07\x85\u2028\ufeff\\ é${}\n"


def paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*at, index))
    return found


def typo(draw: st.DrawFn, word: str) -> str:
    if not word:
        return "x"
    i = draw(st.integers(0, len(word) - 1))
    return draw(
        st.sampled_from(
            [word[:i] + word[i + 1 :], word[:i] + "x" + word[i:], word[:i] + "_" + word[i + 1 :]]
        )
    )


def mutate_structure(draw: st.DrawFn, data: Any) -> Any:
    at = draw(st.sampled_from(paths(data)))
    if not at:
        return draw(st.sampled_from(ODD_VALUES))
    parent = data
    for step in at[:-1]:
        parent = parent[step]
    last = at[-1]
    op = draw(st.sampled_from(["delete", "replace", "duplicate", "rename", "add", "append"]))
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    elif op == "rename" and isinstance(parent, dict):
        value = parent.pop(last)
        new = draw(st.one_of(st.sampled_from(KEYS), st.just(typo(draw, str(last)))))
        parent[new] = value
    elif op == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from(KEYS))] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
    else:
        parent[last] = f"{parent[last]}{draw(st.sampled_from(APPENDED))}"
    return data


def mutate_text(draw: st.DrawFn, text: str) -> str | bytes:
    lines = text.split("\n")
    i = draw(st.integers(0, len(lines) - 1))
    at = draw(st.integers(0, len(text)))
    op = draw(
        st.sampled_from(
            [
                "delete_line",
                "duplicate_line",
                "swap_lines",
                "insert_chars",
                "truncate",
                "indent",
                "dedent",
                "tab",
                "nul",
                "not_utf8",
                "snippet",
            ]
        )
    )
    if op == "delete_line":
        del lines[i]
    elif op == "duplicate_line":
        lines.insert(i, lines[i])
    elif op == "swap_lines":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "insert_chars":
        return text[:at] + draw(st.text(alphabet=ODD_TEXT, min_size=1, max_size=6)) + text[at:]
    elif op == "truncate":
        return text[:at]
    elif op == "indent":
        lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
    elif op == "dedent":
        lines[i] = lines[i][draw(st.integers(1, 3)) :]
    elif op == "tab":
        lines[i] = lines[i].replace("  ", "\t", 1) if "  " in lines[i] else "\t" + lines[i]
    elif op == "nul":
        return text[:at] + "\x00" + text[at:]
    elif op == "not_utf8":
        data = text.encode()
        cut = draw(st.integers(0, len(data)))
        return data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + data[cut:]
    else:
        indent = " " * draw(st.sampled_from([0, 2, 4, 6]))
        lines.insert(i, indent + draw(st.sampled_from(SNIPPETS)))
    return "\n".join(lines)


@st.composite
def mutated(draw: st.DrawFn, text: str, loader: type[yaml.SafeLoader]) -> bytes:
    """`text` after one to four mutations, as the bytes written to the file."""
    content: str | bytes = text
    for _ in range(draw(st.integers(1, 4))):
        if isinstance(content, bytes):  # not UTF-8 any more: bytes are inserted, not parsed
            break
        if draw(st.booleans()):
            try:
                data = plain(yaml.load(content, Loader=loader))
            except Exception:  # the text is no YAML that the loader can read any more
                continue
            if data is None:
                continue
            data = mutate_structure(draw, data)
            width = draw(st.sampled_from([80, 10**6]))
            content = yaml.safe_dump(data, sort_keys=False, width=width, allow_unicode=True)
        else:
            content = mutate_text(draw, content)
    if isinstance(content, bytes):
        return content
    return content.encode("utf-8", "surrogatepass")  # a lone surrogate left as is: not UTF-8


@dataclass
class Bot:
    config: bytes
    dialogs: dict[str, bytes]


@st.composite
def bots(draw: st.DrawFn) -> Bot:
    names = draw(st.lists(st.sampled_from(sorted(DIALOGS)), min_size=1, max_size=2, unique=True))
    config = CONFIGS[draw(st.sampled_from(sorted(CONFIGS)))]
    dialogs = {name: DIALOGS[name].encode() for name in names}
    targets = draw(st.sampled_from(["dialog", "config", "both"]))
    if targets in ("dialog", "both"):
        name = draw(st.sampled_from(names))
        dialogs[name] = draw(mutated(DIALOGS[name], LineLoader))
    config_bytes = config.encode()
    if targets in ("config", "both"):
        config_bytes = draw(mutated(config, yaml.SafeLoader))
    return Bot(config_bytes, dialogs)


# -- the check ----------------------------------------------------------------------------------

SUMMARY = re.compile(r"\d+ problem\(s\) found\.")


def write(bot: Bot, folder: Path) -> Path:
    (folder / "dialogs").mkdir()
    for name, data in bot.dialogs.items():
        (folder / "dialogs" / name).write_bytes(data)
    (folder / "config.yaml").write_bytes(bot.config)
    return folder / "config.yaml"


def check_answer(code: int, out: str, err: str, folder: Path) -> None:
    assert "Traceback" not in out + err, err
    assert code in (0, 1), err
    if code == 0:
        assert out.startswith("OK"), out
        assert err == ""
        return
    lines = err.splitlines()
    assert lines and SUMMARY.fullmatch(lines[-1]), err
    assert int(lines[-1].split()[0]) == len(lines) - 1, err
    for line in lines[:-1]:
        where = re.match(r"(.+?):(\d+): \S", line)
        assert where, f"not FILE:LINE: message: {line!r}"
        assert where.group(1).startswith(str(folder)), f"not a file of the bot: {line!r}"
        assert int(where.group(2)) >= 1, f"no line: {line!r}"


def validate_in_process(config: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", "--config", str(config)])
    return code, out.getvalue(), err.getvalue()


# Mutated bots are large and some take a while to validate: that is the point.
SLOW_AND_LARGE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


@settings(
    max_examples=EXAMPLES or 200,
    deadline=None,
    suppress_health_check=SLOW_AND_LARGE,
    derandomize=EXAMPLES is None,  # CI runs the same examples every time
)
@given(bots())
def test_validate_answers_every_mutated_bot_with_lines_or_ok(bot: Bot) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = write(bot, Path(tmp))
        code, out, err = validate_in_process(config)
        check_answer(code, out, err, Path(tmp))


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=SLOW_AND_LARGE)
@given(bots())
def test_the_installed_command_answers_mutated_bots_the_same_way(bot: Bot) -> None:
    parley = Path(sys.executable).parent / "parley"
    assert parley.exists(), "the README's test command installs `parley`: install it first"
    with tempfile.TemporaryDirectory() as tmp:
        config = write(bot, Path(tmp))
        done = subprocess.run(
            [str(parley), "validate", "--config", str(config)],
            cwd=tmp,
            capture_output=True,
            text=True,
            errors="backslashreplace",
            timeout=120,
        )
        check_answer(done.returncode, done.stdout, done.stderr, Path(tmp))


# -- what the fuzz test found, each as an example ------------------------------------------------

MINIMAL = "dialog: d\nnodes:\n  - id: hi\n    type: message\n    text: Hi.\n"
CHAIN = "c0: &c0 [x]\n" + "".join(f"c{i}: &c{i} [*c{i - 1}]\n" for i in range(1, 440))
LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
)
REGEX = (
    "dialog: d\nnodes:\n  - id: code\n    type: entity\n    entity_type: regex\n"
    "    pattern: '{pattern}'\n    prompt: Code?\n"
)
DEEP = "[" * 3000 + "]" * 3000
TOO_DEEP = (
    "lists and mappings are nested more than 100 deep here (counting what aliases refer to); "
    "no Parley file needs that many levels"
)
NUL = "the file holds the character U+0000 (NUL), which YAML does not allow; remove it"
TOO_MANY = "the file holds more than 100000 values once its aliases are expanded"


def validate_bot(
    folder: Path,
    *,
    config: str | bytes = "dialogs: [dialogs/]\n",
    dialog: str | bytes = MINIMAL,
    paths: tuple[str, ...] = (),
) -> tuple[int, list[str]]:
    """`parley validate` on a bot of one dialog: the exit code and the stderr lines, with the
    bot's folder left out of the file names."""
    (folder / "dialogs").mkdir()
    (folder / "dialogs" / "d.yaml").write_bytes(
        dialog.encode("utf-8", "surrogatepass") if isinstance(dialog, str) else dialog
    )
    (folder / "config.yaml").write_bytes(config.encode() if isinstance(config, str) else config)
    out, err = io.StringIO(), io.StringIO()
    args = ["validate", "--config", str(folder / "config.yaml"), *paths]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    check_answer(code, out.getvalue(), err.getvalue(), folder)
    return code, [line.replace(f"{folder}{os.sep}", "") for line in err.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("dialog", "expected"),
    [
        # yaml's ReaderError: a traceback-free but two-line message at line 1
        pytest.param(MINIMAL.replace("Hi.", "H\x00i."), f"5: {NUL}", id="nul"),
        # explicit tags whose constructor raised KeyError, AttributeError or ValueError
        pytest.param(
            MINIMAL + "    set: {x: !!bool maybe}\n",
            "6: could not parse YAML: cannot read 'maybe' as !!bool; fix the value or remove "
            "the tag",
            id="bool-tag",
        ),
        pytest.param(
            MINIMAL.replace("Hi.", "!!timestamp 2001-13-40"),
            "5: could not parse YAML: cannot read '2001-13-40' as !!timestamp; fix the value or "
            "remove the tag",
            id="timestamp-tag",
        ),
        pytest.param(
            MINIMAL.replace("Hi.", "!!float abc"),
            "5: could not parse YAML: cannot read 'abc' as !!float; fix the value or remove the "
            "tag",
            id="float-tag",
        ),
        pytest.param(
            MINIMAL.replace("Hi.", "!!seq x"),
            "5: could not parse YAML: cannot read 'x' as !!seq; fix the value or remove the tag",
            id="seq-tag",
        ),
        pytest.param(
            "!!map x\n",
            "1: could not parse YAML: cannot read 'x' as !!map; fix the value or remove the tag",
            id="map-tag",
        ),
        # nesting: a RecursionError in the loader's own walks over the values
        pytest.param(MINIMAL + f"    set: {{x: {DEEP}}}\n", f"6: {TOO_DEEP}", id="deep"),
        pytest.param(CHAIN + MINIMAL, f"100: {TOO_DEEP}", id="alias-chain"),
        pytest.param(LAUGHS + MINIMAL, f"5: {TOO_MANY}", id="alias-bomb"),
        # templates: Jinja's own ValueError and RecursionError while compiling
        pytest.param(
            MINIMAL.replace("Hi.", '"{{ ' + "9" * 5000 + ' }}"'),
            "5: `text` of node 'hi' does not compile: a number in it is too long",
            id="long-number",
        ),
        pytest.param(
            MINIMAL.replace("Hi.", '"{{ ' + "(" * 500 + "x" + ")" * 500 + ' }}"'),
            "5: `text` of node 'hi' does not compile: it is nested too deeply",
            id="nested-template",
        ),
        pytest.param(
            MINIMAL.replace("Hi.", '"{{ x' + ".a" * 3000 + ' }}"'),
            "5: `text` of node 'hi' does not compile: it is nested too deeply",
            id="long-template-chain",
        ),
        # re.compile's OverflowError and RecursionError for an entity's `pattern`
        pytest.param(
            REGEX.format(pattern="a{99999999999}"),
            "6: `pattern` in entity node 'code' is not a valid regular expression: the "
            "repetition number is too large",
            id="regex-repeat",
        ),
        pytest.param(
            REGEX.format(pattern="(" * 1000 + ")" * 1000),
            "6: `pattern` in entity node 'code' is not a regular expression Python can compile: "
            "its groups are nested too deeply",
            id="regex-nested",
        ),
    ],
)
def test_a_dialog_that_crashed_validate_is_a_problem_at_its_line(tmp_path, dialog, expected):
    assert validate_bot(tmp_path, dialog=dialog) == (
        1,
        [f"dialogs/d.yaml:{expected}", "1 problem(s) found."],
    )


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'a' * 10**10 }}",
        "{{ 'a' | center(999999999) }}",
        "{% autoescape 'a' | center(999999999) %}x{% endautoescape %}",
    ],
)
def test_templates_are_not_computed_while_validating(tmp_path, text):
    # Jinja folded these constants while compiling: minutes and gigabytes, or a MemoryError.
    dialog = MINIMAL.replace("Hi.", f'"{text}"')
    assert validate_bot(tmp_path, dialog=dialog) == (0, [])


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # yaml's ReaderError, raised before the config reader's try
        pytest.param('dialogs: [dialogs/]\nbot: {name: "a\x00b"}\n', f"2: {NUL}", id="nul"),
        # RecursionError (nesting, an alias inside itself); an alias bomb never finished
        pytest.param(f"dialogs: [dialogs/]\nglobals: {{x: {DEEP}}}\n", f"2: {TOO_DEEP}", id="deep"),
        pytest.param(
            "dialogs: [dialogs/]\nglobals: {x: &a [*a]}\n",
            "2: a YAML alias refers to a value that contains it",
            id="alias-cycle",
        ),
        pytest.param(
            "dialogs: [dialogs/]\nglobals:\n" + "".join(f"  {row}\n" for row in LAUGHS.split("\n")),
            f"7: {TOO_MANY}",
            id="alias-bomb",
        ),
        # explicit tags and long numbers: KeyError, AttributeError, ValueError
        pytest.param(
            "dialogs: [dialogs/]\nchannels: {web: {enabled: !!bool maybe}}\n",
            "2: channels.web.enabled: cannot read 'maybe' as !!bool; fix the value or remove "
            "the tag",
            id="bool-tag",
        ),
        pytest.param(
            "dialogs: [dialogs/]\nbot: {name: !!timestamp x}\n",
            "2: bot.name: cannot read 'x' as !!timestamp; fix the value or remove the tag",
            id="timestamp-tag",
        ),
        pytest.param(
            "dialogs: [dialogs/]\nserver: {port: " + "9" * 5000 + "}\n",
            "2: server.port: cannot read '9999999999999999999999999999999999999...' as a whole "
            "number",
            id="long-number",
        ),
        # ZoneInfo's OSError for a folder of zones or a name too long: "parley: Is a directory"
        pytest.param(
            "dialogs: [dialogs/]\nbot: {timezone: America}\n",
            "2: bot.timezone: unknown time zone 'America' (an IANA name such as UTC)",
            id="timezone-folder",
        ),
        pytest.param(
            "dialogs: [dialogs/]\nbot: {timezone: " + "x" * 300 + "}\n",
            f"2: bot.timezone: unknown time zone '{'x' * 300}' (an IANA name such as UTC)",
            id="timezone-too-long",
        ),
        # no line: "config.yaml: not UTF-8 text (byte 33)"
        pytest.param(
            b"dialogs: [dialogs/]\nbot:\n  name: \xff\n",
            "3: not UTF-8 text (byte 33); save it as UTF-8",
            id="not-utf8",
        ),
    ],
)
def test_a_config_that_crashed_validate_is_a_problem_at_its_line(tmp_path, config, expected):
    assert validate_bot(tmp_path, config=config) == (
        1,
        [f"config.yaml:{expected}", "1 problem(s) found."],
    )


def test_a_dialogs_path_of_config_yaml_that_is_wrong_is_reported_at_its_line(tmp_path):
    # Was "FOLDER/nowhere:0: no such file or folder", and "parley: File name too long: ..."
    # (an OSError from the file search) for a path too long.
    long = "x" * 5000
    code, lines = validate_bot(
        tmp_path, config=f"bot: {{name: x}}\ndialogs:\n  - dialogs/\n  - nowhere/\n  - {long}\n"
    )
    assert (code, lines) == (
        1,
        [
            # (the bot's folder is left out of the paths by validate_bot)
            "config.yaml:4: dialogs: 'nowhere': no such file or folder",
            f"config.yaml:5: dialogs: '{long}': cannot be read: File name too long",
            "2 problem(s) found.",
        ],
    )


# -- nothing stops the checks early -------------------------------------------------------------


def test_a_dialog_with_problems_is_still_checked_against_config_yaml(tmp_path):
    # Was: the template problem alone; the auth profile and the synonym shared with
    # config.yaml were checked only once the dialogs had no problem left.
    dialog = (
        "dialog: d\nsynonyms: {firm: [company]}\nnodes:\n"
        "  - id: call\n    type: service\n    auth: crm\n    request: {url: '{{ nope }}'}\n"
    )
    code, lines = validate_bot(
        tmp_path,
        config="dialogs: [dialogs/]\nsynonyms: {organisation: [company]}\n",
        dialog=dialog,
    )
    assert code == 1
    assert lines == [
        "dialogs/d.yaml:2: synonym 'company' is mapped to 'firm' here and to 'organisation' at "
        "config.yaml:2; a synonym has one canonical word: remove one of them",
        "dialogs/d.yaml:6: node 'call' uses auth profile 'crm', which config.yaml does not "
        "define; known profiles: salesforce",
        "dialogs/d.yaml:7: `request.url` of node 'call' reads 'nope', which is not defined; "
        "templates can read entities, nodes, response, value, vars, auth, user, session, "
        "globals, held",
        "3 problem(s) found.",
    ]


def test_dialogs_named_on_the_command_line_are_checked_even_when_config_yaml_is_wrong(tmp_path):
    code, lines = validate_bot(
        tmp_path,
        config="server: {port: abc}\n",
        dialog=MINIMAL.replace("Hi.", "'{{ nope }}'"),
        paths=(str(tmp_path / "dialogs"),),
    )
    assert code == 1
    assert lines[0] == "config.yaml:1: server.port: expected a whole number, got 'abc'"
    assert lines[1].startswith("dialogs/d.yaml:5: `text` of node 'hi' reads 'nope'")
    assert lines[2] == "2 problem(s) found."


def test_names_with_line_breaks_are_quoted_on_one_line(tmp_path):
    # Was: "... did you mean entities.email" and "x?" on the next line, a line without
    # FILE:LINE (a node id, so its entity, with a line break; a key of config.yaml too).
    dialog = (
        'dialog: d\nnodes:\n  - id: "email\\nx"\n    type: entity\n    prompt: Email?\n'
        "  - id: thanks\n    type: message\n    text: '{{ entities.email }}'\n"
    )
    code, lines = validate_bot(
        tmp_path,
        config='dialogs: [dialogs/]\n"bo\\u2028t": {name: x}\n',
        dialog=dialog,
        paths=(str(tmp_path / "dialogs"),),
    )
    assert (code, lines) == (
        1,
        [
            "config.yaml:2: bo\\u2028t: unknown key (did you mean 'bot'?)",
            "dialogs/d.yaml:3: node id 'email\\nx' must start with a lower-case letter and use "
            "only a-z, 0-9 and _",
            "dialogs/d.yaml:8: `text` of node 'thanks' reads entities.email, but dialog 'd' has "
            "no entity 'email'; did you mean entities.email\\nx?",
            "3 problem(s) found.",
        ],
    )
