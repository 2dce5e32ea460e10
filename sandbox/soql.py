"""SOQL for the sandbox org: parse a query once, check it against the schema, run it over rows.

Supported: a field list or COUNT(); one object; WHERE with = != <> < <= > >= LIKE, [NOT] IN,
AND / OR / NOT and parentheses; string, number, boolean, null, date, datetime and relative date
literals (TODAY, LAST_N_DAYS:n, ...); ORDER BY with ASC/DESC and NULLS FIRST/LAST; LIMIT;
OFFSET (at most 2000). Relationship fields, subqueries, aggregates other than COUNT(), GROUP BY
and the other clauses are refused with a clear error.

Errors are `SoqlError` with Salesforce's error code and message text:

* MALFORMED_QUERY: syntax (`unexpected token: X`, an unterminated or badly escaped literal,
  AND and OR mixed without parentheses, an empty statement);
* INVALID_TYPE: an unknown object;
* INVALID_FIELD: an unknown field, or a value of the wrong type for its field;
* INVALID_QUERY_FILTER_OPERATOR: a malformed record id, LIKE on a non-text field;
* NUMBER_OUTSIDE_VALID_RANGE: OFFSET above 2000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sandbox.schema import ObjectSchema
from sandbox.soql_ast import Query
from sandbox.soql_eval import Binder, project, resolve_object, select_rows
from sandbox.soql_lexer import SoqlError
from sandbox.soql_parser import parse_soql

__all__ = [
    "Query",
    "SoqlError",
    "SoqlResult",
    "escape_soql_like",
    "escape_soql_string",
    "execute_soql",
    "parse_soql",
    "run_soql",
]

RowsOf = Callable[[str], Iterable[Mapping[str, Any]]]


@dataclass
class SoqlResult:
    """What a query found. `records` hold the selected fields only, canonical names in select
    order (the server adds `attributes` and pages them). For `SELECT COUNT()`, `is_count` is
    true, `records` is empty and `total_size` is the count, as Salesforce reports it."""

    sobject: str
    records: list[dict[str, Any]] = field(default_factory=list)
    total_size: int = 0
    is_count: bool = False


def run_soql(
    text: str,
    schema: Mapping[str, ObjectSchema],
    rows_of: RowsOf,
    *,
    today: date | None = None,
) -> SoqlResult:
    """Parse and run `text` over `rows_of(object name)`; raise `SoqlError` if the org would.

    `today` fixes the day relative date literals are resolved against (default: today in UTC).
    """
    return execute_soql(parse_soql(text), schema, rows_of, today=today)


def execute_soql(
    query: Query,
    schema: Mapping[str, ObjectSchema],
    rows_of: RowsOf,
    *,
    today: date | None = None,
) -> SoqlResult:
    """Run an already parsed `query` (see `run_soql`)."""
    obj = resolve_object(schema, query.sobject, query.text, query.sobject_pos)
    binder = Binder(obj, query.text, today)
    names = binder.select(query.fields)
    # Everything is bound before a row is read, so a bad query fails even on an empty table.
    matches = binder.predicate(query.where) if query.where is not None else None
    sort = binder.sorter(query.order_by) if query.order_by else None
    rows = select_rows(rows_of(obj.name), matches, sort, query.offset, query.limit)
    if query.is_count:
        return SoqlResult(obj.name, [], len(rows), True)
    return SoqlResult(obj.name, [project(row, names) for row in rows], len(rows), False)


_STRING_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def escape_soql_string(s: str) -> str:
    """`s` escaped for use between single quotes in SOQL (backslash, quotes, control chars)."""
    return "".join(_STRING_ESCAPES.get(ch, ch) for ch in s)


def escape_soql_like(s: str) -> str:
    """`s` escaped for a LIKE pattern: as `escape_soql_string`, and `%` `_` made literal."""
    return escape_soql_string(s).replace("%", "\\%").replace("_", "\\_")
