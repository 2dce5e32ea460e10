"""Read ``*.transcript.yaml`` files into `runtime.transcripts.model`, every mistake at its line.

Like the dialog loader, reading goes on past a mistake so an author sees all of a file's
problems at once; they are raised together as one `DefinitionError`. What needs the bot (do the
named dialogs, nodes and profiles exist?) is checked afterwards by `runtime.transcripts.checks`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runtime.engine.state import Status
from runtime.errors import DefinitionError, Problem
from runtime.files import find_files
from runtime.suggestions import did_you_mean
from runtime.transcripts.model import (
    RESTART_SERVER,
    UNSET,
    Authorize,
    BotSays,
    ExpectNoMore,
    ExpectState,
    Fixtures,
    Restart,
    Step,
    Stub,
    StubReply,
    Transcript,
    UserSays,
)
from runtime.yaml_lines import YamlError, YamlMap, YamlSeq, parse_yaml

SUFFIX = ".transcript.yaml"
FILE_KEYS = ("name", "user_id", "steps", "fixtures", "stubs")
STEP_KINDS = ("user", "bot", "authorize", "deny", "expect_no_more", "expect", "restart")
BOT_KEYS = ("text", "match", "contains", "auth_link", "buttons", "cards")
EXPECT_KEYS = ("dialog", "node", "status", "entities", "vars", "held", "intent")
FIXTURE_KEYS = ("entities", "globals", "dialog")
STUB_KEYS = ("status", "body", "headers", "error", "unknown")
STATUSES = tuple(s.value for s in Status)
NO_LINE = 0


def find_transcripts(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Every ``*.transcript.yaml`` under `paths` (files or folders, searched recursively, hidden
    folders skipped), sorted, each once; and a problem for each path that holds none."""
    problems: list[Problem] = []
    return find_files(paths, SUFFIX, problems), problems


