"""How a value or a near-miss is named in a problem's message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


def did_you_mean(word: Any, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the closest choice, or "" when none is close."""
    close = closest(word, choices)
    return f"; did you mean {close!r}?" if close else ""


def closest(word: Any, choices: Iterable[str]) -> str | None:
    """The choice closest to `word`, when one is close enough to be a typo of it."""
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def show(value: Any) -> str:
    """A value as an author would recognise it in a message."""
    if isinstance(value, str):
        return repr(value)
    return describe(value)


# What str.splitlines() breaks a line at, each as its escape.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


def one_line(text: str) -> str:
    """`text` with its line breaks written as escapes (\\n): a problem is one line of output,
    whatever names of the author's file it quotes."""
    return text.translate(_LINE_BREAKS)


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def plain(value: Any) -> Any:
    """YAML collections as plain dicts and lists, for the model."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
