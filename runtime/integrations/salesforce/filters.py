"""Template filters for Salesforce dialogs: user text made safe for SOQL and SOSL, record ids
recognised, and Salesforce's error bodies turned into sentences for the user.

Escaping follows Salesforce's documented rules (REST API guide, "Quoted String Escape
Sequences" and "FIND {SearchQuery}"): in a SOQL string literal the backslash escapes
``\\ ' " \\n \\r \\t \\b \\f``, and inside LIKE also ``% _``; in a SOSL search term every reserved
character ``? & | ! { } [ ] ( ) ^ ~ * : \\ " ' + -`` takes a backslash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_SOQL_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_LIKE_ESCAPES = {"%": "\\%", "_": "\\_"}
SOSL_RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
_ID = re.compile(r"[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?")
_LIKE_SHAPES = {
    "contains": "%{}%",
    "startswith": "{}%",
    "endswith": "%{}",
    "exact": "{}",
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def soql_string(value: Any) -> str:
    """A quoted SOQL string literal holding `value`: ``O'Brien`` -> ``'O\\'Brien'``."""
    return "'" + "".join(_SOQL_ESCAPES.get(ch, ch) for ch in _text(value)) + "'"


def soql_like(value: Any, shape: str = "contains") -> str:
    """A quoted LIKE pattern matching `value` literally (its % and _ are not wildcards)."""
    if shape not in _LIKE_SHAPES:
        raise ValueError(f"soql_like: shape must be one of {', '.join(_LIKE_SHAPES)}")
    table = _SOQL_ESCAPES | _LIKE_ESCAPES
    escaped = "".join(table.get(ch, ch) for ch in _text(value))
    return "'" + _LIKE_SHAPES[shape].format(escaped) + "'"


def sosl_term(value: Any) -> str:
    """`value` as a SOSL search term for ``FIND {...}``, every reserved character escaped."""
    return "".join("\\" + ch if ch in SOSL_RESERVED else ch for ch in _text(value).strip())


def is_salesforce_id(value: Any) -> bool:
    """A 15- or 18-character record id (the shape only; the org decides whether it exists)."""
    return isinstance(value, str) and _ID.fullmatch(value.strip()) is not None


_SENTENCES = {
    "REQUIRED_FIELD_MISSING": "Salesforce needs a value for {fields} before it can save this.",
    "INVALID_FIELD": "Salesforce doesn't accept one of the fields I sent: {message}",
    "NOT_FOUND": "I couldn't find that record in Salesforce.",
    "ENTITY_IS_DELETED": "That record has been deleted in Salesforce.",
    "MALFORMED_ID": "That doesn't look like a Salesforce record id.",
    "INVALID_QUERY_FILTER_OPERATOR": "That doesn't look like a Salesforce record id.",
    "REQUEST_LIMIT_EXCEEDED": (
        "Your Salesforce org has used up its API requests for now. Please try again later."
    ),
    "API_DISABLED_FOR_ORG": "API access is not enabled for your Salesforce org.",
    "INVALID_SESSION_ID": "Your Salesforce session has ended. Please try again.",
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "Salesforce doesn't accept that value: {message}",
    "STRING_TOO_LONG": "One of the values is too long for Salesforce: {message}",
    "DUPLICATES_DETECTED": "Salesforce says this looks like a duplicate of an existing record.",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "Salesforce refused it: {message}",
    "INSUFFICIENT_ACCESS_OR_READONLY": "Your Salesforce user isn't allowed to do that.",
}
_BY_STATUS = {
    404: "I couldn't find that record in Salesforce.",
    500: "Salesforce had an internal error. Please try again in a few minutes.",
    502: "Salesforce is unavailable right now. Please try again in a few minutes.",
    503: "Salesforce is unavailable right now. Please try again in a few minutes.",
    504: "Salesforce took too long to answer. Please try again in a few minutes.",
}


def salesforce_error(response: Mapping[str, Any] | None) -> str:
    """One plain sentence for a failed Salesforce response (a node's `response`)."""
    if not response:
        return "I couldn't reach Salesforce. Please try again in a few minutes."
    status = response.get("status", 0)
    body = response.get("body")
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    code = str(first.get("errorCode", ""))
    message = str(first.get("message", "")).strip()
    if code in _SENTENCES:
        fields = first.get("fields") or []
        named = ", ".join(str(f) for f in fields) or "a required field"
        return _SENTENCES[code].format(fields=named, message=message)
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status == 0:
        return "I couldn't reach Salesforce. Please try again in a few minutes."
    if message:
        return f"Salesforce refused it: {message}"
    return f"Salesforce answered with an error (HTTP {status})."


FILTERS: Mapping[str, Callable[..., Any]] = {
    "soql_string": soql_string,
    "soql_like": soql_like,
    "sosl_term": sosl_term,
    "is_salesforce_id": is_salesforce_id,
    "salesforce_error": salesforce_error,
}
