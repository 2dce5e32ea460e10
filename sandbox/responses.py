"""Building responses the way Salesforce formats them: compact JSON (pretty with X-PrettyPrint),
`application/json;charset=UTF-8`, and the OAuth JSON shape."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

JSON_TYPE = "application/json;charset=UTF-8"


def dumps(data: Any, *, pretty: bool = False) -> bytes:
    if pretty:
        return json.dumps(data, indent=2, separators=(",", " : "), ensure_ascii=False).encode()
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(
    request: web.Request | None,
    data: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A JSON response; `X-PrettyPrint: 1` on the request indents it as Salesforce does."""
    pretty = request is not None and request.headers.get("X-PrettyPrint") == "1"
    return web.Response(
        body=dumps(data, pretty=pretty),
        status=status,
        headers={"Content-Type": JSON_TYPE, **(headers or {})},
    )


def no_content() -> web.Response:
    """204 with no body and no Content-Type."""
    response = web.Response(status=204)
    response.content_type = "application/octet-stream"
    del response.headers["Content-Type"]
    return response
