"""Binds parsed SOQL to an object's schema and turns it into fast row predicates and sorts.

Binding is where the org's semantic errors come from: unknown objects (INVALID_TYPE), unknown
fields and values of the wrong type (INVALID_FIELD), malformed record ids and operators a field
type does not take (INVALID_QUERY_FILTER_OPERATOR). Each error points at its place in the query.

Comparison rules follow SOQL: text compares case-insensitively (=, !=, IN, LIKE, < and >); an
empty string is the same as null; `!=` and NOT IN keep rows whose value is null; ids compare on
their 15-character case-sensitive form, so 15- and 18-character ids both match. Dates and
relative date literals are resolved in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from sandbox.schema import FieldSchema, ObjectSchema, lookup_object
from sandbox.soql_ast import (
    And,
    BoolLit,
    Comparison,
    Condition,
    DateLit,
    DateTimeLit,
    FieldRef,
    InList,
    Literal,
    Not,
    NullLit,
    NumberLit,
    Or,
    OrderItem,
    RelativeDate,
    StringLit,
)
from sandbox.soql_dates import date_range
from sandbox.soql_lexer import SoqlError

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]
Sorter = Callable[[list[Row]], list[Row]]

TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist"})
ID_TYPES = frozenset({"id", "reference"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
# Long text areas can be neither filtered nor sorted in a real org.
LONG_TEXT_LENGTH = 255

_ID_RE = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")

NO_SUCH_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
    "the describe call for the appropriate names."
)
NO_SUCH_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a "
    "custom relationship, be sure to append the '__r' after the custom relationship name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)
NOT_SUPPORTED_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
    "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)


def resolve_object(
    schema: Mapping[str, ObjectSchema], name: str, text: str, pos: int
) -> ObjectSchema:
    """The object called `name` (any case), or INVALID_TYPE pointing at `pos`."""
    obj = lookup_object(schema, name)
    if obj is None:
        raise SoqlError.at(text, pos, "INVALID_TYPE", NOT_SUPPORTED_TYPE.format(name=name))
    return obj


@dataclass(frozen=True)
class _Range:
    """The half-open span a relative date literal covers, in the field's comparable form."""

    start: Any
    end: Any


# -- normalising stored values into comparable ones ----------------------------------------------


def _norm_text(v: Any) -> str | None:
    return None if v is None or v == "" else str(v).casefold()


def _norm_id(v: Any) -> str | None:
    return str(v)[:15] if v else None


def _norm_number(v: Any) -> int | float | None:
    if v is None or isinstance(v, (int, float)):
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _norm_bool(v: Any) -> bool | None:
    if v is None or isinstance(v, bool):
        return v
    return str(v).lower() == "true"


def _norm_date(v: Any) -> str | None:
    if not v:
        return None
    return v.isoformat() if isinstance(v, date) else str(v)[:10]


@lru_cache(maxsize=8192)
def _parse_datetime(s: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(s)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _norm_datetime(v: Any) -> datetime | None:
    if not v:
        return None
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=UTC)
    return _parse_datetime(str(v))


def normalizer(field: FieldSchema) -> Callable[[Any], Any]:
    """How values of `field` are made comparable (text folded, ids cut to 15, ...)."""
    kind = field.type
    if kind in TEXT_TYPES:
        return _norm_text
    if kind in ID_TYPES:
        return _norm_id
    if kind in NUMBER_TYPES:
        return _norm_number
    if kind == "boolean":
        return _norm_bool
    if kind == "date":
        return _norm_date
    return _norm_datetime


def _type_name(field: FieldSchema) -> tuple[str, bool]:
    """The type a filter value must have, as the org names it, and whether it is quoted."""
    kind = field.type
    if kind in TEXT_TYPES:
        return "string", True
    if kind in ID_TYPES:
        return "id", True
    if kind == "int":
        return "integer", False
    if kind in NUMBER_TYPES:
        return "double", False
    if kind == "datetime":
        return "dateTime", False
    return kind, False


