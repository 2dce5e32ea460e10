"""The REST resources under `/services/data/vNN.N/`: resources by version, limits, describe,
and sObject rows (create, get, update, delete).

The API gate (see `sandbox.gate`) has already checked the version, the token, the edition and the
limits, and put `request[VERSION]`, `request[SESSION]` and `request[METHOD]` (the method
after a `?_HttpMethod=` override) on the request.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from sandbox.body import read_json_object
from sandbox.describe import SCHEMA_CHANGED, describe, describe_global, global_entry
from sandbox.errors import ApiError, entity_is_deleted, method_not_allowed, not_found
from sandbox.ids import normalize
from sandbox.keys import METHOD, ORG, SESSION, VERSION
from sandbox.records import new_row, render, updated_row, validate
from sandbox.responses import json_response, no_content
from sandbox.schema import SCHEMA, ObjectSchema, lookup_object
from sandbox.store import now_iso

_READ = "HEAD,GET"
_NO_SUCH_FIELD = (
    "No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)


def method(request: web.Request, allowed: str) -> str:
    """The effective method, or 405 naming the allowed ones."""
    verb: str = request.get(METHOD, request.method)
    if verb not in allowed.split(","):
        raise method_not_allowed(verb, allowed)
    return verb


def _object(request: web.Request) -> ObjectSchema:
    obj = lookup_object(SCHEMA, request.match_info["sobject"])
    if obj is None:
        raise not_found()
    return obj


def _not_modified(request: web.Request, changed: str) -> bool:
    """True when If-Modified-Since is at or after `changed` (an HTTP date or a record stamp)."""
    since = request.headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        asked = email.utils.parsedate_to_datetime(since)
        if changed[4:5] == "-":
            when = datetime.strptime(changed[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        else:
            when = email.utils.parsedate_to_datetime(changed)
    except (TypeError, ValueError):
        return False
    return when <= asked


async def resources(request: web.Request) -> web.Response:
    """`GET /services/data/vNN.N/`: the resources of this version."""
    method(request, _READ)
    org = request.app[ORG]
    base = f"/services/data/v{request[VERSION]}"
    names = [
        "tooling",
        "metadata",
        "eclair",
        "folders",
        "prechatForms",
        "contact-tracing",
        "jsonxform",
        "chatter",
        "tabs",
        "appMenu",
        "quickActions",
        "queryAll",
        "commerce",
        "wave",
        "iot",
        "analytics",
        "search",
        "smartdatadiscovery",
        "identity",
        "composite",
        "parameterizedSearch",
        "fingerprint",
        "theme",
        "nouns",
        "domino",
        "event",
        "serviceTemplates",
        "recent",
        "connect",
        "licensing",
        "limits",
        "process",
        "async-queries",
        "query",
        "match",
        "emailConnect",
        "compactLayouts",
        "knowledgeManagement",
        "sobjects",
        "actions",
        "support",
    ]
    session = request[SESSION]
    user = org.store.users[session.user_id]
    body = {
        name: (org.identity_url(user) if name == "identity" else f"{base}/{name}") for name in names
    }
    return json_response(request, body)


async def limits(request: web.Request) -> web.Response:
    """`GET /limits`: the daily API allowance and a few fixed Developer Edition limits."""
    method(request, _READ)
    org = request.app[ORG]
    api = org.limits
    stored = sum(org.store.count(name) for name in ("Lead", "Opportunity"))
    body: dict[str, Any] = {
        "DailyApiRequests": {"Max": api.max, "Remaining": max(0, api.max - api.used)},
        "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
        "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
        "DataStorageMB": {"Max": 5, "Remaining": max(0, 5 - stored * 2 // 1024)},
        "FileStorageMB": {"Max": 20, "Remaining": 20},
        "SingleEmail": {"Max": 15, "Remaining": 15},
    }
    return json_response(request, body)


async def sobjects(request: web.Request) -> web.Response:
    """`GET /sobjects`: describe global."""
    method(request, _READ)
    if _not_modified(request, SCHEMA_CHANGED):
        return web.Response(status=304)
    return json_response(request, describe_global(list(SCHEMA.values()), request[VERSION]))


async def sobject(request: web.Request) -> web.Response:
    """`GET /sobjects/{type}`: basic info; `POST`: create a record."""
    obj = _object(request)
    if method(request, "HEAD,GET,POST") == "POST":
        return await _create(request, obj)
    org = request.app[ORG]
    recent = sorted(
        org.rows_of(obj.name), key=lambda row: row.get("LastModifiedDate") or "", reverse=True
    )[:3]
    version = request[VERSION]
    body = {
        "objectDescribe": global_entry(obj, version),
        "recentItems": [
            {
                **render(obj, row, version, ["Id"]),
                "Name": row.get("Name"),
            }
            for row in recent
        ],
    }
    return json_response(request, body)


async def describe_object(request: web.Request) -> web.Response:
    """`GET /sobjects/{type}/describe`."""
    obj = _object(request)
    method(request, _READ)
    if _not_modified(request, SCHEMA_CHANGED):
        return web.Response(status=304)
    return json_response(request, describe(obj, request[VERSION]))


def _find(request: web.Request, obj: ObjectSchema) -> dict[str, Any]:
    """The row the path's id names; 404/400 as Salesforce answers a bad or unknown id."""
    raw = request.match_info["record_id"]
    record_id = normalize(raw)
    if record_id is None:
        raise not_found(f"Provided external ID field does not exist or is not accessible: {raw}")
    if record_id[:3] != obj.key_prefix:
        label = obj.fields["Id"].label
        raise ApiError(400, "MALFORMED_ID", f"{label}: id value of incorrect type: {raw}", ["Id"])
    org = request.app[ORG]
    if obj.name in ("Organization", "User"):
        row = next((r for r in org.rows_of(obj.name) if r["Id"] == record_id), None)
    else:
        row = org.store.record(obj.name, record_id)
    if row is None:
        raise not_found()
    return row


