"""The grammar of one `extract` pattern: keyword words, then one placeholder that ends it.

    for {value}            the words after "for"
    named {value:first}    of those words, all but the last (a person's given names)
    for {value:last}       of those words, only the last (a family name)

`parse_pattern` is shared by the loader, which reports a bad pattern at its line, and by
whatever matches the patterns against a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runtime.dialogs.reading.wording import did_you_mean
from runtime.errors import ParleyError

PLACEHOLDER = "value"
SELECTORS = ("first", "last")
EXAMPLE = '"for {value}"'

_BRACES = re.compile(r"\{([^{}]*)\}")


class PatternError(ParleyError, ValueError):
    """An `extract` pattern that cannot be used; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class ExtractPattern:
    keywords: str  # the words before the placeholder, single-spaced, as written
    selector: str = ""  # "", "first" or "last"

    def __str__(self) -> str:
        placeholder = f"{PLACEHOLDER}:{self.selector}" if self.selector else PLACEHOLDER
        return f"{self.keywords} {{{placeholder}}}"


def parse_pattern(text: str) -> ExtractPattern:
    """The pattern written as `text`; raises `PatternError` saying what is wrong with it."""
    if "{{" in text or "}}" in text:
        raise PatternError(
            f"write the placeholder with single braces, e.g. {EXAMPLE}; {{{{ }}}} is for templates"
        )
    found = list(_BRACES.finditer(text))
    names = [m.group(1).split(":", 1)[0].strip() for m in found]
    if PLACEHOLDER not in names:
        others = "".join(f"; {{{name}}} is not a placeholder" for name in names[:1])
        raise PatternError(
            f"an extract pattern needs {{value}} where the value goes, e.g. {EXAMPLE}{others}"
        )
    if len(found) > 1:
        raise PatternError(
            f"an extract pattern takes one placeholder, got {len(found)}: "
            + ", ".join(m.group(0) for m in found)
            + '; write one pattern per keyword, e.g. ["for {value}", "named {value}"]'
        )
    match = found[0]
    selector = _selector(match.group(1))
    after = text[match.end() :].strip()
    if after:
        raise PatternError(
            f"{match.group(0)} must end the pattern (the value is the words after the keyword), "
            f"but {after!r} follows it; e.g. {EXAMPLE}"
        )
    keywords = " ".join(text[: match.start()].split())
    if not keywords:
        raise PatternError(
            f"an extract pattern needs a keyword before {match.group(0)}, e.g. {EXAMPLE} or "
            '"named {value}"'
        )
    return ExtractPattern(keywords, selector)


def _selector(inside: str) -> str:
    if ":" not in inside:
        return ""
    selector = inside.split(":", 1)[1].strip()
    if selector in SELECTORS:
        return selector
    raise PatternError(
        f"unknown selector {selector!r} in {{{inside}}}: use {{value}} (the words), "
        "{value:first} (all but the last word) or {value:last} (the last word)"
        + did_you_mean(selector, SELECTORS)
    )
