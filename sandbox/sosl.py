"""SOSL and parameterized search for the sandbox org.

    FIND {term} [IN ALL|NAME|EMAIL|PHONE|SIDEBAR FIELDS]
        [RETURNING Obj [(field, ... [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n])], ...]
        [LIMIT n]

The term language and how records are matched are described in `sandbox.sosl_term`. The
RETURNING clauses reuse SOQL's WHERE and ORDER BY. Results come object by object in RETURNING
order (the real org ranks by relevance), each record holding the listed fields, or only `Id`
without a list. Without RETURNING every searchable object is searched (not Organization, which
a real org never returns from search). A search term over 10,000 characters finds nothing, as
documented.

Parameterized search takes the same options as parameters; its `q` is plain text in which no
character is special, so nothing needs escaping.

Errors are `SoslError` with Salesforce's code: MALFORMED_SEARCH for syntax (the code the REST
docs name for bad SOSL; the message texts follow SOQL's style), INVALID_SEARCH for a term
shorter than two characters, and SOQL's INVALID_TYPE / INVALID_FIELD / ... from RETURNING.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sandbox.schema import ObjectSchema
from sandbox.soql_ast import Condition, FieldRef, OrderItem
from sandbox.soql_eval import Binder, Predicate, Sorter, project, resolve_object, select_rows
from sandbox.soql_lexer import Kind, Lexer, SoqlError
from sandbox.soql_parser import Parser, parse_order_clause, parse_where
from sandbox.sosl_term import (
    RESERVED,
    SEARCH_GROUPS,
    RecordText,
    TermNode,
    parse_term,
    plain_term,
    searched_fields,
)

__all__ = [
    "Returning",
    "Search",
    "SoslError",
    "escape_sosl_term",
    "parse_sosl",
    "run_parameterized_search",
    "run_sosl",
]

MAX_ROWS = 2000
MAX_TERM_LENGTH = 10_000
# Objects a real org never returns from search.
UNSEARCHABLE = frozenset({"Organization"})
_CODE = "MALFORMED_SEARCH"

RowsOf = Callable[[str], Iterable[Mapping[str, Any]]]


class SoslError(Exception):
    """A search the org refuses: `error_code` (e.g. MALFORMED_SEARCH) and its `message`."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message


def _translated(error: SoqlError) -> SoslError:
    code = _CODE if error.error_code == "MALFORMED_QUERY" else error.error_code
    return SoslError(code, error.message)


@dataclass(frozen=True)
class Returning:
    """One object to return: its fields (None: only Id) and its own WHERE / ORDER BY / LIMIT.

    `text` is what positions in `fields`, `where` and `order_by` point into (empty when the
    names came from parameters)."""

    name: str
    pos: int
    text: str
    fields: tuple[FieldRef, ...] | None = None
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class Search:
    """A parsed search: the term tree, the field group, the objects (None: all) and a limit."""

    text: str
    term: TermNode | None
    group: str = "ALL"
    returning: tuple[Returning, ...] | None = None
    limit: int | None = None


# -- SOSL text --------------------------------------------------------------------------------


def parse_sosl(text: str) -> Search:
    """Parse a `FIND {...}` statement, or raise `SoslError`."""
    try:
        return _parse(text)
    except SoqlError as error:
        raise _translated(error) from None


def _parse(text: str) -> Search:
    if not text or not text.strip():
        raise SoqlError(_CODE, "SOSL statements cannot be empty or null")
    first = Lexer(text, code=_CODE).next()
    if not first.is_word("FIND"):
        raise SoqlError(_CODE, f"unexpected token: {first.text}")
    i = first.pos + len(first.text)
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text) or text[i] != "{":
        raise SoqlError(_CODE, "No search term found. The search term must be enclosed in braces.")
    close = _closing_brace(text, i)
    too_long = close - i - 1 > MAX_TERM_LENGTH
    term = None if too_long else parse_term(text, i + 1, close, _CODE)
    parser = Parser(Lexer(text, close + 1, code=_CODE), _CODE)
    group = "ALL"
    if parser.accept_word("IN"):
        if not parser.tok.is_word(*SEARCH_GROUPS):
            raise parser.unexpected()
        group = parser.advance().upper
        parser.expect_word("FIELDS")
    returning = None
    if parser.accept_word("RETURNING"):
        specs = [_returning(parser)]
        while parser.tok.kind is Kind.COMMA:
            parser.advance()
            specs.append(_returning(parser))
        returning = tuple(specs)
    limit = parser.integer() if parser.accept_word("LIMIT") else None
    parser.expect_end()
    return Search(text, term, group, returning, limit)


