"""`Section`: reads the keys of one mapping by type, and reports the keys nobody asked for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit

from runtime.config.keys import Key, KeyRecorder
from runtime.config.yaml_tree import Item, Report, describe, kind_of
from runtime.suggestions import did_you_mean

_E = TypeVar("_E", bound=StrEnum)
_WHOLE = re.compile(r"[+-]?\d+")
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


def as_flag(item: Item) -> bool | None:
    """true or false, also when written as a word (`yes`, `off`: YAML 1.2 reads them as text),
    None when the item is neither."""
    if isinstance(item.value, bool):
        return item.value
    word = item.text.strip().lower() if isinstance(item.value, str) else ""
    return word in _TRUE if word in _TRUE | _FALSE else None


class Section:
    """Reads the keys of one mapping; every key asked for is known, any other is reported."""

    def __init__(self, report: Report, item: Item | None, path: str, line: int) -> None:
        self.report = report
        self.path = path
        self.line = item.line if item is not None else line
        self.values: dict[str, Item] = {}
        self.known: list[str] = []
        self.broken = False  # not a mapping, already reported: its keys are not "required"
        if item is not None and item.value is not None:
            if isinstance(item.value, dict):
                self.values = item.value
            else:
                self.report.add(item.line, path, f"expected a mapping, got {kind_of(item)}")
                self.broken = True

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str, item: Item | None = None) -> None:
        item = item or self.values.get(key)
        self.report.add(item.line if item else self.line, self.key_path(key), message)

    def note(self, key: str, how: Key) -> None:
        """Say how `key` is read, for the schema of config.yaml (see runtime/config/keys.py)."""
        if isinstance(self.report, KeyRecorder):
            self.report.note(self.key_path(key), how)

    def get(self, key: str) -> Item | None:
        """The key's item, or None when absent, null, empty or already reported."""
        self.note(key, Key("any"))
        self.known.append(key)
        item = self.values.get(key)
        if item is None or item.value is None or item.value == "" or item.broken:
            return None
        return item

    def wrong(self, key: str, item: Item, expected: str, *, secret: bool = False) -> None:
        got = "" if secret else f", got {describe(item)}"
        self.problem(key, f"expected {expected}{got}", item)

    def text(self, key: str, default: str | None = None, *, secret: bool = False) -> str:
        """A string; `default` None makes the key required."""
        self.note(key, Key("text", required=default is None, default=default, secret=secret))
        item = self.get(key)
        if item is None:
            written = self.values.get(key)
            if default is None and not self.broken and not (written and written.broken):
                self.problem(key, "required")
            return default or ""
        if isinstance(item.value, dict | list):
            self.wrong(key, item, "a string", secret=secret)
            return default or ""
        return item.text

    def whole(self, key: str, default: int, low: int, high: int | None = None) -> int:
        self.note(key, Key("whole", default=default, low=low, high=high))
        item = self.get(key)
        if item is None:
            return default
        value = item.value
        if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong(key, item, "a whole number")
            return default
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.problem(key, f"expected a whole number {bounds}, got {value}", item)
            return default
        return value

    def number(
        self, key: str, default: float, low: float, high: float, *, above_low: bool = False
    ) -> float:
        """A number from `low` to `high`; `above_low`: greater than `low`."""
        how = Key("number", default=default, low=low, high=high, above_low=above_low)
        self.note(key, how)
        item = self.get(key)
        if item is None:
            return default
        value = item.value
        if isinstance(value, str):
            with suppress(ValueError):
                value = float(value)
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.wrong(key, item, "a number")
            return default
        if not low <= value <= high:
            self.problem(key, f"expected a number from {low:g} to {high:g}, got {value:g}", item)
            return default
        if above_low and value == low:
            self.problem(key, f"expected a number above {low:g}, got {value:g}", item)
            return default
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        self.note(key, Key("flag", default=default))
        item = self.get(key)
        if item is None:
            return default
        value = as_flag(item)
        if value is None:
            self.wrong(key, item, "true or false")
            return default
        return value

    def choice(self, key: str, options: type[_E], default: _E) -> _E:
        names = tuple(o.value for o in options)
        self.note(key, Key("choice", default=default.value, choices=names))
        item = self.get(key)
        if item is None:
            return default
        if isinstance(item.value, str) and item.text in names:
            return options(item.text)
        hint = did_you_mean(item.text, names) if item.text else ""
        hint = f" ({hint})" if hint else ""
        expected = f"expected one of {', '.join(names)}, got {describe(item)}{hint}"
        self.problem(key, expected, item)
        return default

    def texts(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A list of strings (a single string counts as a list of one)."""
        self.note(key, Key("texts", default=list(default)))
        item = self.get(key)
        if item is None:
            return default
        if isinstance(item.value, dict):
            self.wrong(key, item, "a list of strings")
            return default
        entries = item.value if isinstance(item.value, list) else [item]
        found = []
        for i, entry in enumerate(entries):
            if entry.value is None or entry.value == "" or isinstance(entry.value, dict | list):
                self.wrong(f"{key}[{i}]", entry, "a non-empty string")
            else:
                found.append(entry.text)
        return tuple(found)

    def mapping(self, key: str) -> dict[str, Item]:
        self.note(key, Key("mapping"))
        item = self.get(key)
        if item is None:
            return {}
        if not isinstance(item.value, dict):
            self.problem(key, f"expected a mapping, got {kind_of(item)}", item)
            return {}
        return item.value

    @contextmanager
    def section(self, key: str) -> Iterator[Section]:
        self.note(key, Key("section"))
        with section(self.report, self.get(key), self.key_path(key), self.line) as inner:
            yield inner

    def report_unknown(self) -> None:
        for key, item in self.values.items():
            if key in self.known:
                continue
            hint = did_you_mean(key, self.known) or f"known: {', '.join(self.known)}"
            self.problem(key, f"unknown key ({hint})", item)


@contextmanager
def section(report: Report, item: Item | None, path: str, line: int) -> Iterator[Section]:
    """A Section over `item` (at `path`); its unknown keys are reported when the block ends."""
    if isinstance(report, KeyRecorder):
        report.note(path, Key("section"))
    s = Section(report, item, path, line)
    yield s
    s.report_unknown()


def url(s: Section, key: str, default: str | None = None) -> str:
    """An http(s) URL without a trailing slash; `default` None makes it required."""
    s.note(key, Key("url", required=default is None, default=default))
    written = s.text(key, default)
    if not written or written == default:
        return written
    parts = urlsplit(written)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        s.problem(key, f"expected an http:// or https:// URL, got {written!r}")
        return default or ""
    return written.rstrip("/")
