"""Cleaning what a user typed before the engine reads it."""

from __future__ import annotations

import re
import unicodedata

from runtime.errors import ChannelError

_SPACES = re.compile(r"[ \t\r\n]+")
# A NUL or a lone surrogate: not text. Lone surrogates cannot even be encoded (no store, log
# file or socket can carry them); a NUL ends strings in C libraries and terminals.
_MALFORMED = re.compile("[\x00\ud800-\udfff]")
MALFORMED = "Text must not hold a NUL character or a lone surrogate."


def malformed(text: str) -> bool:
    """`text` holds a NUL or a lone surrogate, which every channel refuses with `bad_request`
    (spec/channels.md) rather than pass on or quietly drop."""
    return _MALFORMED.search(text) is not None


def clean_text(text: object, *, max_chars: int) -> str:
    """Return the message with control characters removed and white space folded.

    Raises ChannelError("too_long" | "bad_request") for what cannot be processed.
    """
    if not isinstance(text, str):
        raise ChannelError("bad_request", "A message must be text.")
    if len(text) > max_chars:
        raise ChannelError(
            "too_long",
            f"That message is too long: {len(text):,} characters, at most {max_chars:,}.",
        )
    if text.isprintable():  # the common case: no control or format character to remove
        kept = text
    else:
        kept = "".join(
            ch
            for ch in text
            if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
        )
    if "  " in kept or "\t" in kept or "\n" in kept or "\r" in kept:
        folded = _SPACES.sub(" ", kept).strip()
    else:  # nothing to fold: the common case, without the regex
        folded = kept.strip()
    if not folded:
        raise ChannelError("bad_request", "The message is empty.")
    return folded


def normalise_command(text: str) -> str:
    """Lower-case, without surrounding punctuation: how cancel/restart words are compared."""
    return text.strip().strip(".!?").strip().lower()
