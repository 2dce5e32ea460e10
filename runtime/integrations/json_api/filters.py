"""Template filters for dialogs that call a JSON API: a value made safe as one segment of a URL
path, and an error answer turned into a sentence for the user."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

# Where APIs commonly put the reason for an error, in the order they are looked for.
_MESSAGE_KEYS = ("message", "error_description", "detail", "title", "error")


def path_segment(value: Any) -> str:
    """`value` percent-encoded for one path segment: ``a/b c`` becomes ``a%2Fb%20c``
    (Jinja's `urlencode` leaves ``/`` as it is, which would change the path)."""
    return quote("" if value is None else str(value), safe="")


def api_error(response: Any, service: str = "The API") -> str:
    """A sentence for a call that failed: its status and the API's own reason when the body
    gives one (``{"message": ...}``, ``{"error": {"message": ...}}``, ...)."""
    if not isinstance(response, Mapping):
        return f"{service} did not answer."
    status = response.get("status")
    reason = _reason(response.get("body"))
    said = f": {reason}" if reason else "."
    return f"{service} answered {status}{said}"


def _reason(body: Any) -> str:
    if isinstance(body, str):
        return body.strip()[:200]
    if isinstance(body, Mapping):
        for key in _MESSAGE_KEYS:
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:200]
            if isinstance(value, Mapping):  # {"error": {"message": "..."}}
                inner = _reason(value)
                if inner:
                    return inner
    return ""


FILTERS: Mapping[str, Callable[..., Any]] = {
    "path_segment": path_segment,
    "api_error": api_error,
}
