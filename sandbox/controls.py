"""Test controls under `/_sandbox/`, JSON in and out, mounted only when the sandbox is started
with controls on (otherwise those paths are plain 404s).

    GET    /_sandbox                      the org's state (edition, usage, limits, demo app)
    POST   /_sandbox/reset                back to a new org (same demo app and user)
    GET|PUT /_sandbox/settings            {edition, auto_approve, token_ttl, api_limit, api_usage}
    PUT    /_sandbox/edition              {"edition": "professional"}
    POST   /_sandbox/tokens/expire        {"token": ACCESS_TOKEN} or {} for every access token
    POST   /_sandbox/refresh-tokens/revoke {"token": REFRESH_TOKEN} or {} for all
    GET|POST|DELETE /_sandbox/faults      inject a fault into the next N matching requests:
           {"method": "GET", "path": "/services/data/*/query*", "count": 1,
            "status": 503, "body": ..., "headers": {...}, "delay": 0.5, "drop": false,
            "after_commit": false}
    GET|DELETE /_sandbox/requests         the request log: method, path, grant_type, status
    POST   /_sandbox/apps                 {"name", "callback_urls": [...], "scopes"?,
                                           "rotate_refresh_tokens"?} -> client id and secret
    POST   /_sandbox/users                {"username", "password", "first_name"?, "last_name"?,
                                           "email"?}
    POST   /_sandbox/records/{sobject}    {"records": [{...}, ...]} seeds records in bulk

Fault keys: `path` (a glob, required), `method` ("*" by default), `count` (1), and at least one
of `status` (answer it instead, with `body` and `headers`), `delay` (seconds to hold the request)
and `drop` (close the connection without an answer; wins over `status`). By default the fault
acts before the real handler runs, so the request never takes effect: a client that gives up
during a `delay` leaves nothing behind. With `"after_commit": true` the real handler runs first,
so its effect (a record created, updated, deleted, a token issued) is stored, and only then is
its answer held (`delay`), lost (`drop`) or replaced (`status`: "committed, then answered 500").
This is "the POST happened but its answer never arrived": e.g.

    {"method": "POST", "path": "*/sobjects/Lead", "after_commit": true, "delay": 5}

Log entries: `status` is the answer's, None when the client got none; a dropped request has
"dropped": true; "client_gone": true when the client closed the connection during a delay; an
after_commit fault adds "after_commit": true and "committed_status", the real handler's status.

The request log keeps no query strings, bodies or headers, so no secret reaches it.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from aiohttp import web

from sandbox.config import Edition
from sandbox.errors import ApiError, SandboxError
from sandbox.gate import DATA_PREFIX, Handler
from sandbox.keys import CONTROLS, DROPPED, LOCATORS, ORG
from sandbox.org import Org
from sandbox.records import new_row, validate
from sandbox.responses import dumps, json_response
from sandbox.schema import SCHEMA, lookup_object
from sandbox.store import ConnectedApp, digest, new_client_id, new_client_secret, now_iso

PREFIX = "/_sandbox"
LOG_SIZE = 10_000
_DEFAULT_FAULT_BODIES = {
    500: (
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred. Please include this ErrorId if "
        "you contact support: 1234567890-12345 (-1234567890)",
    ),
    503: ("SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later."),
}


class ControlError(SandboxError):
    """A bad control request: 400 {"error": message}."""


@dataclass
class Fault:
    """What to do to the next `count` requests matching `method` and the `path` glob."""

    path: str
    method: str = "*"
    count: int = 1
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    after_commit: bool = False

    def matches(self, request: web.Request) -> bool:
        return (self.method == "*" or self.method.upper() == request.method) and (
            fnmatch.fnmatchcase(request.path, self.path)
        )


_FAULT_KEYS = frozenset(f.name for f in fields(Fault))


@dataclass
class Controls:
    """Faults waiting to fire and the request log."""

    faults: list[Fault] = field(default_factory=list)
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LOG_SIZE))

    def take_fault(self, request: web.Request) -> Fault | None:
        for fault in self.faults:
            if fault.matches(request):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None


# What a fault did to a request, for its log entry: these keys join or replace the entry's.
FAULT_NOTES: web.RequestKey[dict[str, Any]] = web.RequestKey("fault_notes", dict)


def _entry(request: web.Request, status: int | None, grant_type: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"method": request.method, "path": request.path, "status": status}
    if grant_type is not None:
        entry["grant_type"] = grant_type
    if request.get(DROPPED):
        entry["status"] = None
        entry["dropped"] = True
    entry.update(request.get(FAULT_NOTES, {}))
    return entry


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every request but the controls' own."""
    if request.path.startswith(PREFIX):
        return await handler(request)
    grant_type = None
    if request.path == "/services/oauth2/token" and request.method == "POST":
        try:
            grant_type = str((await request.post()).get("grant_type", ""))
        except ValueError:
            grant_type = ""
    log = request.app[CONTROLS].log
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        log.append(_entry(request, exc.status, grant_type))
        raise
    except asyncio.CancelledError:
        # With handler_cancellation on, a client that leaves cancels its handler. During an
        # after_commit delay the effect is already stored, so the request is logged all the same.
        if request.get(FAULT_NOTES, {}).get("after_commit"):
            log.append({**_entry(request, None, grant_type), "client_gone": True})
        raise
    log.append(_entry(request, response.status, grant_type))
    return response


