"""`/search?q=SOSL` and `/parameterizedSearch` through `sandbox.sosl`, answered as
`{"searchRecords": [{"attributes": {...}, ...fields}]}`.

`attributes.url` needs each record's Id even when the caller did not ask for it, so the
sandbox adds `Id` to every field list it passes on and drops it again from the records whose
object did not list it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from multidict import MultiDict

from sandbox.body import parse_json
from sandbox.errors import ApiError
from sandbox.keys import ORG, VERSION
from sandbox.org import Org
from sandbox.responses import json_response
from sandbox.rest import method
from sandbox.schema import SCHEMA, lookup_object
from sandbox.soql_ast import FieldRef
from sandbox.sosl import SoslError, execute_search, parse_sosl, run_parameterized_search

_NO_TERM = "No search term found. The search term must be enclosed in braces."


def _canonical(name: str) -> str:
    obj = lookup_object(SCHEMA, name)
    return obj.name if obj else name


def _render(
    results: list[tuple[str, dict[str, Any]]], hide_id: set[str], version: str
) -> dict[str, Any]:
    records = []
    for sobject, fields in results:
        record_id = fields.get("Id")
        attributes = {"type": sobject}
        if record_id:
            attributes["url"] = f"/services/data/v{version}/sobjects/{sobject}/{record_id}"
        shown = {k: v for k, v in fields.items() if not (k == "Id" and sobject in hide_id)}
        records.append({"attributes": attributes, **shown})
    return {"searchRecords": records}


def _sosl(org: Org, text: str) -> tuple[list[tuple[str, dict[str, Any]]], set[str]]:
    parsed = parse_sosl(text)
    hide_id: set[str] = set()
    if parsed.returning is not None:
        specs = []
        for spec in parsed.returning:
            if spec.fields is not None and not any(f.name.lower() == "id" for f in spec.fields):
                hide_id.add(_canonical(spec.name))
                spec = dataclasses.replace(spec, fields=(*spec.fields, FieldRef("Id", spec.pos)))
            specs.append(spec)
        parsed = dataclasses.replace(parsed, returning=tuple(specs))
    return execute_search(parsed, SCHEMA, org.rows_of), hide_id


async def search(request: web.Request) -> web.Response:
    """`GET /search?q=FIND {...} ...`."""
    method(request, "HEAD,GET")
    text = request.query.get("q", "")
    if not text.strip():
        raise ApiError(400, "MALFORMED_SEARCH", _NO_TERM)
    try:
        results, hide_id = _sosl(request.app[ORG], text)
    except SoslError as error:
        raise ApiError(400, error.error_code, error.message) from None
    return json_response(request, _render(results, hide_id, request[VERSION]))


def _with_id(value: Any) -> tuple[Any, bool]:
    """A field list (comma string or list) with Id added, and whether Id was already there."""
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(item).strip() for item in items]
    if any(name.lower() == "id" for name in names):
        return value, True
    joined = [*[n for n in names if n], "Id"]
    return (",".join(joined) if isinstance(value, str) else joined), False


def _param_get(query: Mapping[str, str]) -> tuple[MultiDict[str], set[str]]:
    params: MultiDict[str] = MultiDict(query)
    hide_id: set[str] = set()
    global_fields = params.get("fields")
    global_has_id = True
    if global_fields is not None:
        params["fields"], global_has_id = _with_id(global_fields)
    for name in params.getall("sobject", []):
        key = next((k for k in params if k.lower() == f"{name}.fields".lower()), None)
        if key is not None:
            params[key], has_id = _with_id(params[key])
        else:
            has_id = global_has_id
        if not has_id:
            hide_id.add(_canonical(name))
    if "sobject" not in params and not global_has_id:
        hide_id.update(SCHEMA)
    return params, hide_id


def _param_post(body: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    params = dict(body)
    hide_id: set[str] = set()
    global_has_id = True
    if isinstance(params.get("fields"), str | list):
        params["fields"], global_has_id = _with_id(params["fields"])
    entries = params.get("sobjects")
    if isinstance(entries, list):
        fixed = []
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                entry = dict(entry)
                has_id = global_has_id
                if isinstance(entry.get("fields"), str | list):
                    entry["fields"], has_id = _with_id(entry["fields"])
                if not has_id:
                    hide_id.add(_canonical(entry["name"]))
            fixed.append(entry)
        params["sobjects"] = fixed
    elif not global_has_id:
        hide_id.update(SCHEMA)
    return params, hide_id


async def parameterized_search(request: web.Request) -> web.Response:
    """`GET /parameterizedSearch?q=...&sobject=Lead&Lead.fields=...` or POST with a JSON body."""
    verb = method(request, "HEAD,GET,POST")
    params: Mapping[str, Any]
    if verb == "POST":
        body = parse_json(await request.text())
        if not isinstance(body, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        params, hide_id = _param_post(body)
    else:
        params, hide_id = _param_get(request.query)
    try:
        results = run_parameterized_search(params, SCHEMA, request.app[ORG].rows_of)
    except SoslError as error:
        raise ApiError(400, error.error_code, error.message) from None
    return json_response(request, _render(results, hide_id, request[VERSION]))
