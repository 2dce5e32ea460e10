"""Template filters for Salesforce dialogs: user text made safe for SOQL and SOSL, record ids
recognised, and Salesforce's error bodies turned into sentences for the user.

Escaping follows Salesforce's documented rules (REST API guide, "Quoted String Escape
Sequences" and "FIND {SearchQuery}"): in a SOQL string literal the backslash escapes
``\\ ' " \\n \\r \\t \\b \\f``, and inside LIKE also ``% _``; in a SOSL search term every reserved
character ``? & | ! { } [ ] ( ) ^ ~ * : \\ " ' + -`` takes a backslash, and each word is quoted so
that words such as AND, OR and NOT are searched for rather than read as operators.
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
    """`value` as a SOSL search term for ``FIND {...}``: each word a quoted phrase (so AND, OR
    and NOT are plain words), every reserved character escaped; the words must all match."""
    words = _text(value).split()
    return " ".join(
        '"' + "".join("\\" + ch if ch in SOSL_RESERVED else ch for ch in word) + '"'
        for word in words
    )


def is_searchable(value: Any) -> bool:
    """Whether a search phrase has the two letters or digits Salesforce's search requires."""
    return sum(1 for ch in _text(value) if ch.isalnum()) >= 2


def is_salesforce_id(value: Any) -> bool:
    """A 15- or 18-character record id (the shape only; the org decides whether it exists).

    Every record id holds digits (its key prefix and sequence), so a 15-letter word such as a
    surname is not taken for one."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return _ID.fullmatch(text) is not None and any(ch.isdigit() for ch in text)


# -- error bodies as sentences ----------------------------------------------------------------

_FIELD_WORDS = {
    "LastName": "last name",
    "FirstName": "first name",
    "StageName": "stage",
    "CloseDate": "close date",
    "Name": "name",
}
_NO_SUCH_COLUMN = re.compile(r"No such column '([^']+)' on (?:sobject of type|entity) '?(\w+)'?")
_TOO_LONG = re.compile(r"^(.+?): data value too large: .*\(max length=(\d+)\)$", re.DOTALL)
_INCORRECT_TYPE = re.compile(r"^(\w+) ID: id value of incorrect type")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

_SENTENCES = {
    "NOT_FOUND": "I couldn't find that record in Salesforce.",
    "ENTITY_IS_DELETED": "That record has been deleted in Salesforce.",
    "INVALID_QUERY_FILTER_OPERATOR": "That doesn't look like a Salesforce record id.",
    "REQUEST_LIMIT_EXCEEDED": (
        "Your Salesforce org has used up its API requests for now. Please try again later."
    ),
    "API_DISABLED_FOR_ORG": "API access is not enabled for your Salesforce org.",
    "INVALID_SESSION_ID": "Your Salesforce session has ended. Please try again.",
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "Salesforce doesn't accept that value: {message}",
    "INVALID_EMAIL_ADDRESS": "Salesforce doesn't accept that email address.",
    "DUPLICATES_DETECTED": "Salesforce says this looks like a duplicate of an existing record.",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "Salesforce refused it: {message}",
    "INSUFFICIENT_ACCESS_OR_READONLY": "Your Salesforce user isn't allowed to do that.",
    "INVALID_SEARCH": "Please give me at least two letters or digits to search for.",
    "MALFORMED_SEARCH": "Salesforce couldn't read that search. Please try other words.",
    "MALFORMED_QUERY": "Salesforce couldn't read the query I sent, so I couldn't look that up.",
}
_BY_STATUS = {
    404: "I couldn't find that record in Salesforce.",
    500: "Salesforce had an internal error. Please try again in a few minutes.",
    502: "Salesforce is unavailable right now. Please try again in a few minutes.",
    503: "Salesforce is unavailable right now. Please try again in a few minutes.",
    504: "Salesforce took too long to answer. Please try again in a few minutes.",
}
_UNREACHABLE = "I couldn't reach Salesforce. Please try again in a few minutes."


def _field_words(name: str) -> str:
    return _FIELD_WORDS.get(name) or _CAMEL.sub(" ", name.removesuffix("__c")).lower()


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _last_line(message: str) -> str:
    """The human part of a message; positional errors put the query and a caret before it."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _sentence(code: str, message: str, fields: list[str]) -> str | None:
    if code == "REQUIRED_FIELD_MISSING":
        named = _and([_field_words(f) for f in fields]) if fields else "a required field"
        return f"Salesforce needs the {named} before it can save this."
    if code == "INVALID_FIELD":
        column = _NO_SUCH_COLUMN.search(message)
        if column:
            return (
                f"Salesforce has no field {column.group(1)} on {column.group(2)}, so I couldn't "
                "do that. Please tell whoever looks after this bot."
            )
        return f"Salesforce doesn't accept one of the fields I sent: {_last_line(message)}"
    if code == "STRING_TOO_LONG":
        too_long = _TOO_LONG.match(message)
        if too_long:
            label, most = too_long.group(1).lower(), too_long.group(2)
            return f"The {label} is too long for Salesforce (at most {most} characters)."
        return "One of the values is too long for Salesforce."
    if code == "MALFORMED_ID":
        wrong_type = _INCORRECT_TYPE.match(message)
        if wrong_type and wrong_type.group(1) != "Record":
            return f"That isn't the id of a {wrong_type.group(1).lower()}."
        return "That doesn't look like a Salesforce record id."
    if code in _SENTENCES:
        return _SENTENCES[code].format(message=_last_line(message))
    return None


def salesforce_error(response: Mapping[str, Any] | None) -> str:
    """One plain sentence for a failed Salesforce response (a node's `response`)."""
    if not response:
        return _UNREACHABLE
    status = response.get("status", 0)
    body = response.get("body")
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    code = str(first.get("errorCode", ""))
    message = str(first.get("message", "")).strip()
    fields = [str(f) for f in first.get("fields") or []]
    sentence = _sentence(code, message, fields)
    if sentence is not None:
        return sentence
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status == 0:
        return _UNREACHABLE
    if message:
        return f"Salesforce refused it: {_last_line(message)}"
    return f"Salesforce answered with an error (HTTP {status})."


FILTERS: Mapping[str, Callable[..., Any]] = {
    "soql_string": soql_string,
    "soql_like": soql_like,
    "sosl_term": sosl_term,
    "is_searchable": is_searchable,
    "is_salesforce_id": is_salesforce_id,
    "salesforce_error": salesforce_error,
}
