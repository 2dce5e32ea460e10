"""The entry points the engine calls, dispatching on a spec's `entity_type`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from runtime.dialogs.model import ENTITY_TYPES
from runtime.entities import booleans, choices, contact, dates, money, numbers, text, web
from runtime.entities.base import EntitySettings, EntitySpec, Parsed, SpecError, accept, reject
from runtime.entities.spots import Spot

Parser = Callable[[EntitySpec, str, EntitySettings], Parsed]
Finder = Callable[[EntitySpec, str, EntitySettings], Any]
Spotter = Callable[[EntitySpec, str, EntitySettings], list[Spot]]

_PARSERS: dict[str, Parser] = {
    "string": lambda spec, t, s: text.parse_string(t),
    "number": lambda spec, t, s: numbers.parse_number(t, s),
    "boolean": lambda spec, t, s: booleans.parse_boolean(t, s),
    "email": lambda spec, t, s: contact.parse_email(t, s),
    "phone": lambda spec, t, s: contact.parse_phone(t, s),
    "date": lambda spec, t, s: dates.parse_date(t, s),
    "currency": lambda spec, t, s: money.parse_currency(t, s),
    "list": lambda spec, t, s: choices.parse_list(t, spec.values),
    "regex": lambda spec, t, s: text.parse_regex(t, spec.pattern or ""),
    "url": lambda spec, t, s: web.parse_url(t),
}
_FINDERS: dict[str, Finder] = {
    "email": lambda spec, t, s: contact.find_email(t, s),
    "phone": lambda spec, t, s: contact.find_phone(t, s),
    "date": lambda spec, t, s: dates.find_date(t, s),
    "number": lambda spec, t, s: numbers.find_number(t, s),
    "currency": lambda spec, t, s: money.find_currency(t, s),
    "list": lambda spec, t, s: choices.find_list(t, spec.values),
}
FINDABLE = frozenset(_FINDERS)
_SPOTTERS: dict[str, Spotter] = {
    "email": lambda spec, t, s: contact.email_spots(t),
    "phone": lambda spec, t, s: contact.phone_spots(t, s.region),
    "date": lambda spec, t, s: dates.date_spots(t, s),
    "number": lambda spec, t, s: numbers.number_spots(t, s),
    "currency": lambda spec, t, s: money.currency_spots(t, s),
    "url": lambda spec, t, s: web.url_spots(t),
    "list": lambda spec, t, s: choices.list_spots(t, spec.values),
    "regex": lambda spec, t, s: text.regex_spots(t, spec.pattern or ""),
}
SPOTTABLE = frozenset(_SPOTTERS)


def spec_problems(spec: EntitySpec) -> list[str]:
    """Everything wrong with a spec, for the dialog loader to report with file and line."""
    if spec.entity_type not in ENTITY_TYPES:
        return [
            f"unknown entity_type {spec.entity_type!r}; expected one of {', '.join(ENTITY_TYPES)}"
        ]
    problems = []
    if spec.entity_type == "list" and not choices.choices(spec.values).keys:
        problems.append("a list entity needs at least one entry in `values`")
    if spec.entity_type == "regex":
        problem = text.pattern_problem(spec.pattern)
        if problem:
            problems.append(problem)
    return problems


def _checked(spec: EntitySpec) -> None:
    problems = spec_problems(spec)
    if problems:
        raise SpecError("; ".join(problems))


def parse(spec: EntitySpec, text: str, settings: EntitySettings) -> Parsed:
    """Read the user's whole answer to a prompt for this entity.

    Raises `SpecError` only for a spec the dialog loader should have refused.
    """
    parser = _PARSERS.get(spec.entity_type)
    if parser is None or spec.entity_type in ("list", "regex"):
        _checked(spec)
        assert parser is not None
    return parser(spec, text if isinstance(text, str) else str(text), settings)


def find(spec: EntitySpec, text: str, settings: EntitySettings) -> Any | None:
    """A value clearly present in the utterance that started a dialog, else None.

    Only email, phone, date, number, currency and list values are looked for; a value that is
    there more than once with different contents is not taken.
    """
    finder = _FINDERS.get(spec.entity_type)
    if finder is None or not isinstance(text, str):
        return None
    if spec.entity_type == "list":
        _checked(spec)
    return finder(spec, text, settings)


def spots(spec: EntitySpec, text: str, settings: EntitySettings) -> list[Spot]:
    """Every value of the spec's type in `text`, in order of position, non-overlapping.

    Each value is normalised as `parse` would normalise it, and ``text[spot.start:spot.end]``
    is the piece of `text` it came from. Each type reads its values as `find` does; for a
    `regex`, a spot covers the whole match and its value is group 1 when there is one.
    `string` and `boolean` give nothing: strings come from a node's `extract` patterns, and a
    yes or no is never taken from the sentence that started a dialog. Of two readings of a
    type that overlap, the one starting first, or the longer, is kept.

    Raises `SpecError` only for a spec the dialog loader should have refused.
    """
    spotter = _SPOTTERS.get(spec.entity_type)
    if spotter is None or spec.entity_type in ("list", "regex"):
        _checked(spec)
    if spotter is None or not isinstance(text, str):
        return []
    return spotter(spec, text, settings)


def recheck(spec: EntitySpec, value: Any, settings: EntitySettings) -> Parsed:
    """Check a value that is already in `entities` (prefill, `set`, a fixture).

    A value that already is normalised for the type is accepted as it is; anything else is read
    as the text ``str(value)``.
    """
    kind = spec.entity_type
    if value is None:
        return parse(spec, "", settings)
    if kind == "number" and numbers.check_number(value):
        return accept(value)
    if kind == "boolean" and isinstance(value, bool):
        return accept(value)
    if isinstance(value, bool) and kind != "string":
        return parse(spec, "", settings)
    if kind == "date" and isinstance(value, date):
        return accept((value.date() if isinstance(value, datetime) else value).isoformat())
    if kind == "date" and isinstance(value, str) and dates.is_iso_date(value):
        return accept(value)
    if kind == "currency":
        amount = money.check_currency(value)
        if amount is not None:
            return accept(amount)
        if numbers.check_number(value):
            return accept({"amount": value, "currency": settings.currency})
    if (
        kind == "list"
        and isinstance(value, str)
        and value in choices.choices(spec.values).canonical
    ):
        return accept(value)
    if isinstance(value, dict | list | tuple | set):
        return parse(spec, "", settings) if kind != "string" else reject(text.STRING_ERROR)
    return parse(spec, str(value), settings)


def warm_up(settings: EntitySettings) -> None:
    """Load what the first answers would otherwise wait for (dateparser, locale data)."""
    dates.warm_up(settings)
    money.money_words(settings.locale, settings.currency)
    numbers.notation(settings.locale)
    contact.phone_spots("+1 415 555 0123", settings.region)
    web.url_spots("example.com")
