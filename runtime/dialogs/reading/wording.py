"""How a value or a near-miss is named in a problem's message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runtime import suggestions


def did_you_mean(word: Any, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the closest choice, or "" when none is close."""
    hint = suggestions.did_you_mean(word, choices)
    return f"; {hint}" if hint else ""


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
