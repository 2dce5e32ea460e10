"""List entities: one of the allowed values, by value or synonym, forgiving case and small typos.

Matching goes from strict to loose: the whole answer is a value or synonym; a value or synonym
appears as whole words in the answer ("it's qualified"); the answer, or a run of its words, is
within a few edits of one (rapidfuzz's optimal-string-alignment distance: none for words of up to
three letters, one up to seven, two beyond), so "qualifed" is "Qualified" but "now" is not "New".
When two different values fit equally well, nothing is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.utils import default_process

from runtime.dialogs.model import ListValue
from runtime.entities.base import Parsed, accept, reject
from runtime.entities.spots import Mapped, Spot, folded, settled
from runtime.entities.wording import MAX_STRUCTURED, fold


@dataclass(frozen=True, slots=True)
class Choices:
    """Precompiled matching state for one `values` list."""

    canonical: tuple[str, ...]
    keys: dict[str, str]  # normalised value or synonym -> canonical value
    phrases: re.Pattern[str] | None  # any key as whole words of a normalised text
    error: str


def normalise(text: str) -> str:
    return " ".join(default_process(fold(text)).split())


@lru_cache(maxsize=512)
def choices(values: tuple[ListValue, ...]) -> Choices:
    keys: dict[str, str] = {}
    for item in values:
        for key in (item.value, *item.synonyms):
            keys.setdefault(normalise(key), item.value)
    keys.pop("", None)
    ordered = sorted(keys, key=len, reverse=True)
    phrases = (
        re.compile("|".join(rf"(?<!\S){re.escape(k)}(?!\S)" for k in ordered)) if keys else None
    )
    canonical = tuple(dict.fromkeys(item.value for item in values))
    return Choices(canonical, keys, phrases, f"Please choose one of: {', '.join(canonical)}.")


def _allowed_edits(key: str) -> int:
    return 0 if len(key) <= 3 else 1 if len(key) <= 7 else 2


def _named(answer: str, table: Choices, shortest: int) -> list[tuple[int, int, str]]:
    """(start, end, canonical value) of each value or synonym named as whole words, a longer
    phrase winning over one inside it."""
    if table.phrases is None:
        return []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    while (m := table.phrases.search(answer, pos)) is not None:
        if len(m[0]) >= shortest:
            spans.append((m.start(), m.end(), table.keys[m[0]]))
        pos = m.start() + 1
    return [
        (start, end, value)
        for start, end, value in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
    ]


def _in_words(answer: str, table: Choices, shortest: int = 1) -> set[str]:
    """Canonical values named as whole words, a longer phrase winning over one inside it."""
    return {value for _, _, value in _named(answer, table, shortest)}


def _normalised(text: str) -> Mapped:
    """`normalise(text)`, knowing where each character came from."""
    mapped = folded(text)
    processed = default_process(f"a{mapped.text}a")[1:-1]  # nothing at the ends to trim
    if len(processed) != len(mapped.text):  # pragma: no cover - default_process maps 1:1
        processed = "".join(default_process(f"a{c}a")[1:-1] for c in mapped.text)
    return mapped.replaced(processed).single_spaced()


def _closest(answer: str, table: Choices) -> str | None:
    words = answer.split()
    best: dict[str, int] = {}
    for key, value in table.keys.items():
        allowed = _allowed_edits(key)
        if allowed == 0:
            continue
        size = key.count(" ") + 1
        windows = {answer} | {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}
        for window in windows:
            distance = OSA.distance(window, key, score_cutoff=allowed)
            if distance <= allowed and distance < best.get(value, allowed + 1):
                best[value] = distance
    if not best:
        return None
    lowest = min(best.values())
    winners = [value for value, distance in best.items() if distance == lowest]
    return winners[0] if len(winners) == 1 else None


def parse_list(text: str, values: tuple[ListValue, ...]) -> Parsed:
    table = choices(values)
    answer = normalise(text[: MAX_STRUCTURED * 2])
    if answer in table.keys:
        return accept(table.keys[answer])
    named = _in_words(answer, table)
    if len(named) == 1:
        return accept(named.pop())
    if not named:
        value = _closest(answer, table)
        if value is not None:
            return accept(value)
    return reject(table.error)


def find_list(text: str, values: tuple[ListValue, ...]) -> str | None:
    """A value or synonym said in so many words; never a guess from a typo.

    Words of up to three letters ("new", "hot") are too common in a request to count here.
    """
    named = _in_words(normalise(text[: MAX_STRUCTURED * 2]), choices(values), shortest=4)
    return named.pop() if len(named) == 1 else None


def list_spots(text: str, values: tuple[ListValue, ...]) -> list[Spot]:
    """Every value or synonym said in so many words, as `find_list` reads them; of two that
    overlap, the first (or, starting together, the longer) is kept."""
    answer = _normalised(text[: MAX_STRUCTURED * 2])
    named = _named(answer.text, choices(values), shortest=4)
    return settled(answer.spot(value, start, end) for start, end, value in named)
