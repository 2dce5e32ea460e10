"""Synonyms: words and phrases people use for a canonical word ("prospect" for "lead").

Bot authors declare them in config.yaml (bot-wide) and in dialog files, as
``canonical: [variant, ...]``. Every declaration is a `Synonym` that remembers its file and line,
so that a variant given two meanings is reported where it was written. The matcher replaces
each variant with its canonical word before it reads a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from runtime.errors import Problem

_SPACES = re.compile(r"\s+")


def normalise_phrase(text: str) -> str:
    """Lower case, single spaces, no edge spaces: the form variants are compared in."""
    return _SPACES.sub(" ", text.strip().lower())


@dataclass(frozen=True, slots=True)
class Synonym:
    """`variant` means `canonical`; declared at `file`:`line`."""

    variant: str
    canonical: str
    file: str = ""
    line: int = 0


def synonym_problems(synonyms: Iterable[Synonym]) -> list[Problem]:
    """A variant mapped to two canonical words, or used as a canonical word elsewhere."""
    problems: list[Problem] = []
    first: dict[str, Synonym] = {}
    canonicals: dict[str, Synonym] = {}
    listed = list(synonyms)
    for s in listed:
        canonicals.setdefault(normalise_phrase(s.canonical), s)
    for s in listed:
        variant, canonical = normalise_phrase(s.variant), normalise_phrase(s.canonical)
        seen = first.setdefault(variant, s)
        if normalise_phrase(seen.canonical) != canonical:
            problems.append(
                Problem(
                    s.file,
                    s.line,
                    f"synonym {s.variant!r} is mapped to {s.canonical!r} here and to "
                    f"{seen.canonical!r} at {seen.file}:{seen.line}; a synonym has one "
                    "canonical word: remove one of them",
                )
            )
        other = canonicals.get(variant)
        if other is not None and normalise_phrase(other.canonical) != canonical:
            problems.append(
                Problem(
                    s.file,
                    s.line,
                    f"{s.variant!r} is a synonym of {s.canonical!r} here but a canonical word "
                    f"at {other.file}:{other.line}; use it in one role only",
                )
            )
    return problems
