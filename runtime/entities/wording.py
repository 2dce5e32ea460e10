"""Text clean-up shared by the entity types: one canonical, case-folded form of an answer."""

from __future__ import annotations

import re
import unicodedata

MAX_STRUCTURED = (
    500  # longer answers are not read as a number, date, ...; parsing cost stays bounded
)

_SPACES = re.compile(r"\s+")
_TYPOGRAPHY = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",
        "\u00b4": "'",  # acute accent
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash
    }
)
_EDGE_PUNCT = re.compile(r"^[\s;:!?\"'()\[\]{}<>«»¿¡*_]+|[\s.,;:!?\"'()\[\]{}<>«»¿¡*_]+$")


def plain(text: str) -> str:
    """Compatibility-normalised (NFKC), with straight quotes and ASCII minus signs."""
    return unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)


def fold(text: str) -> str:
    """`plain`, case-folded and single-spaced."""
    return _SPACES.sub(" ", plain(text).casefold()).strip()


def trim_punct(text: str) -> str:
    """Without the punctuation people put around a short answer ("Yes!", "(42)"); a leading
    decimal mark stays (".5")."""
    return _EDGE_PUNCT.sub("", text)


def tokens(folded: str) -> list[str]:
    """The words of an already folded text, without punctuation."""
    return re.findall(r"[^\W_]+(?:'[^\W_]+)?", folded)