def _fault_response(request: web.Request, fault: Fault) -> web.Response:
    status = fault.status or 500
    body = fault.body
    if body is None and request.path.startswith(DATA_PREFIX):
        code, message = _DEFAULT_FAULT_BODIES.get(
            status, ("UNKNOWN_EXCEPTION", f"Injected fault {status}")
        )
        body = ApiError(status, code, message).body()
    if isinstance(body, str):
        return web.Response(status=status, text=body, headers=fault.headers)
    return json_response(request, body if body is not None else {}, status, fault.headers)


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _drop(request: web.Request) -> web.Response:
    """Abort the connection before a byte is written: the client sees it close with no answer,
    and aiohttp quietly discards the response returned here (as it does for any answer to a
    client that has gone)."""
    if request.transport is not None:
        request.transport.abort()
    request[DROPPED] = True
    return web.Response(status=499)


@web.middleware
async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(PREFIX):
        return await handler(request)
    fault = request.app[CONTROLS].take_fault(request)
    if fault is None:
        return await handler(request)
    if fault.after_commit:
        return await _after_commit(request, handler, fault)
    if fault.delay:
        await asyncio.sleep(fault.delay)
        if _client_gone(request):
            # The client gave up during the delay: the handler never runs, so the request
            # never takes effect (whatever its method, and with no error from a body read on a
            # closed connection).
            request[FAULT_NOTES] = {"status": None, "client_gone": True}
            return web.Response(status=499)
    if fault.drop:
        return _drop(request)
    if fault.status is not None:
        return _fault_response(request, fault)
    return await handler(request)


async def _after_commit(request: web.Request, handler: Handler, fault: Fault) -> web.StreamResponse:
    """Run the real handler, so its effect is stored, then hold, lose or replace its answer.

    A handler that refuses (an error answer, so nothing committed) has that error answer
    held, lost or replaced the same way. If the client leaves during the delay, the answer goes
    nowhere (aiohttp ignores the write), or, with handler_cancellation on, the sleep is
    cancelled: either way the effect is already stored and the request is logged.
    """
    response: web.StreamResponse | None = None
    refused: Exception | None = None
    try:
        response = await handler(request)
        committed = response.status
    except (web.HTTPException, SandboxError) as error:
        refused = error
        committed = getattr(error, "status", 400)
    notes: dict[str, Any] = {"after_commit": True, "committed_status": committed}
    request[FAULT_NOTES] = notes
    if fault.delay:
        await asyncio.sleep(fault.delay)
        if _client_gone(request):
            notes.update(status=None, client_gone=True)
    if fault.drop:
        return _drop(request)
    if fault.status is not None:
        return _fault_response(request, fault)
    if refused is not None:
        raise refused
    assert response is not None
    return response


# handlers ------------------------------------------------------------------------------------