async def record(request: web.Request) -> web.Response:
    """`GET`, `PATCH` or `DELETE /sobjects/{type}/{id}`."""
    obj = _object(request)
    verb = method(request, "HEAD,GET,PATCH,DELETE")
    row = _find(request, obj)
    if verb in ("GET", "HEAD"):
        if row.get("IsDeleted"):
            raise not_found()
        return _get(request, obj, row)
    if verb == "PATCH":
        return await _update(request, obj, row)
    return await _delete(request, obj, row)


def _get(request: web.Request, obj: ObjectSchema, row: dict[str, Any]) -> web.Response:
    fields = None
    wanted = request.query.get("fields")
    if wanted is not None:
        fields = []
        for name in (part.strip() for part in wanted.split(",")):
            if not name:
                continue
            f = obj.field(name)
            if f is None:
                raise ApiError(
                    400, "INVALID_FIELD", _NO_SUCH_FIELD.format(name=name, sobject=obj.name)
                )
            fields.append(f.name)
    changed = row.get("LastModifiedDate")
    if changed and _not_modified(request, changed):
        return web.Response(status=304)
    return json_response(request, render(obj, row, request[VERSION], fields))


def _refuse(obj: ObjectSchema, verb: str) -> ApiError:
    return ApiError(400, "INVALID_TYPE_FOR_OPERATION", f"entity type cannot be {verb}: {obj.name}")


async def _create(request: web.Request, obj: ObjectSchema) -> web.Response:
    if not obj.createable:
        raise _refuse(obj, "inserted")
    body, text = await read_json_object(request, obj.name)
    values = validate(obj, body, text, creating=True)
    org = request.app[ORG]
    record_id = await org.store.next_id(obj.key_prefix)
    row = new_row(obj, values, record_id, request[SESSION].user_id, now_iso())
    await org.store.save_record(obj.name, row)
    location = f"/services/data/v{request[VERSION]}/sobjects/{obj.name}/{record_id}"
    return json_response(
        request,
        {"id": record_id, "success": True, "errors": []},
        status=201,
        headers={"Location": location},
    )


async def _update(request: web.Request, obj: ObjectSchema, row: dict[str, Any]) -> web.Response:
    if not obj.updateable:
        raise _refuse(obj, "updated")
    if row.get("IsDeleted"):
        raise entity_is_deleted()
    body, text = await read_json_object(request, obj.name)
    values = validate(obj, body, text, creating=False)
    new = updated_row(obj, row, values, request[SESSION].user_id, now_iso())
    await request.app[ORG].store.save_record(obj.name, new)
    return no_content()


async def _delete(request: web.Request, obj: ObjectSchema, row: dict[str, Any]) -> web.Response:
    if not obj.deletable:
        raise _refuse(obj, "deleted")
    if row.get("IsDeleted"):
        raise entity_is_deleted()
    now = now_iso()
    gone = {**row, "IsDeleted": True, "SystemModstamp": now}
    await request.app[ORG].store.save_record(obj.name, gone)
    return no_content()


async def unknown(request: web.Request) -> web.Response:
    """Any other path under a version: 404 NOT_FOUND."""
    raise not_found()
