"""How utterances are compared for sameness: case, punctuation and spacing do not count."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^\w']+")


def utterance_key(text: str) -> str:
    """Case, punctuation and spacing aside: "Create a lead!" is "create  a Lead"."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())
