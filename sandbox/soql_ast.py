"""The parsed form of a SOQL query (and of the SOQL parts of SOSL): frozen dataclasses.

Every node keeps `pos`, its offset in the query text, so that checks against the schema can
point their errors at the right place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class FieldRef:
    """A field name as written (any case; canonical names come from the schema)."""

    name: str
    pos: int


@dataclass(frozen=True)
class StringLit:
    """A quoted literal. `like` is its regular expression after LIKE (`%`, `_` as wildcards);
    `like_escape` is the offset of a `\\%` or `\\_`, which only LIKE accepts."""

    value: str
    raw: str
    pos: int
    like: str
    like_escape: int | None = None


@dataclass(frozen=True)
class NumberLit:
    value: int | float
    raw: str
    pos: int


@dataclass(frozen=True)
class BoolLit:
    value: bool
    raw: str
    pos: int


@dataclass(frozen=True)
class NullLit:
    raw: str
    pos: int


@dataclass(frozen=True)
class DateLit:
    value: date
    raw: str
    pos: int


@dataclass(frozen=True)
class DateTimeLit:
    value: datetime
    raw: str
    pos: int


@dataclass(frozen=True)
class RelativeDate:
    """A date literal such as TODAY or LAST_N_DAYS:30 (`n` is 30; None for plain names)."""

    name: str
    n: int | None
    raw: str
    pos: int


Literal = StringLit | NumberLit | BoolLit | NullLit | DateLit | DateTimeLit | RelativeDate


@dataclass(frozen=True)
class Comparison:
    """`field op value`; op is one of = != < <= > >= LIKE (`<>` is read as `!=`)."""

    field: FieldRef
    op: str
    value: Literal
    pos: int


@dataclass(frozen=True)
class InList:
    """`field [NOT] IN (v1, v2, ...)`."""

    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool
    pos: int


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Condition, ...]


Condition = Comparison | InList | Not | And | Or


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY key; Salesforce's defaults are ASC NULLS FIRST and DESC NULLS LAST."""

    field: FieldRef
    descending: bool
    nulls_first: bool


@dataclass(frozen=True)
class Query:
    """`SELECT fields|COUNT() FROM sobject [WHERE] [ORDER BY] [LIMIT] [OFFSET]`."""

    text: str
    fields: tuple[FieldRef, ...]
    is_count: bool
    sobject: str
    sobject_pos: int
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
