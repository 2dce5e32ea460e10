"""Web addresses, found anywhere in a text.

An address with ``http://`` or ``https://`` is taken whatever its host; one without a scheme
("example.com/x", "www.example.org") counts only when its top-level domain is real (urlextract's
list) and gets ``https://``. Punctuation that ends the sentence is not part of the address
("see https://a.b/c." gives ``https://a.b/c``), nor is a closing bracket that opened outside it.
Scheme and host are lower-cased; path, query and fragment are kept as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from runtime.entities.base import Parsed, accept, reject
from runtime.entities.contact import email_spots
from runtime.entities.spots import Spot, blanked
from runtime.entities.wording import MAX_STRUCTURED

if TYPE_CHECKING:
    from urlextract import URLExtract

ERROR = "That doesn't look like a web address. Please try again, for example https://example.com."

_WITH_SCHEME = re.compile(r"(?<![\w.+-])https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_"
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}
_DOTTED_WORD = re.compile(r"\S*\.\w\S*")  # where a bare address can be: "example.com/x"


@lru_cache(maxsize=1)
def _extractor() -> URLExtract:
    from urlextract import URLExtract  # loads its list of top-level domains once

    return URLExtract(extract_email=False)


def _trim(raw: str) -> str:
    while raw:
        last = raw[-1]
        unbalanced = last in _PAIRS and raw.count(last) > raw.count(_PAIRS[last])
        if last in _TRAILING or unbalanced:
            raw = raw[:-1]
        else:
            break
    return raw


def normalise_url(raw: str) -> str | None:
    """The address with a scheme and a lower-cased host, or None when it is not a web address."""
    raw = _trim(raw.strip())
    if not re.match(r"(?i)https?://", raw):
        if "://" in raw or raw.startswith("//"):
            return None
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or parts.username is not None or re.search(r"[\s<>\"'`]", raw):
        return None
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def url_spots(text: str) -> list[Spot]:
    """Every web address in the text, in order, normalised; a spot ends where the address does,
    before the punctuation that `normalise_url` trims. No address is taken from inside an email
    address."""
    text = text[: MAX_STRUCTURED * 4]
    found = [(m.start(), m[0]) for m in _WITH_SCHEME.finditer(text)]
    taken = [(start, start + len(raw)) for start, raw in found]
    if "@" in text:
        taken += [(e.start, e.end) for e in email_spots(text)]
    bare = blanked(text, taken) if taken else text
    # urlextract tries its whole list of top-level domains at every character it is given
    # (about 10 µs each): give it only the words with a dot inside.
    for word in _DOTTED_WORD.finditer(bare):
        for raw, (start, _) in _extractor().find_urls(word[0], get_indices=True, check_dns=False):
            found.append((word.start() + start, raw))
    spots = []
    for start, raw in sorted(found):
        url = normalise_url(raw)
        if url is not None:
            lead = len(raw) - len(raw.lstrip())
            spots.append(Spot(url, start + lead, start + lead + len(_trim(raw.strip()))))
    return spots


def parse_url(text: str) -> Parsed:
    found = url_spots(text)
    return accept(found[0].value) if found else reject(ERROR)
