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
from runtime.entities.wording import MAX_STRUCTURED

if TYPE_CHECKING:
    from urlextract import URLExtract

ERROR = "That doesn't look like a web address. Please try again, for example https://example.com."

_WITH_SCHEME = re.compile(r"(?<![\w.+-])https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_"
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}


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


def urls_in(text: str) -> list[str]:
    """Every web address in the text, in order, normalised."""
    text = text[: MAX_STRUCTURED * 4]
    found = [(m.start(), m.end(), m[0]) for m in _WITH_SCHEME.finditer(text)]
    bare = text[: found[0][0]] if found else text  # only a bare address can come first
    if "." in bare:
        for raw, (start, end) in _extractor().find_urls(bare, get_indices=True, check_dns=False):
            found.append((start, end, raw))
    urls = [normalise_url(raw) for _, _, raw in sorted(found)]
    return [url for url in urls if url is not None]


def parse_url(text: str) -> Parsed:
    found = urls_in(text)
    return accept(found[0]) if found else reject(ERROR)
