"""`Reader`: the problems of one dialog file, and its typed values read leniently.

Each method reads one key of a YAML mapping; a value of the wrong shape becomes a problem at
its line and the method returns a neutral value, so reading goes on past every mistake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runtime.dialogs.model import Node
from runtime.dialogs.reading.keys import NEEDED
from runtime.dialogs.reading.wording import describe, did_you_mean, one_line, show
from runtime.errors import Problem
from runtime.intents.synonyms import normalise_phrase
from runtime.yaml_lines import YamlMap, YamlSeq


@dataclass(frozen=True, slots=True)
class AmendWord:
    """A word of `amend_words` naming `entity`, written at `line`."""

    word: str
    entity: str
    line: int


class Reader:
    """Reads the values of one file (`file`), collecting every problem in `problems`.

    `amend_words` collects the words of every entity node as they are read, so that a word
    given to two entities can be reported once the whole file is read; `unplaced` the nodes
    that are read but cannot be part of the dialog.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.amend_words: list[AmendWord] = []
        # Nodes read for their problems but left out of the dialog (no usable id, or the id
        # of an earlier node), each with how messages name it; validation checks them alone.
        self.unplaced: list[tuple[Node, str]] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, one_line(message)))

    def check_keys(
        self,
        raw: YamlMap,
        allowed: Sequence[str],
        where: str,
        *,
        misplaced: Mapping[str, str] | None = None,
        unknown: str = "",
    ) -> None:
        """Every key of `raw` not in `allowed` is a problem; `misplaced` gives the message for
        a key that belongs elsewhere, `unknown` what to add when no allowed key is close (by
        default, the allowed keys)."""
        misplaced = misplaced or {}
        for key in raw:
            if key in allowed:
                continue
            line = raw.line_of(key)
            if not isinstance(key, str):
                self.problem(line, f"key {key!r} in {where} is not a name; keys are text")
            elif key in misplaced:
                self.problem(line, misplaced[key])
            else:
                hint = (
                    did_you_mean(key, allowed) or unknown or "; allowed keys: " + ", ".join(allowed)
                )
                self.problem(line, f"unknown key {key!r} in {where}{hint}")

    def text(
        self,
        raw: YamlMap,
        key: str,
        where: str,
        *,
        required: bool = False,
        empty_ok: bool = False,
        line: int = 0,
    ) -> str | None:
        if key not in raw:
            if required:
                self.problem(line or raw.line, f"{where} needs `{key}`{NEEDED.get(key, '')}")
            return None
        return self.as_text(raw[key], raw.line_of(key), f"`{key}`", where, empty_ok=empty_ok)

    def as_text(
        self, value: Any, line: int, what: str, where: str, *, empty_ok: bool = False
    ) -> str | None:
        if isinstance(value, str):
            if value.strip() or empty_ok:
                return value
            self.problem(line, f"{what} in {where} is empty; write the text")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.problem(line, f"{what} in {where} must be text, got {describe(value)}")
        return None

    def texts(self, raw: YamlMap, key: str, where: str, *, single_ok: bool) -> tuple[str, ...]:
        if key not in raw:
            return ()
        value, line = raw[key], raw.line_of(key)
        if single_ok and not isinstance(value, list):
            text = self.as_text(value, line, f"`{key}`", where)
            return (text,) if text is not None else ()
        if not isinstance(value, YamlSeq) or not value:
            wanted = "a text or a list of texts" if single_ok else "a list of texts"
            got = "an empty list" if isinstance(value, list) else describe(value)
            self.problem(line, f"`{key}` in {where} must be {wanted}, got {got}")
            return ()
        texts = (
            self.as_text(item, value.line_of(i), f"item {i + 1} of `{key}`", where)
            for i, item in enumerate(value)
        )
        return tuple(t for t in texts if t is not None)

    def expression(self, value: Any, line: int, what: str) -> str | None:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, str) and value.strip():
            return value
        self.problem(
            line,
            f"{what} must be an expression such as entities.count > 2, got {describe(value)}",
        )
        return None

    def node_ref(self, raw: YamlMap, key: str, where: str) -> str | None:
        if key not in raw:
            return None
        value = raw[key]
        if isinstance(value, str) and value:
            return value
        self.problem(
            raw.line_of(key), f"`{key}` in {where} must be a node id or end, got {describe(value)}"
        )
        return None

    def whole_number(self, raw: YamlMap, key: str, where: str, *, default: int) -> int:
        if key not in raw:
            return default
        value, line = raw[key], raw.line_of(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(line, f"{where}: `{key}` must be a whole number, got {show(value)}")
            return default
        if value < 0:
            self.problem(line, f"{where}: `{key}` must be 0 or more, got {value}")
            return default
        return value

    def flag(self, raw: YamlMap, key: str, where: str) -> bool:
        value = raw.get(key, False)
        if isinstance(value, bool):
            return value
        self.problem(raw.line_of(key), f"{where}: `{key}` must be true or false, got {show(value)}")
        return False

    def one_of(self, raw: YamlMap, key: str, choices: Sequence[str], where: str) -> str | None:
        """One of `choices`, or None when the key is absent or wrong (reported)."""
        if key not in raw:
            return None
        value = raw[key]
        if isinstance(value, str) and value in choices:
            return value
        self.problem(
            raw.line_of(key),
            f"`{key}` in {where} must be one of {', '.join(choices)}, got {show(value)}"
            + did_you_mean(value, choices),
        )
        return None

    def words(self, value: Any, line: int, what: str, where: str) -> list[tuple[str, int]]:
        """A word or phrase, or a list of them, each normalised (lower case, single spaces)
        with its line; a list's entries that are not text are reported and skipped."""
        if isinstance(value, YamlSeq) and value:
            items = [(item, value.line_of(i)) for i, item in enumerate(value)]
        elif isinstance(value, str):
            items = [(value, line)]
        else:
            got = "an empty list" if isinstance(value, list) else describe(value)
            self.problem(line, f"{what} in {where} must be a list of words, got {got}")
            return []
        found = []
        for item, at in items:
            if not isinstance(item, str) or not item.strip():
                got = "an empty text" if isinstance(item, str) else describe(item)
                self.problem(at, f"{what} in {where} must be words or phrases, got {got}")
                continue
            found.append((normalise_phrase(item), at))
        return found