def _closing_brace(text: str, opening: int) -> int:
    i = opening + 1
    while i < len(text) and text[i] != "}":
        i += 2 if text[i] == "\\" else 1
    if i >= len(text):
        row = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
        raise SoqlError.at(
            text, len(text), _CODE, f"line {row}:{col} mismatched character '<EOF>' expecting '}}'"
        )
    return i


def _returning(parser: Parser) -> Returning:
    name = parser.name()
    if parser.tok.kind is not Kind.LPAREN:
        return Returning(name.text, name.pos, parser.text)
    parser.advance()
    fields = parser.parse_fields()
    where = parser.parse_condition() if parser.accept_word("WHERE") else None
    order_by = parser.parse_order_by() if parser.tok.is_word("ORDER") else ()
    limit = parser.integer() if parser.accept_word("LIMIT") else None
    offset = parser.integer() if parser.accept_word("OFFSET") else None
    parser.expect(Kind.RPAREN)
    return Returning(name.text, name.pos, parser.text, fields, where, order_by, limit, offset)


def run_sosl(
    text: str,
    schema: Mapping[str, ObjectSchema],
    rows_of: RowsOf,
    *,
    today: date | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Run a SOSL search: `(object name, record)` pairs, records holding the RETURNING fields
    (or only Id). `today` fixes relative date literals in WHERE clauses."""
    return execute_search(parse_sosl(text), schema, rows_of, today=today)


# -- running ----------------------------------------------------------------------------------


def execute_search(
    search: Search,
    schema: Mapping[str, ObjectSchema],
    rows_of: RowsOf,
    *,
    today: date | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Run an already parsed search (see `run_sosl`)."""
    try:
        return _execute(search, schema, rows_of, today)
    except SoqlError as error:
        raise _translated(error) from None


def _execute(
    search: Search,
    schema: Mapping[str, ObjectSchema],
    rows_of: RowsOf,
    today: date | None,
) -> list[tuple[str, dict[str, Any]]]:
    specs = search.returning
    if specs is None:
        specs = tuple(Returning(name, 0, "") for name in schema if name not in UNSEARCHABLE)
    plans = [_plan(spec, schema, today) for spec in specs]
    if search.term is None:
        return []
    overall = min(search.limit if search.limit is not None else MAX_ROWS, MAX_ROWS)
    found: list[tuple[str, dict[str, Any]]] = []
    for obj, spec, names, matches, sort in plans:
        fields = searched_fields(obj, search.group)
        term = search.term
        # The WHERE predicate is cheaper than cutting a record's text, so it runs first.
        hits = (
            row
            for row in rows_of(obj.name)
            if (matches is None or matches(row)) and RecordText(row, fields).matches(term)
        )
        limit = min(spec.limit if spec.limit is not None else MAX_ROWS, MAX_ROWS)
        for row in select_rows(hits, None, sort, spec.offset, limit):
            found.append((obj.name, project(row, names)))
    return found[:overall]


def _plan(
    spec: Returning, schema: Mapping[str, ObjectSchema], today: date | None
) -> tuple[ObjectSchema, Returning, list[str], Predicate | None, Sorter | None]:
    """Bind one RETURNING clause before any row is read, so bad names fail on empty tables."""
    obj = resolve_object(schema, spec.name, spec.text, spec.pos)
    binder = Binder(obj, spec.text, today)
    names = binder.select(spec.fields, _CODE) if spec.fields else ["Id"]
    matches = binder.predicate(spec.where) if spec.where is not None else None
    sort = binder.sorter(spec.order_by) if spec.order_by else None
    return obj, spec, names, matches, sort


# -- parameterized search ---------------------------------------------------------------------


def run_parameterized_search(
    params: Mapping[str, Any],
    schema: Mapping[str, ObjectSchema],
    rows_of: RowsOf,
    *,
    today: date | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Run a parameterized search given as the GET query or the POST body documents it.

    `q` (required) is plain text. Global: `in`, `fields`, `defaultLimit`, `overallLimit`,
    `offset` (one object only). Objects: the POST body's `sobjects` list of
    `{name, fields, limit, where, orderBy}`, or the GET form's repeated `sobject` with
    `<Obj>.fields`, `<Obj>.limit`, `<Obj>.where`, `<Obj>.orderBy` (a multidict's `getall` is
    used for repeated keys; a plain dict may hold a list). Other documented parameters
    (`metadata`, `snippet`, `spellCorrection`, ...) are accepted and ignored.
    """
    try:
        search = _parameterized(params, schema)
    except SoqlError as error:
        raise _translated(error) from None
    return execute_search(search, schema, rows_of, today=today)


def _parameterized(params: Mapping[str, Any], schema: Mapping[str, ObjectSchema]) -> Search:
    q = params.get("q")
    if not isinstance(q, str) or not q.strip():
        raise SoqlError(_CODE, "The q parameter is required and must not be empty")
    group = str(params.get("in") or "ALL").upper()
    if group not in SEARCH_GROUPS:
        raise SoqlError(_CODE, f"Invalid value for in: {params.get('in')}")
    default_fields = _field_list(params.get("fields"))
    default_limit = _number(params, "defaultLimit")
    overall = _number(params, "overallLimit")
    offset = _number(params, "offset")
    entries = _sobject_entries(params)
    if offset is not None and len(entries) != 1:
        raise SoqlError(_CODE, "offset can be used only when searching one sobject")
    if entries:
        specs = tuple(
            _param_returning(entry, default_fields, default_limit, offset) for entry in entries
        )
    else:
        specs = tuple(
            _param_returning({"name": name}, default_fields, default_limit, None)
            for name in schema
            if name not in UNSEARCHABLE
        )
    too_long = len(q) > MAX_TERM_LENGTH
    return Search(q, None if too_long else plain_term(q), group, specs, overall)


def _all_values(params: Mapping[str, Any], key: str) -> list[Any]:
    getall = getattr(params, "getall", None)
    if getall is not None:
        return list(getall(key, []))
    value = params.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _sobject_entries(params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Per-object settings from the POST `sobjects` list or the GET `sobject` + `Obj.x` keys."""
    listed = params.get("sobjects")
    if listed is not None:
        if not isinstance(listed, list) or not all(
            isinstance(e, Mapping) and isinstance(e.get("name"), str) for e in listed
        ):
            raise SoqlError(_CODE, "sobjects must be a list of objects, each with a name")
        return listed
    entries: list[Mapping[str, Any]] = []
    lowered = {str(key).lower(): key for key in params}
    for name in _all_values(params, "sobject"):
        entry: dict[str, Any] = {"name": str(name)}
        for option in ("fields", "limit", "where", "orderBy"):
            key = lowered.get(f"{name}.{option}".lower())
            if key is not None:
                entry[option] = params[key]
        entries.append(entry)
    return entries


def _field_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise SoqlError(_CODE, "fields must be a comma-separated string or a list of names")
    names = [str(item).strip() for item in items if str(item).strip()]
    return names or None


def _number(params: Mapping[str, Any], key: str) -> int | None:
    value = params.get(key)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SoqlError(_CODE, f"Invalid value for {key}: {value}") from None
    if isinstance(value, bool) or not 0 <= number <= MAX_ROWS:
        raise SoqlError(_CODE, f"{key} must be an integer from 0 to {MAX_ROWS}, not {value}")
    return number


def _param_returning(
    entry: Mapping[str, Any],
    default_fields: Sequence[str] | None,
    default_limit: int | None,
    offset: int | None,
) -> Returning:
    name = entry["name"]
    fields = _field_list(entry.get("fields")) or default_fields
    limit = _number(entry, "limit") if entry.get("limit") is not None else default_limit
    where_text = entry.get("where")
    where = parse_where(str(where_text), _CODE) if where_text else None
    order_text = entry.get("orderBy")
    order_by: tuple[OrderItem, ...] = ()
    if order_text:
        # The parameter spells the null placement with an underscore: NULLS_FIRST, NULLS_LAST.
        spelled = str(order_text).replace("NULLS_", "NULLS ").replace("nulls_", "nulls ")
        order_by = parse_order_clause(spelled, _CODE)
    refs = tuple(FieldRef(field, 0) for field in fields) if fields else None
    return Returning(name, 0, "", refs, where, order_by, limit, offset)


def escape_sosl_term(s: str) -> str:
    """`s` with every SOSL reserved character backslash-escaped, for use inside `FIND {...}`."""
    return "".join(f"\\{ch}" if ch in RESERVED else ch for ch in s)
