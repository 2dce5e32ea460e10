"""The REST API versions the sandbox serves and how a URL's `vNN.N` segment is judged."""

from __future__ import annotations

import re

from sandbox.errors import ApiError, not_found

_RELEASES = ["Summer", "Winter", "Spring"]
OLDEST_SUPPORTED = 31
NEWEST = 62
LATEST = f"{NEWEST}.0"
_SEGMENT = re.compile(r"v(\d{1,3})\.(\d)")


def label(major: int) -> str:
    """The release name of an API version: 59 is "Winter '24", 62 "Winter '25"."""
    season = _RELEASES[(major - 31) % 3]
    year = 2014 + (major - 31 + 2) // 3
    return f"{season} '{year % 100:02d}"


def versions_list() -> list[dict[str, str]]:
    """`GET /services/data/`: every supported version, oldest first."""
    return [
        {"label": label(n), "url": f"/services/data/v{n}.0", "version": f"{n}.0"}
        for n in range(OLDEST_SUPPORTED, NEWEST + 1)
    ]


def check_version(segment: str) -> str:
    """The version ("59.0") a `v59.0` path segment names; 410 if retired, 404 if unknown."""
    match = _SEGMENT.fullmatch(segment)
    if not match or match.group(2) != "0":
        raise not_found()
    major = int(match.group(1))
    if major < OLDEST_SUPPORTED and major >= 1:
        raise ApiError(
            410,
            "GONE",
            f"Version {major}.0 of the REST API has been retired and is no longer available.",
            code_first=True,
        )
    if major > NEWEST or major < 1:
        raise not_found()
    return f"{major}.0"
