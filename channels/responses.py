"""JSON error bodies, and the middleware that turns an unexpected failure into one.

A body that cannot be read (its Content-Encoding does not decode, its chunks are broken) is the
client's: 400 `bad_request`, without a traceback. aiohttp also logs it once more when it drains
what is left of that body after the answer; `channels.logs` makes that one WARNING line.

aiohttp then closes the connection, though the answer (this 400, or a 404 or 405 sent without
reading the body) promised to keep it open, so a client sending its next request on it finds it
gone. `close_after_encoded_body` says `Connection: close` on every answer to a request whose
encoded body was not read to its end: the connection may not outlive the answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from runtime.errors import StoreError

log = logging.getLogger("parley.channels")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, code: str, message: str) -> web.Response:
    """`{"error": {"code", "message"}}` with `status`."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Never a traceback on the wire: the log gets it, the client a sentence."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except web.RequestPayloadError:  # a body aiohttp could not decode (Content-Encoding, chunks)
        return json_error(400, "bad_request", "The request body could not be read.")
    except StoreError:
        log.exception("%s %s: the store failed", request.method, request.path)
        return json_error(503, "unavailable", "The conversation store is not answering.")
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return json_error(500, "internal", "Something went wrong on the server.")


async def close_after_encoded_body(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """`on_response_prepare`: `Connection: close` when the request's body is encoded
    (`Content-Encoding`) and was not read to its end; aiohttp decodes what is left after the
    answer and drops the connection if that fails."""
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if (
        encoding not in ("", "identity")
        and request.body_exists
        and not request.content.is_eof()
        and not isinstance(response, web.WebSocketResponse)
    ):
        response.force_close()
        response.headers["Connection"] = "close"  # the headers are made; say it there too
