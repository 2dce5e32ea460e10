"""`/query` and `/queryAll`: SOQL through `sandbox.soql`, paged with query locators.

A result larger than one batch (2,000 rows, or `Sforce-Query-Options: batchSize=N` with N in
200..2000) is kept under a locator `01g...` for 15 minutes; `nextRecordsUrl` is
`/services/data/vNN.N/query/{locator}-{offset}` and every page repeats `totalSize`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.errors import ApiError
from sandbox.ids import QUERY_LOCATOR_PREFIX, make_id
from sandbox.keys import LOCATORS, ORG, VERSION
from sandbox.responses import json_response
from sandbox.rest import method
from sandbox.schema import SCHEMA
from sandbox.soql import SoqlError, execute_soql, parse_soql
from sandbox.soql_ast import FieldRef

DEFAULT_BATCH = 2000
MIN_BATCH = 200
LOCATOR_TTL = 15 * 60.0
MAX_LOCATORS = 200
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_LOCATOR = re.compile(r"(01g[0-9A-Za-z]{15})-(\d+)")


@dataclass
class QueryOutcome:
    """A query's rows as (record id, selected fields), ready to page."""

    sobject: str
    rows: list[tuple[str | None, dict[str, Any]]]
    total_size: int
    batch: int
    touched: float = 0.0


def run_query(text: str, rows_of: Callable[[str], Iterable[Mapping[str, Any]]]) -> QueryOutcome:
    """Run SOQL `text`, keeping each row's Id for `attributes.url` even when not selected."""
    query = parse_soql(text)
    selected = any(ref.name.lower() == "id" for ref in query.fields)
    if not query.is_count and not selected:
        query = dataclasses.replace(query, fields=(*query.fields, FieldRef("Id", len(text))))
    result = execute_soql(query, SCHEMA, rows_of)
    rows = []
    for record in result.records:
        record_id = record.get("Id")
        if not selected:
            record = {k: v for k, v in record.items() if k != "Id"}
        rows.append((record_id, record))
    return QueryOutcome(result.sobject, rows, result.total_size, DEFAULT_BATCH)


class Locators:
    """Open query cursors, oldest dropped first."""

    def __init__(self) -> None:
        self._open: OrderedDict[str, QueryOutcome] = OrderedDict()
        self._sequence = itertools.count(1)

    def add(self, outcome: QueryOutcome) -> str:
        locator = make_id(QUERY_LOCATOR_PREFIX, next(self._sequence))
        outcome.touched = time.monotonic()
        self._open[locator] = outcome
        while len(self._open) > MAX_LOCATORS:
            self._open.popitem(last=False)
        return locator

    def get(self, locator: str) -> QueryOutcome | None:
        outcome = self._open.get(locator)
        if outcome is None:
            return None
        if time.monotonic() - outcome.touched > LOCATOR_TTL:
            del self._open[locator]
            return None
        outcome.touched = time.monotonic()
        return outcome

    def clear(self) -> None:
        self._open.clear()


def batch_size(request: web.Request) -> int:
    match = _BATCH.search(request.headers.get("Sforce-Query-Options", ""))
    if not match:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(DEFAULT_BATCH, int(match.group(1))))


def _page(outcome: QueryOutcome, locator: str | None, start: int, version: str) -> dict[str, Any]:
    stop = start + outcome.batch
    records = []
    for record_id, fields in outcome.rows[start:stop]:
        attributes = {"type": outcome.sobject}
        if record_id:
            attributes["url"] = f"/services/data/v{version}/sobjects/{outcome.sobject}/{record_id}"
        records.append({"attributes": attributes, **fields})
    done = stop >= len(outcome.rows)
    body: dict[str, Any] = {"totalSize": outcome.total_size, "done": done}
    if not done and locator:
        body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{stop}"
    body["records"] = records
    return body


async def _query(request: web.Request, *, include_deleted: bool) -> web.Response:
    method(request, "HEAD,GET")
    text = request.query.get("q")
    if text is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    if not text.strip():
        raise ApiError(400, "MALFORMED_QUERY", "SOQL statements cannot be empty or null")
    org = request.app[ORG]
    try:
        outcome = run_query(text, lambda name: org.rows_of(name, include_deleted=include_deleted))
    except SoqlError as error:
        raise ApiError(400, error.error_code, error.message) from None
    outcome.batch = batch_size(request)
    locator = None
    if len(outcome.rows) > outcome.batch:
        locator = request.app[LOCATORS].add(outcome)
    return json_response(request, _page(outcome, locator, 0, request[VERSION]))


async def query(request: web.Request) -> web.Response:
    """`GET /query?q=SOQL`: live rows only."""
    return await _query(request, include_deleted=False)


async def query_all(request: web.Request) -> web.Response:
    """`GET /queryAll?q=SOQL`: deleted rows too, with IsDeleted true."""
    return await _query(request, include_deleted=True)


async def query_more(request: web.Request) -> web.Response:
    """`GET /query/{locator}-{offset}`: the next page of an open result."""
    method(request, "HEAD,GET")
    match = _LOCATOR.fullmatch(request.match_info["locator"])
    outcome = request.app[LOCATORS].get(match.group(1)) if match else None
    if match is None or outcome is None or int(match.group(2)) > len(outcome.rows):
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return json_response(
        request, _page(outcome, match.group(1), int(match.group(2)), request[VERSION])
    )