def load_transcript(path: str | Path) -> Transcript:
    """The transcript in the file at `path`; raises `DefinitionError` naming file and line."""
    file = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        problem = Problem(file, NO_LINE, f"cannot read the file: {exc.strerror}")
        raise DefinitionError([problem]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise DefinitionError([Problem(file, line, "the file is not UTF-8 text")]) from None
    return parse_transcript(text, file)


def parse_transcript(text: str, file: str) -> Transcript:
    """The transcript in the YAML `text` of `file`; raises `DefinitionError` with every
    problem found."""
    try:
        data, duplicates = parse_yaml(text)
    except YamlError as exc:
        raise DefinitionError([Problem(file, exc.line, exc.message)]) from None
    reader = _Reader(file)
    reader.problems += [Problem(file, d.line, d.message) for d in duplicates]
    transcript = reader.read(data)
    if reader.problems or transcript is None:
        raise DefinitionError(reader.problems)
    return transcript


def default_name(file: str) -> str:
    name = Path(file).name
    return name.removesuffix(SUFFIX).removesuffix(".yaml").replace("_", " ")


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def read(self, data: Any) -> Transcript | None:
        if data is None:
            self.problem(1, "the file is empty; a transcript needs `steps`")
            return None
        if not isinstance(data, YamlMap):
            self.problem(
                getattr(data, "line", 1),
                f"a transcript must be a mapping with `steps`, got {_describe(data)}",
            )
            return None
        self.unknown_keys(data, FILE_KEYS, "a transcript")
        name = self.text(data, "name", "the transcript") or default_name(self.file)
        user_id = self.text(data, "user_id", "the transcript") or ""
        steps = self.steps(data)
        fixtures = self.fixtures(data)
        stubs = self.stubs(data)
        return Transcript(
            file=self.file,
            name=name,
            line=data.line,
            steps=tuple(steps),
            user_id=user_id,
            fixtures=fixtures,
            stubs=tuple(stubs),
        )

    # -- helpers --------------------------------------------------------------------------------

    def unknown_keys(self, data: YamlMap, known: Sequence[str], what: str) -> None:
        for key in data:
            if key not in known:
                hint = did_you_mean(str(key), known) or f"known: {', '.join(known)}"
                self.problem(data.line_of(key), f"unknown key {key!r} in {what} ({hint})")

    def text(self, data: YamlMap, key: str, what: str) -> str | None:
        """A non-empty string (a number or true/false is taken as the text it reads as)."""
        if key not in data:
            return None
        value = _as_text(data[key])
        if value is None or value == "":
            self.problem(
                data.line_of(key), f"`{key}` of {what} must be a text, got {_describe(data[key])}"
            )
            return None
        return value

    def nullable(self, data: YamlMap, key: str) -> Any:
        """`expect`'s dialog, node or intent: a text, null (none), or UNSET when not given."""
        if key not in data:
            return UNSET
        return None if data[key] is None else self.text(data, key, "`expect`")

    def mapping(self, data: YamlMap, key: str, what: str) -> YamlMap | None:
        value = data.get(key)
        if isinstance(value, YamlMap):
            return value
        self.problem(
            data.line_of(key), f"`{key}` of {what} must be a mapping, got {_describe(value)}"
        )
        return None

    # -- steps ----------------------------------------------------------------------------------

    def steps(self, data: YamlMap) -> list[Step]:
        if "steps" not in data:
            self.problem(data.line, "the transcript has no `steps`; list the conversation under it")
            return []
        seq = data["steps"]
        if not isinstance(seq, YamlSeq) or not seq:
            got = "an empty list" if isinstance(seq, list) else _describe(seq)
            self.problem(data.line_of("steps"), f"`steps` must list the conversation, got {got}")
            return []
        steps = []
        for index, raw in enumerate(seq):
            step = self.step(raw, seq.line_of(index), index + 1)
            if step is not None:
                steps.append(step)
        self.intent_after_user(steps)
        return steps

    def intent_after_user(self, steps: list[Step]) -> None:
        """`expect.intent` checks the last user message: one must come before it."""
        for step in steps:
            if isinstance(step, UserSays):
                return
            if isinstance(step, ExpectState) and step.intent is not UNSET:
                self.problem(
                    step.lines.get("intent", step.line),
                    "`intent` of `expect` checks what the last user message matched, "
                    "but no `user` step comes before it",
                )

    def step(self, raw: Any, line: int, number: int) -> Step | None:
        kinds = ", ".join(f"`{k}`" for k in STEP_KINDS)
        if not isinstance(raw, YamlMap) or len(raw) != 1:
            got = f"{len(raw)} keys" if isinstance(raw, dict) else _describe(raw)
            self.problem(line, f"step {number} must be one of {kinds} (one key), got {got}")
            return None
        ((kind, value),) = raw.items()
        line = raw.line_of(kind)
        if kind == "user":
            text = _as_text(value)
            if text is None or not text.strip():
                self.problem(line, f"`user` must be what the user says, got {_describe(value)}")
                return None
            return UserSays(line, text)
        if kind == "bot":
            return self.bot(value, line)
        if kind in ("authorize", "deny"):
            profile = _as_text(value)
            if not profile:
                self.problem(line, f"`{kind}` must name an auth profile, got {_describe(value)}")
                return None
            return Authorize(line, profile, allow=kind == "authorize")
        if kind == "expect_no_more":
            if value is not True:
                self.problem(line, f"`expect_no_more` takes true, got {_describe(value)}")
                return None
            return ExpectNoMore(line)
        if kind == "expect":
            return self.expect(raw, line)
        if kind == "restart":
            if value is not True and value != RESTART_SERVER:
                self.problem(
                    line, f"`restart` takes {RESTART_SERVER} (or true), got {_describe(value)}"
                )
                return None
            return Restart(line)
        hint = did_you_mean(str(kind), STEP_KINDS) or f"a step is one of {kinds}"
        self.problem(line, f"unknown step {kind!r} ({hint})")
        return None

    def bot(self, value: Any, line: int) -> BotSays | None:
        text = _as_text(value)
        if text is not None:
            return BotSays(line, text=text)
        if not isinstance(value, YamlMap) or not value:
            self.problem(
                line,
                "`bot` must be the exact text, or a mapping of "
                f"{', '.join(BOT_KEYS)}; got {_describe(value)}",
            )
            return None
        self.unknown_keys(value, BOT_KEYS, "a `bot` step")
        textual = [k for k in ("text", "match", "contains") if k in value]
        if len(textual) > 1:
            self.problem(
                value.line_of(textual[1]),
                f"use one of `text`, `match` and `contains` in a `bot` step, not {textual}",
            )
        exact = self.text(value, "text", "a `bot` step")
        contains = self.text(value, "contains", "a `bot` step")
        auth_link = self.text(value, "auth_link", "a `bot` step")
        pattern = None
        source = self.text(value, "match", "a `bot` step")
        if source is not None:
            try:
                pattern = re.compile(source, re.DOTALL)
            except re.error as exc:
                self.problem(value.line_of("match"), f"`match` is not a regular expression: {exc}")
        return BotSays(
            line,
            text=exact,
            match=pattern,
            contains=contains,
            auth_link=auth_link,
            buttons=self.labels(value, "buttons", "the button labels"),
            cards=self.labels(value, "cards", "the cards' titles"),
        )

    def labels(self, value: YamlMap, key: str, what: str) -> tuple[str, ...] | None:
        """`key`: a list of texts (button labels, card titles), or None when absent."""
        if key not in value:
            return None
        raw = value[key]
        labels = [_as_text(b) for b in raw] if isinstance(raw, list) else None
        if labels is None or any(label is None for label in labels):
            self.problem(value.line_of(key), f"`{key}` must list {what}, got {_describe(raw)}")
            return None
        return tuple(label for label in labels if label is not None)

    def expect(self, raw: YamlMap, line: int) -> ExpectState | None:
        value = self.mapping(raw, "expect", "an `expect` step")
        if value is None:
            return None
        if not value:
            self.problem(line, f"`expect` names nothing to check; use some of {EXPECT_KEYS}")
            return None
        self.unknown_keys(value, EXPECT_KEYS, "an `expect` step")
        dialog, node, intent = (self.nullable(value, k) for k in ("dialog", "node", "intent"))
        status = self.text(value, "status", "`expect`")
        if status is not None and status not in STATUSES:
            self.problem(
                value.line_of("status"),
                f"`status` must be one of {', '.join(STATUSES)}, got {status!r}",
            )
        entities = self.mapping(value, "entities", "`expect`") if "entities" in value else None
        variables = self.mapping(value, "vars", "`expect`") if "vars" in value else None
        held, held_lines = self.held(value) if "held" in value else (None, ())
        return ExpectState(
            line,
            dialog=dialog,
            node=node,
            intent=intent,
            status=status,
            entities=_plain(entities or {}),
            vars=_plain(variables or {}),
            held=held,
            lines={str(k): value.line_of(k) for k in value},
            held_lines=held_lines,
        )

    def held(self, value: YamlMap) -> tuple[tuple[str, ...] | None, tuple[int, ...]]:
        """`expect.held`: the dialog ids on hold, oldest first, each with its line."""
        raw = value["held"]
        line = value.line_of("held")
        if not isinstance(raw, YamlSeq):
            self.problem(
                line,
                "`held` of `expect` must list the held dialogs' ids, oldest first "
                f"([] for none), got {_describe(raw)}",
            )
            return None, ()
        ids = [_as_text(item) for item in raw]
        bad = [(item, at) for item, id_, at in zip(raw, ids, raw.lines, strict=True) if not id_]
        for item, at in bad:
            self.problem(at, f"`held` of `expect` lists dialog ids, got {_describe(item)}")
        if bad:
            return None, ()
        return tuple(i for i in ids if i), tuple(raw.lines)

    # -- the world ------------------------------------------------------------------------------

    def fixtures(self, data: YamlMap) -> Fixtures:
        if "fixtures" not in data:
            return Fixtures()
        value = self.mapping(data, "fixtures", "the transcript")
        if value is None:
            return Fixtures()
        self.unknown_keys(value, FIXTURE_KEYS, "`fixtures`")
        entities = self.mapping(value, "entities", "`fixtures`") if "entities" in value else None
        globals_ = self.mapping(value, "globals", "`fixtures`") if "globals" in value else None
        return Fixtures(
            entities=_plain(entities or {}),
            globals=_plain(globals_ or {}),
            dialog=self.text(value, "dialog", "`fixtures`"),
            line=data.line_of("fixtures"),
            lines={str(k): value.line_of(k) for k in value},
        )

    def stubs(self, data: YamlMap) -> list[Stub]:
        if "stubs" not in data:
            return []
        value = self.mapping(data, "stubs", "the transcript")
        if value is None:
            return []
        stubs = []
        for key, raw in value.items():
            line = value.line_of(key)
            name = _as_text(key) or ""
            dialog, _, node = name.rpartition(".")
            if not node:
                self.problem(line, f"a stub is keyed by a service node's id, got {key!r}")
                continue
            entries = raw if isinstance(raw, YamlSeq) else [raw]
            lines = raw.lines if isinstance(raw, YamlSeq) else [line]
            if not entries:
                self.problem(line, f"stub {name!r} lists no replies")
                continue
            replies = [self.reply(name, item, at) for item, at in zip(entries, lines, strict=True)]
            if all(r is not None for r in replies):
                stubs.append(Stub(node, dialog or None, tuple(r for r in replies if r), line))
        return stubs

    def alone(self, raw: YamlMap, key: str, meaning: str, name: str) -> None:
        others = [k for k in STUB_KEYS if k in raw and k != key]
        if others:
            self.problem(
                raw.line_of(others[0]),
                f"stub {name!r}: `{key}` ({meaning}) has no {others[0]}",
            )

    def reply(self, name: str, raw: Any, line: int) -> StubReply | None:
        if not isinstance(raw, YamlMap):
            self.problem(
                line,
                f"stub {name!r} must be a mapping of {', '.join(STUB_KEYS)}, got {_describe(raw)}",
            )
            return None
        self.unknown_keys(raw, STUB_KEYS, f"stub {name!r}")
        if "unknown" in raw:
            if raw["unknown"] is not True:
                self.problem(
                    raw.line_of("unknown"),
                    f"stub {name!r}: `unknown` can only be true (the answer never arrived)",
                )
            self.alone(raw, "unknown", "a call whose answer never arrived", name)
            return StubReply(unknown=True)
        if "error" in raw:
            error = self.text(raw, "error", f"stub {name!r}")
            self.alone(raw, "error", "a transport failure", name)
            return StubReply(error=error or "stubbed failure")
        status = raw.get("status", 200)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            self.problem(
                raw.line_of("status"),
                f"stub {name!r}: `status` must be an HTTP status (100-599), got {status!r}",
            )
            return None
        headers: dict[str, str] = {}
        if "headers" in raw:
            mapping: Mapping[Any, Any] = self.mapping(raw, "headers", f"stub {name!r}") or {}
            headers = {str(k): _as_text(v) or "" for k, v in mapping.items()}
        return StubReply(
            status=status, body=_plain(raw.get("body")), headers=tuple(headers.items())
        )


def _as_text(value: Any) -> str | None:
    """A scalar as the text it reads as; None for null, mappings and lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
