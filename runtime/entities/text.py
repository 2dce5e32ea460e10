"""Free text (`string`) and author-defined patterns (`regex`)."""

from __future__ import annotations

import re
from functools import lru_cache

from runtime.entities.base import Parsed, accept, reject
from runtime.entities.spots import Spot

STRING_ERROR = "I didn't get an answer. Please type it in."
REGEX_ERROR = "That doesn't match the expected format. Please try again."


def parse_string(text: str) -> Parsed:
    value = text.strip()
    return accept(value) if value else reject(STRING_ERROR)


@lru_cache(maxsize=512)
def compiled(pattern: str) -> re.Pattern[str]:
    """The compiled pattern; `re.error` for a bad one (the dialog loader reports it first)."""
    return re.compile(pattern)


def pattern_problem(pattern: str | None) -> str | None:
    """Why a `pattern` cannot be used, or None when it can."""
    if not pattern:
        return "a regex entity needs a non-empty `pattern`"
    try:
        compiled(pattern)
    except re.error as exc:
        return f"`pattern` is not a valid regular expression: {exc}"
    return None


def parse_regex(text: str, pattern: str) -> Parsed:
    """The first match of `pattern` in the text: group 1 when the pattern has groups."""
    match = compiled(pattern).search(text.strip())
    value = _value(match) if match is not None else None
    return accept(value) if value else reject(REGEX_ERROR)


def regex_spots(text: str, pattern: str) -> list[Spot]:
    """Every match of `pattern` in the text, read as `parse_regex` reads the first; a spot
    covers the whole match, also when its value is group 1."""
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    return [
        Spot(value, lead + match.start(), lead + match.end())
        for match in compiled(pattern).finditer(stripped)
        if (value := _value(match))
    ]


def _value(match: re.Match[str]) -> str:
    value = match.group(1) if match.re.groups else match.group(0)
    if value is None:  # group 1 sits in a branch that did not take part
        value = match.group(0)
    return value
