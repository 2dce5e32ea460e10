"""Reading a JSON request body the way Salesforce's parser reports problems (JSON_PARSER_ERROR)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from sandbox.errors import ApiError, json_parser_error

_EXPECTATIONS = {
    "Expecting ':' delimiter": "was expecting a colon to separate field name and value",
    "Expecting ',' delimiter": "was expecting comma to separate Object entries",
    "Expecting property name enclosed in double quotes": "was expecting double-quote to start "
    "field name",
    "Expecting value": "expected a valid value (JSON String, Number, Array, Object or token "
    "'null', 'true' or 'false')",
    "Extra data": "expected end of input",
}
_JSON_TYPES = ("application/json", "text/json", "application/octet-stream")
NO_BODY = "The HTTP entity body is required, but this request has no entity body."


def _jackson_message(text: str, error: json.JSONDecodeError) -> str:
    where = f"[line:{error.lineno}, column:{error.colno + 1}]"
    if error.pos >= len(text.rstrip()):
        return f"Unexpected end-of-input: expected close marker for OBJECT at {where}"
    char = text[error.pos]
    if error.msg == "Expecting value" and char.isalpha():
        word = ""
        for c in text[error.pos :]:
            if not c.isalnum():
                break
            word += c
        return (
            f"Unrecognized token '{word}': was expecting (JSON String, Number, Array, Object or "
            f"token 'null', 'true' or 'false') at {where}"
        )
    expectation = _EXPECTATIONS.get(error.msg, error.msg)
    return f"Unexpected character ('{char}' (code {ord(char)})): {expectation} at {where}"


def parse_json(text: str) -> Any:
    """The decoded JSON of `text`, or ApiError JSON_PARSER_ERROR in Jackson's words."""
    if not text.strip():
        raise json_parser_error(NO_BODY)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise json_parser_error(_jackson_message(text, error)) from None
    except RecursionError:
        raise json_parser_error("Document nested too deeply") from None


async def read_json_object(request: web.Request, sobject: str) -> tuple[dict[str, Any], str]:
    """The request's body as a JSON object, with its text (for error positions)."""
    content_type = request.content_type
    if content_type not in _JSON_TYPES:
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Content type '{content_type}' not supported for this resource",
            code_first=True,
        )
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise json_parser_error("Invalid UTF-8 middle byte in the request body") from None
    data = parse_json(text)
    if not isinstance(data, dict):
        token = "START_ARRAY" if isinstance(data, list) else "VALUE_STRING"
        raise json_parser_error(
            f"Cannot deserialize instance of {sobject} from {token} value at [line:1, column:1]"
        )
    return data, text


def position_of(text: str, key: str, value: Any) -> str:
    """Jackson's '[line:L, column:C]' for the end of `key`'s value in `text`, as near as we can."""
    start = text.find(json.dumps(key))
    if start < 0:
        return "[line:1, column:1]"
    end = text.find(json.dumps(value, ensure_ascii=False), start + len(key) + 2)
    end = (end if end >= 0 else start) + len(json.dumps(value, ensure_ascii=False))
    line = text.count("\n", 0, end) + 1
    column = end - (text.rfind("\n", 0, end) + 1) + 1
    return f"[line:{line}, column:{column}]"
