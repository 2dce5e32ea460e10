"""The words with which a user leaves an optional entity empty."""

from __future__ import annotations

from runtime.entities.wording import fold, trim_punct

# "no" and "no thanks" are missing on purpose: they are answers to a yes/no question.
SKIP_WORDS = frozenset(
    {
        "skip",
        "skip it",
        "skip this",
        "skip this one",
        "skip that",
        "none",
        "n/a",
        "na",
        "not applicable",
        "nothing",
        "-",
    }
)


def is_skip(text: str) -> bool:
    """Whether the answer asks to leave an optional entity empty ("skip", "none", "n/a")."""
    folded = fold(text)
    return folded in SKIP_WORDS or trim_punct(folded) in SKIP_WORDS
