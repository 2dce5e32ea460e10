"""JSON error bodies, and the middleware that turns an unexpected failure into one."""

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
    except StoreError:
        log.exception("%s %s: the store failed", request.method, request.path)
        return json_error(503, "unavailable", "The conversation store is not answering.")
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return json_error(500, "internal", "Something went wrong on the server.")