async def _json(request: web.Request) -> dict[str, Any]:
    text = await request.text()
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ControlError(f"body is not JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    return data


def _typed(data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = data.get(key, default)
    if value is default:
        return value
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        names = " or ".join(k.__name__ for k in _as_tuple(kind))
        raise ControlError(f"{key}: expected {names}, got {type(value).__name__}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _state(org: Org) -> dict[str, Any]:
    return {
        "org_id": org.org_id,
        "base_url": org.base_url,
        "edition": org.edition.value,
        "organization_type": org.edition.organization_type,
        "auto_approve": org.auto_approve,
        "token_ttl": org.token_ttl,
        "api_limit": org.limits.max,
        "api_usage": org.limits.used,
        "client_id": org.demo_app.client_id,
        "username": org.demo_user.username,
    }


async def state(request: web.Request) -> web.Response:
    return json_response(request, _state(request.app[ORG]))


async def reset(request: web.Request) -> web.Response:
    org = request.app[ORG]
    await org.reset()
    controls = request.app[CONTROLS]
    controls.faults.clear()
    controls.log.clear()
    request.app[LOCATORS].clear()
    return json_response(request, _state(org))


def _apply_settings(org: Org, data: dict[str, Any]) -> None:
    unknown = set(data) - {"edition", "auto_approve", "token_ttl", "api_limit", "api_usage"}
    if unknown:
        raise ControlError(f"unknown setting: {', '.join(sorted(unknown))}")
    if "edition" in data:
        try:
            org.set_edition(Edition.parse(_typed(data, "edition", str, None)))
        except ValueError as error:
            raise ControlError(str(error)) from None
    org.auto_approve = _typed(data, "auto_approve", bool, org.auto_approve)
    org.token_ttl = float(_typed(data, "token_ttl", (int, float), org.token_ttl))
    org.limits.max = _typed(data, "api_limit", int, org.limits.max)
    org.limits.used = _typed(data, "api_usage", int, org.limits.used)


async def settings(request: web.Request) -> web.Response:
    org = request.app[ORG]
    if request.method == "PUT":
        _apply_settings(org, await _json(request))
    return json_response(request, _state(org))


async def edition(request: web.Request) -> web.Response:
    data = await _json(request)
    if "edition" not in data:
        raise ControlError("edition: required")
    _apply_settings(request.app[ORG], {"edition": data["edition"]})
    return json_response(request, _state(request.app[ORG]))


async def expire_tokens(request: web.Request) -> web.Response:
    """Make access tokens (one, or all) expired, as if their session timed out."""
    data = await _json(request)
    store = request.app[ORG].store
    token = _typed(data, "token", str, None)
    keys = [digest(token)] if token else list(store.sessions)
    keys = [k for k in keys if k in store.sessions]
    if token and not keys:
        raise ControlError("token: no such access token")
    count = await store.update_sessions(keys, expires_at=0.0)
    return json_response(request, {"expired": count})


async def revoke_refresh_tokens(request: web.Request) -> web.Response:
    data = await _json(request)
    store = request.app[ORG].store
    token = _typed(data, "token", str, None)
    keys = [digest(token)] if token else list(store.refresh_grants)
    keys = [k for k in keys if k in store.refresh_grants]
    if token and not keys:
        raise ControlError("token: no such refresh token")
    return json_response(request, {"revoked": await store.revoke_refresh(keys)})


async def faults(request: web.Request) -> web.Response:
    controls = request.app[CONTROLS]
    if request.method == "DELETE":
        controls.faults.clear()
    elif request.method == "POST":
        data = await _json(request)
        unknown = set(data) - _FAULT_KEYS
        if unknown:
            raise ControlError(f"unknown fault key: {', '.join(sorted(unknown))}")
        path = _typed(data, "path", str, None)
        if not path:
            raise ControlError("path: required (a glob such as /services/data/*/query*)")
        fault = Fault(
            path=path,
            method=_typed(data, "method", str, "*"),
            count=_typed(data, "count", int, 1),
            status=_typed(data, "status", int, None),
            body=data.get("body"),
            headers={str(k): str(v) for k, v in _typed(data, "headers", dict, {}).items()},
            delay=float(_typed(data, "delay", (int, float), 0.0)),
            drop=_typed(data, "drop", bool, False),
            after_commit=_typed(data, "after_commit", bool, False),
        )
        if fault.status is None and not fault.delay and not fault.drop:
            if fault.after_commit:
                raise ControlError("after_commit: needs a status, a delay or drop to apply")
            raise ControlError("a fault needs a status, a delay or drop")
        if fault.delay < 0:
            raise ControlError("delay: must not be negative")
        if fault.count < 1:
            raise ControlError("count: must be at least 1")
        controls.faults.append(fault)
    return json_response(request, {"faults": [asdict(f) for f in controls.faults]})


async def requests_log(request: web.Request) -> web.Response:
    controls = request.app[CONTROLS]
    if request.method == "DELETE":
        controls.log.clear()
    return json_response(request, {"requests": list(controls.log)})


async def add_app(request: web.Request) -> web.Response:
    data = await _json(request)
    urls = _typed(data, "callback_urls", list, None)
    if not urls or not all(isinstance(u, str) and u for u in urls):
        raise ControlError("callback_urls: required, a list of URLs")
    scopes = _typed(data, "scopes", list, ["api", "refresh_token"])
    app = ConnectedApp(
        client_id=new_client_id(),
        client_secret=new_client_secret(),
        name=_typed(data, "name", str, "Connected App"),
        callback_urls=tuple(urls),
        scopes=tuple(str(s) for s in scopes),
        rotate_refresh_tokens=_typed(data, "rotate_refresh_tokens", bool, False),
    )
    await request.app[ORG].store.save_app(app)
    return json_response(request, asdict(app), status=201)


async def add_user(request: web.Request) -> web.Response:
    data = await _json(request)
    username = _typed(data, "username", str, "")
    password = _typed(data, "password", str, "")
    if not username or not password:
        raise ControlError("username and password: required")
    store = request.app[ORG].store
    if store.user_by_name(username):
        raise ControlError(f"username: {username} is taken")
    user = await store.add_user(
        username,
        password,
        _typed(data, "first_name", str, ""),
        _typed(data, "last_name", str, username.split("@")[0]),
        _typed(data, "email", str, username),
    )
    return json_response(request, {"id": user.id, "username": user.username}, status=201)


async def seed_records(request: web.Request) -> web.Response:
    """Create many records at once, validated like REST creates, owned by the demo user."""
    org = request.app[ORG]
    obj = lookup_object(SCHEMA, request.match_info["sobject"])
    if obj is None or not obj.createable:
        raise ControlError(f"cannot seed {request.match_info['sobject']}")
    data = await _json(request)
    items = _typed(data, "records", list, None)
    if not items or not all(isinstance(item, dict) for item in items):
        raise ControlError("records: required, a list of objects")
    rows = []
    now = now_iso()
    for item in items:
        values = validate(obj, item, json.dumps(item), creating=True)
        record_id = await org.store.next_id(obj.key_prefix)
        rows.append(new_row(obj, values, record_id, org.demo_user.id, now))
    await org.store.save_records(obj.name, rows)
    return json_response(request, {"ids": [row["Id"] for row in rows]}, status=201)


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors of the control endpoints as {"error": message}."""
    if not request.path.startswith(PREFIX):
        return await handler(request)
    try:
        return await handler(request)
    except ControlError as error:
        return web.Response(
            status=400, body=dumps({"error": str(error)}), content_type="application/json"
        )
    except ApiError as error:
        message = f"{error.error_code}: {error.message}"
        return web.Response(
            status=400, body=dumps({"error": message}), content_type="application/json"
        )


def add_routes(app: web.Application) -> None:
    """Mount the control endpoints."""
    app.router.add_get(PREFIX, state)
    app.router.add_post(f"{PREFIX}/reset", reset)
    app.router.add_route("GET", f"{PREFIX}/settings", settings)
    app.router.add_route("PUT", f"{PREFIX}/settings", settings)
    app.router.add_route("PUT", f"{PREFIX}/edition", edition)
    app.router.add_post(f"{PREFIX}/tokens/expire", expire_tokens)
    app.router.add_post(f"{PREFIX}/refresh-tokens/revoke", revoke_refresh_tokens)
    for verb in ("GET", "POST", "DELETE"):
        app.router.add_route(verb, f"{PREFIX}/faults", faults)
    for verb in ("GET", "DELETE"):
        app.router.add_route(verb, f"{PREFIX}/requests", requests_log)
    app.router.add_post(f"{PREFIX}/apps", add_app)
    app.router.add_post(f"{PREFIX}/users", add_user)
    app.router.add_post(f"{PREFIX}/records/{{sobject}}", seed_records)
