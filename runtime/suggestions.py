"""The name an author probably meant, for "did you mean ...?" in every message: one rule
wherever a name is looked up. A typo is a few edits away (a letter added, dropped, changed, or
two swapped: `ulr` for `url`), so closeness is the edit distance with transpositions (optimal
string alignment), at most one edit per three letters of the longer word (`colr` for
`colour`); a ratio of common letters, which difflib measures, misses swaps in short words and
offers `user` for `secret`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MOST = 0.34  # edits per letter of the longer word: one in three


def closest(word: object, choices: Iterable[str]) -> str | None:
    """The choice closest to `word`, when it is close enough to be a typo of it."""
    if not isinstance(word, str) or not word:
        return None
    found = process.extractOne(
        word, sorted(choices), scorer=OSA.normalized_distance, score_cutoff=MOST
    )
    return found[0] if found else None


def did_you_mean(
    word: object, choices: Iterable[str], *, shown: Callable[[str], str] = repr
) -> str:
    """ "did you mean 'x'?" for the closest choice (as `shown` writes it), "" when none is."""
    close = closest(word, choices)
    return f"did you mean {shown(close)}?" if close else ""
