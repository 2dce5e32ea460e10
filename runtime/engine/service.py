"""Service calls: one injectable httpx2 client, per-attempt timeouts, retries for idempotent
methods.

Any HTTP status is a response the dialog can branch on. Only transport failures (timeout, refused
connection, bad TLS) raise `ServiceError`. GET, PUT and DELETE are retried on 502/503/504 and
transport failures with exponential backoff; POST and PATCH never are, so a record is never
created twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx2

from runtime.errors import InternalError, ServiceError
from runtime.outbound import HTTP_TIMEOUT

log = logging.getLogger("parley.service")

IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})
# Failures that happen before a request leaves: its effect certainly did not happen.
NEVER_SENT = (
    httpx2.ConnectError,
    httpx2.ConnectTimeout,
    httpx2.PoolTimeout,
    httpx2.ProxyError,
    httpx2.UnsupportedProtocol,
    httpx2.LocalProtocolError,
)


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    method: str
    url: str
    headers: dict[str, str]
    query: dict[str, str]
    json: Any = None
    has_json: bool = False
    timeout: float = HTTP_TIMEOUT


@dataclass(frozen=True, slots=True)
class CallSite:
    """Who makes a call, from where: the user, and the service node of their dialog."""

    user: str
    dialog: str
    node: str


class Services(Protocol):
    """The executor's seam for service calls, given at construction (as httpx2 takes a
    transport): `ServiceClient` sends over HTTP; a transcript replay answers from stubs."""

    async def call(
        self, request: ServiceRequest, *, retry: bool | None = None, site: CallSite | None = None
    ) -> httpx2.Response:
        """The response; raises `ServiceError` when no answer came (`maybe_sent` says whether
        the request may have arrived)."""
        ...


def response_record(response: httpx2.Response) -> dict[str, Any]:
    """What a dialog sees of a response: plain data, stored with the conversation."""
    try:
        body: Any = response.json() if response.content else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = response.text
    return {
        "status": response.status_code,
        "ok": response.is_success,
        "body": body,
        "headers": {k.lower(): v for k, v in response.headers.items() if k.lower() in _KEPT},
    }


# Headers a dialog may want; the rest (cookies, tracing noise) is not stored with the state.
_KEPT = frozenset(
    {"content-type", "location", "retry-after", "etag", "last-modified", "sforce-limit-info"}
)


class ServiceClient(Services):
    def __init__(
        self,
        http: httpx2.AsyncClient,
        *,
        attempts: int = 3,
        backoff: float = 0.2,
    ) -> None:
        self.http = http
        self.attempts = attempts
        self.backoff = backoff

    async def call(
        self, request: ServiceRequest, *, retry: bool | None = None, site: CallSite | None = None
    ) -> httpx2.Response:
        """Send `request`; `retry` (default: for idempotent methods) allows further attempts
        on transport failures and 502/503/504. `site` is not needed to send."""
        if retry is None:
            retry = request.method in IDEMPOTENT
        tries = self.attempts if retry else 1
        maybe_sent = False  # any attempt may have reached the service
        for attempt in range(1, tries + 1):
            try:
                response = await self.http.request(
                    request.method,
                    request.url,
                    headers=request.headers or None,
                    params=request.query or None,
                    json=request.json if request.has_json else None,
                    timeout=request.timeout,
                )
            except httpx2.TransportError as exc:
                maybe_sent = maybe_sent or not isinstance(exc, NEVER_SENT)
                if attempt == tries:
                    raise ServiceError(_describe(exc, request), maybe_sent=maybe_sent) from exc
                log.warning("%s %s failed (%s); retrying", request.method, _safe(request), exc)
            else:
                if response.status_code not in RETRY_STATUSES or attempt == tries:
                    return response
                log.warning(
                    "%s %s answered %s; retrying",
                    request.method,
                    _safe(request),
                    response.status_code,
                )
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise InternalError("the retry loop ended without an answer")  # pragma: no cover


def _safe(request: ServiceRequest) -> str:
    """The URL without its query string, which may carry user data or keys."""
    return request.url.split("?", 1)[0]


def _describe(exc: httpx2.TransportError, request: ServiceRequest) -> str:
    if isinstance(exc, httpx2.TimeoutException) and not isinstance(exc, NEVER_SENT):
        kind = "timed out"
    elif isinstance(exc, NEVER_SENT):
        kind = "could not be reached"
    else:
        kind = "got no answer"
    return f"{request.method} {_safe(request)} {kind} ({type(exc).__name__})"
