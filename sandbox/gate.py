"""The middlewares every request passes, outermost first:

1. `headers`: the response headers Salesforce sends (security headers, BrowserId cookie,
   `Sforce-Limit-Info` on `/services/data/vNN.N/...`), and gzip for large API answers when the
   client accepts it.
2. `errors`: the catch-all. Sandbox errors become Salesforce's error shapes; anything else a 500
   in the same shape, logged here, never a traceback on the wire.
3. `api_gate`: for `/services/data/vNN.N/...`: the version, the `_HttpMethod` override, the
   token, the edition's API access and the daily request limit.

(`sandbox.controls` adds its request log and fault injection around these when enabled.)
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from sandbox.errors import (
    ApiError,
    OAuthError,
    PlainTextError,
    SandboxError,
    invalid_session,
    not_found,
)
from sandbox.identity import bearer_token
from sandbox.keys import ISSUER, METHOD, ORG, SESSION, VERSION
from sandbox.responses import dumps, json_response
from sandbox.versions import check_version

log = logging.getLogger("sandbox")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DATA_PREFIX = "/services/data/"
COMPRESS_FROM = 4096  # smaller answers cost more to gzip than they save on loopback
OAUTH_PREFIX = "/services/oauth2/"
_SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-XSS-Protection": "1; mode=block",
    "X-Robots-Tag": "none",
    "Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private",
}
_STATUS_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_ENTITY_TOO_LARGE",
    414: "URI_TOO_LONG",
    415: "UNSUPPORTED_MEDIA_TYPE",
    431: "REQUEST_HEADER_FIELDS_TOO_LARGE",
}


def is_api_path(path: str) -> bool:
    """True under a version: `/services/data/vNN.N/...` (not the versions list itself)."""
    return path.startswith(DATA_PREFIX) and len(path) > len(DATA_PREFIX)


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if not request.path.startswith("/services/"):
        return response
    response.headers.update(_SECURITY_HEADERS)
    if "BrowserId" not in request.cookies:
        response.set_cookie(
            "BrowserId", secrets.token_urlsafe(16), path="/", max_age=31536000, samesite="Lax"
        )
    if is_api_path(request.path):
        response.headers["Sforce-Limit-Info"] = request.app[ORG].limits.header
        response.headers["Vary"] = "Accept-Encoding"
        body = response.body if isinstance(response, web.Response) else None
        if isinstance(body, bytes) and len(body) >= COMPRESS_FROM:
            response.enable_compression()
    return response


def _api_error_response(request: web.Request, error: ApiError) -> web.Response:
    return json_response(request, error.body(), status=error.status, headers=error.headers)


def _http_error(request: web.Request, exc: web.HTTPException) -> web.StreamResponse:
    """A routing or protocol error from aiohttp, in the shape of the path it hit."""
    if request.path.startswith(DATA_PREFIX):
        if exc.status == 404:
            return _api_error_response(request, not_found())
        code = _STATUS_CODES.get(exc.status, "UNKNOWN_EXCEPTION")
        return _api_error_response(request, ApiError(exc.status, code, exc.reason))
    if request.path.startswith(OAUTH_PREFIX):
        error = OAuthError("invalid_request", exc.reason.lower(), status=exc.status)
        return json_response(request, error.body(), status=exc.status)
    raise exc


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return _api_error_response(request, error)
    except OAuthError as error:
        return json_response(request, error.body(), status=error.status)
    except PlainTextError as error:
        return web.Response(status=error.status, text=error.text)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/services/"):
            raise
        return _http_error(request, exc)
    except SandboxError as error:
        log.warning("sandbox error on %s %s: %s", request.method, request.path, error)
        return web.Response(status=400, text=str(error))
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if request.path.startswith(OAUTH_PREFIX):
            body = {"error": "server_error", "error_description": "internal server error"}
            return web.Response(
                status=500,
                body=dumps(body),
                headers={"Content-Type": "application/json;charset=UTF-8"},
            )
        error_id = f"{secrets.randbelow(10**10)}-{secrets.randbelow(10**5)}"
        return _api_error_response(
            request,
            ApiError(
                500,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact "
                f"support: {error_id} (-{secrets.randbelow(10**10)})",
            ),
        )


@web.middleware
async def api_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if not is_api_path(path):
        return await handler(request)
    segment = path[len(DATA_PREFIX) :].split("/", 1)[0]
    request[VERSION] = check_version(segment)
    override = request.query.get("_HttpMethod")
    request[METHOD] = override if request.method == "POST" and override else request.method
    header = request.headers.get("Authorization")
    token = bearer_token(request)
    if header and token is None:
        raise ApiError(
            401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE", headers={"WWW-Authenticate": "Token"}
        )
    session = request.app[ISSUER].session(token) if token else None
    if session is None:
        raise invalid_session()
    if not session.api_allowed:
        raise invalid_session("This session is not valid for use with the REST API")
    org = request.app[ORG]
    if not org.edition.api_enabled:
        raise ApiError(
            403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization."
        )
    org.limits.used += 1
    if org.limits.used > org.limits.max:
        raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    request[SESSION] = session
    return await handler(request)
