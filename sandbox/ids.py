"""Salesforce record ids: 15 case-sensitive base-62 characters plus a 3-character checksum.

The first three characters are the object's key prefix, the next two a pod marker, the last ten
a sequence. Requests may use 15 or 18 characters; responses always use 18.
"""

from __future__ import annotations

import re
import string

_CHECKSUM_ALPHABET = string.ascii_uppercase + "012345"
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_ID_SHAPE = re.compile(r"[0-9A-Za-z]{15}(?:[0-9A-Z]{3})?")
POD = "gS"
QUERY_LOCATOR_PREFIX = "01g"


def checksum(id15: str) -> str:
    """The three characters that make a 15-character id case-insensitively unique."""
    suffix = []
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if char.isupper():
                bits |= 1 << position
        suffix.append(_CHECKSUM_ALPHABET[bits])
    return "".join(suffix)


def to18(id15: str) -> str:
    """The 18-character form of a 15- or 18-character id."""
    return id15[:15] + checksum(id15[:15])


def normalize(value: str) -> str | None:
    """The 18-character id `value` stands for, or None if it is not a well-formed id."""
    if not _ID_SHAPE.fullmatch(value):
        return None
    full = to18(value)
    if len(value) == 18 and value[15:] != full[15:]:
        return None
    return full


def make_id(prefix: str, sequence: int) -> str:
    """The 18-character id of the `sequence`-th record with this key prefix."""
    digits = []
    for _ in range(10):
        sequence, rest = divmod(sequence, 62)
        digits.append(_BASE62[rest])
    return to18(prefix + POD + "".join(reversed(digits)))