class Binder:
    """Resolves names against one object and compiles conditions and orderings."""

    def __init__(self, obj: ObjectSchema, text: str, today: date | None = None) -> None:
        self.obj = obj
        self.text = text
        self.today = today or datetime.now(UTC).date()

    # -- names -------------------------------------------------------------------------------

    def field(self, ref: FieldRef) -> FieldSchema:
        """The schema field `ref` names, or INVALID_FIELD pointing at it."""
        found = self.obj.field(ref.name)
        if found is not None:
            return found
        if "." in ref.name:
            relationship = ref.name.split(".", 1)[0]
            if self.obj.relationship(relationship) is not None:
                raise SoqlError.at(
                    self.text,
                    ref.pos,
                    "MALFORMED_QUERY",
                    f"The sandbox org does not implement relationship fields: {ref.name}",
                )
            raise SoqlError.at(
                self.text, ref.pos, "INVALID_FIELD", NO_SUCH_RELATIONSHIP.format(name=relationship)
            )
        raise SoqlError.at(
            self.text,
            ref.pos,
            "INVALID_FIELD",
            NO_SUCH_COLUMN.format(name=ref.name, entity=self.obj.name),
        )

    def select(self, refs: Sequence[FieldRef], code: str = "MALFORMED_QUERY") -> list[str]:
        """Canonical names of the selected fields, refusing a field selected twice."""
        names: list[str] = []
        for ref in refs:
            name = self.field(ref).name
            if name in names:
                raise SoqlError.at(self.text, ref.pos, code, f"duplicate field selected: {name}")
            names.append(name)
        return names

    # -- WHERE -------------------------------------------------------------------------------

    def predicate(self, condition: Condition) -> Predicate:
        """A function telling whether a row satisfies `condition`."""
        if isinstance(condition, And):
            parts = [self.predicate(c) for c in condition.operands]
            return lambda row: all(p(row) for p in parts)
        if isinstance(condition, Or):
            parts = [self.predicate(c) for c in condition.operands]
            return lambda row: any(p(row) for p in parts)
        if isinstance(condition, Not):
            inner = self.predicate(condition.operand)
            return lambda row: not inner(row)
        if isinstance(condition, InList):
            return self._in_list(condition)
        return self._comparison(condition)

    def _filterable(self, ref: FieldRef) -> FieldSchema:
        field = self.field(ref)
        if field.type == "textarea" and field.length > LONG_TEXT_LENGTH:
            raise SoqlError.at(
                self.text,
                ref.pos,
                "INVALID_FIELD",
                f"field '{field.name}' can not be filtered in a query call",
            )
        return field

    def _getter(self, field: FieldSchema) -> Callable[[Row], Any]:
        name = field.name
        norm = normalizer(field)
        return lambda row: norm(row.get(name))

    def _mismatch(self, field: FieldSchema, ref: FieldRef) -> SoqlError:
        type_name, quoted = _type_name(field)
        should = "should" if quoted else "should not"
        return SoqlError.at(
            self.text,
            ref.pos,
            "INVALID_FIELD",
            f"value of filter criterion for field '{field.name}' must be of type {type_name} "
            f"and {should} be enclosed in quotes",
        )

    def _value(self, field: FieldSchema, ref: FieldRef, lit: Literal) -> Any:
        """`lit` as a comparable value of `field`'s type (a `_Range` for relative dates)."""
        if isinstance(lit, NullLit):
            return None
        kind = field.type
        if kind in TEXT_TYPES or kind in ID_TYPES:
            if not isinstance(lit, StringLit):
                raise self._mismatch(field, ref)
            if lit.like_escape is not None:
                seq = self.text[lit.like_escape : lit.like_escape + 2]
                raise SoqlError.at(
                    self.text,
                    lit.pos,
                    "MALFORMED_QUERY",
                    f"Invalid string literal '{lit.raw[1:-1]}'. Illegal character sequence "
                    f"'{seq}' in string literal.",
                )
            if kind in TEXT_TYPES:
                return _norm_text(lit.value)
            if lit.value and not _ID_RE.fullmatch(lit.value):
                raise SoqlError.at(
                    self.text,
                    lit.pos,
                    "INVALID_QUERY_FILTER_OPERATOR",
                    f"invalid ID field: {lit.value}",
                )
            return _norm_id(lit.value)
        if kind in NUMBER_TYPES and isinstance(lit, NumberLit):
            return lit.value
        if kind == "boolean" and isinstance(lit, BoolLit):
            return lit.value
        if kind == "date":
            if isinstance(lit, DateLit):
                return lit.value.isoformat()
            if isinstance(lit, RelativeDate):
                start, end = date_range(lit.name, lit.n, self.today)
                return _Range(start.isoformat(), end.isoformat())
        if kind == "datetime":
            if isinstance(lit, DateTimeLit):
                return lit.value
            if isinstance(lit, RelativeDate):
                start, end = date_range(lit.name, lit.n, self.today)
                return _Range(
                    datetime.combine(start, time(), UTC), datetime.combine(end, time(), UTC)
                )
        raise self._mismatch(field, ref)

    def _comparison(self, cmp: Comparison) -> Predicate:
        field = self._filterable(cmp.field)
        if cmp.op == "LIKE":
            return self._like(field, cmp)
        value = self._value(field, cmp.field, cmp.value)
        get = self._getter(field)
        if isinstance(value, _Range):
            return _range_predicate(get, cmp.op, value)
        return _value_predicate(get, cmp.op, value)

    def _like(self, field: FieldSchema, cmp: Comparison) -> Predicate:
        if field.type not in TEXT_TYPES:
            raise SoqlError.at(
                self.text,
                cmp.field.pos,
                "INVALID_QUERY_FILTER_OPERATOR",
                f"invalid operator on {field.type} field",
            )
        lit = cmp.value
        if not isinstance(lit, StringLit):
            raise self._mismatch(field, cmp.field)
        pattern = re.compile(lit.like, re.IGNORECASE | re.DOTALL)
        name = field.name

        def like(row: Row) -> bool:
            v = row.get(name)
            return v is not None and v != "" and pattern.fullmatch(str(v)) is not None

        return like

    def _in_list(self, cond: InList) -> Predicate:
        field = self._filterable(cond.field)
        values = [self._value(field, cond.field, lit) for lit in cond.values]
        get = self._getter(field)
        if any(isinstance(v, _Range) for v in values):
            parts = [
                _range_predicate(get, "=", v)
                if isinstance(v, _Range)
                else _value_predicate(get, "=", v)
                for v in values
            ]
            found: Predicate = lambda row: any(p(row) for p in parts)  # noqa: E731
        else:
            members = frozenset(values)
            found = lambda row: get(row) in members  # noqa: E731
        if cond.negated:
            return lambda row: not found(row)
        return found

    # -- ORDER BY ----------------------------------------------------------------------------

    def sorter(self, items: Sequence[OrderItem]) -> Sorter:
        """A function sorting rows by `items` (stable, key by key)."""
        keys: list[tuple[str, Callable[[Any], Any], bool, int]] = []
        for item in items:
            field = self.field(item.field)
            if field.type == "textarea" and field.length > LONG_TEXT_LENGTH:
                raise SoqlError.at(
                    self.text,
                    item.field.pos,
                    "INVALID_FIELD",
                    f"field '{field.name}' can not be sorted in a query call",
                )
            # Nulls get a rank below or above every value; a reversed sort flips it.
            low = item.nulls_first != item.descending
            keys.append((field.name, normalizer(field), item.descending, 0 if low else 2))

        def sort(rows: list[Row]) -> list[Row]:
            for name, norm, descending, null_rank in reversed(keys):

                def key(row: Row, name: str = name, norm: Any = norm, rank: int = null_rank) -> Any:
                    v = norm(row.get(name))
                    return (rank, 0) if v is None else (1, v)

                rows.sort(key=key, reverse=descending)
            return rows

        return sort


