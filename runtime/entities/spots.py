"""Where a value sits in a sentence: `Spot`, and the rewritten copies that finders read.

Finders read a folded copy of the user's text (case-folded, NFKC, single-spaced, spelled numbers
as digits), so positions in that copy are not positions in what the user wrote. `Mapped` is such
a copy that remembers, for each of its characters, the run of original characters it came from;
a match in the copy becomes a `Spot` whose ``start``/``end`` index the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from runtime.entities.wording import plain

_WORD = re.compile(r"\S+")
# Hangul vowel and final jamo compose with the letter before them, like combining marks.
_JAMO_TAIL = range(0x1160, 0x1200)


@dataclass(frozen=True, slots=True)
class Spot:
    """A value read from ``text[start:end]`` of the text that was searched."""

    value: Any
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mapped:
    """A rewritten copy of a text; character ``i`` of `text` came from
    ``original[starts[i]:ends[i]]``. Both sequences never decrease."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters that ``text[start:end]`` (not empty) came from."""
        return self.starts[start], self.ends[end - 1]

    def spot(self, value: Any, start: int, end: int) -> Spot:
        return Spot(value, *self.span(start, end))

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> Mapped:
        """`pattern.sub`, each replacement coming from the whole text it replaced."""
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        done = 0
        for match in pattern.finditer(self.text):
            if match.end() == match.start():
                continue
            pieces.append(self.text[done : match.start()])
            starts.extend(self.starts[done : match.start()])
            ends.extend(self.ends[done : match.start()])
            new = replace(match)
            origin = self.span(match.start(), match.end())
            pieces.append(new)
            starts.extend([origin[0]] * len(new))
            ends.extend([origin[1]] * len(new))
            done = match.end()
        if not done:
            return self
        pieces.append(self.text[done:])
        starts.extend(self.starts[done:])
        ends.extend(self.ends[done:])
        return Mapped("".join(pieces), starts, ends)

    def rewritten(self, new: str) -> Mapped:
        """The same text after a word-by-word rewrite (``alpha2digit``: "three days" ->
        "3 days"): words that stayed keep their origin, each rewritten run comes from the run
        of words it replaced."""
        if new == self.text:
            return self
        old_words = [(m.start(), m.end()) for m in _WORD.finditer(self.text)]
        new_words = [(m.start(), m.end()) for m in _WORD.finditer(new)]
        starts = [-1] * len(new)
        ends = [-1] * len(new)
        matcher = SequenceMatcher(
            None,
            [self.text[s:e] for s, e in old_words],
            [new[s:e] for s, e in new_words],
            autojunk=False,
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for (old_start, _), (new_start, new_end) in zip(
                    old_words[i1:i2], new_words[j1:j2], strict=True
                ):
                    size = new_end - new_start
                    starts[new_start:new_end] = self.starts[old_start : old_start + size]
                    ends[new_start:new_end] = self.ends[old_start : old_start + size]
            elif j2 > j1 and old_words:
                first, last = (i1, i2 - 1) if i2 > i1 else (max(i1 - 1, 0),) * 2
                origin = self.span(old_words[first][0], old_words[last][1])
                for new_start, new_end in new_words[j1:j2]:
                    starts[new_start:new_end] = [origin[0]] * (new_end - new_start)
                    ends[new_start:new_end] = [origin[1]] * (new_end - new_start)
        _fill_gaps(starts, ends, len(self.ends) and self.ends[-1])
        return Mapped(new, starts, ends)

    def replaced(self, new: str) -> Mapped:
        """The copy after a rewrite that keeps every character in its place."""
        assert len(new) == len(self.text)
        return Mapped(new, self.starts, self.ends)

    def single_spaced(self) -> Mapped:
        """Runs of whitespace as one space, none at either end (as `wording.fold` does)."""
        if " ".join(self.text.split()) == self.text:
            return self
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        previous = -1
        for match in _WORD.finditer(self.text):
            if previous >= 0:
                pieces.append(" ")
                starts.append(self.starts[previous])
                ends.append(self.ends[match.start() - 1])
            pieces.append(match[0])
            starts.extend(self.starts[match.start() : match.end()])
            ends.extend(self.ends[match.start() : match.end()])
            previous = match.end()
        return Mapped("".join(pieces), starts, ends)


def _fill_gaps(starts: list[int], ends: list[int], size: int) -> None:
    """Characters between words (spaces) come from between their neighbours' origins."""
    previous_end = 0
    for i, start in enumerate(starts):
        if start < 0:
            starts[i] = previous_end
        else:
            previous_end = ends[i]
    following_start = size
    for i in range(len(ends) - 1, -1, -1):
        if ends[i] < 0:
            ends[i] = max(following_start, starts[i])
        else:
            following_start = starts[i]


@lru_cache(maxsize=64)
def folded(text: str) -> Mapped:
    """`wording.fold` of the text, knowing where each character came from.

    Each letter is folded with the combining marks that follow it; in the rare scripts whose
    letters compose across what are otherwise separate characters, the copy may differ from
    `fold` by that composition."""
    if text.isascii():
        lowered = plain(text).lower()  # NFKC and casefold leave ASCII as long as it was
        return Mapped(lowered, range(len(text)), range(1, len(text) + 1)).single_spaced()
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    size = len(text)
    i = 0
    while i < size:
        j = i + 1
        while j < size and (unicodedata.combining(text[j]) or ord(text[j]) in _JAMO_TAIL):
            j += 1
        piece = plain(text[i:j]).casefold()
        pieces.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return Mapped("".join(pieces), starts, ends).single_spaced()


def blanked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with the characters of each span replaced by spaces (positions unchanged)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def settled(candidates: Iterable[Spot]) -> list[Spot]:
    """The readable candidates (value not None) in order, without overlaps: where two overlap,
    the one that starts first wins, and of two that start together, the longer."""
    readable = sorted(
        (c for c in candidates if c.value is not None), key=lambda c: (c.start, -c.end)
    )
    kept: list[Spot] = []
    for candidate in readable:
        if candidate.end > candidate.start and (not kept or candidate.start >= kept[-1].end):
            kept.append(candidate)
    return kept


def sole_value(candidates: Sequence[Spot]) -> Any | None:
    """The value when every candidate read as the same one value, else None (nothing found,
    different values, or a candidate that did not read: the sentence is not clear)."""
    values: list[Any] = []
    for candidate in candidates:
        if candidate.value is None:
            return None
        if candidate.value not in values:
            values.append(candidate.value)
    return values[0] if len(values) == 1 else None