def _value_predicate(get: Callable[[Row], Any], op: str, value: Any) -> Predicate:
    if op == "=":
        return lambda row: get(row) == value
    if op == "!=":
        return lambda row: get(row) != value
    if value is None:
        return lambda row: False
    compare: Callable[[Any], bool] = {
        "<": lambda v: v < value,
        "<=": lambda v: v <= value,
        ">": lambda v: v > value,
        ">=": lambda v: v >= value,
    }[op]

    def ordered(row: Row) -> bool:
        v = get(row)
        return v is not None and compare(v)

    return ordered


def _range_predicate(get: Callable[[Row], Any], op: str, span: _Range) -> Predicate:
    start, end = span.start, span.end

    def inside(v: Any) -> bool:
        return v is not None and start <= v < end

    if op == "=":
        return lambda row: inside(get(row))
    if op == "!=":
        return lambda row: not inside(get(row))
    compare: Callable[[Any], bool] = {
        "<": lambda v: v < start,
        "<=": lambda v: v < end,
        ">": lambda v: v >= end,
        ">=": lambda v: v >= start,
    }[op]

    def ordered(row: Row) -> bool:
        v = get(row)
        return v is not None and compare(v)

    return ordered


def select_rows(
    rows: Iterable[Row],
    matches: Predicate | None,
    sort: Sorter | None,
    offset: int | None,
    limit: int | None,
) -> list[Row]:
    """The rows satisfying `matches`, sorted, then windowed by OFFSET and LIMIT."""
    chosen = [row for row in rows if matches is None or matches(row)]
    if sort is not None:
        chosen = sort(chosen)
    start = offset or 0
    stop = None if limit is None else start + limit
    return chosen[start:stop]


def project(row: Row, names: Sequence[str]) -> dict[str, Any]:
    """The row's values for `names`, in that order (None when the row lacks one)."""
    return {name: row.get(name) for name in names}
