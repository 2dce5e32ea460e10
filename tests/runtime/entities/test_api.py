"""What every entity type shares: settings, spec checks, recheck, and odd input."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.dialogs.model import ENTITY_TYPES, ListValue
from runtime.entities import (
    FINDABLE,
    EntitySettings,
    EntitySpec,
    Parsed,
    SpecError,
    find,
    parse,
    recheck,
    spec_problems,
    warm_up,
)
from runtime.errors import ConfigError, ParleyError
from tests.runtime.entities.conftest import settings

SPECS = {kind: EntitySpec(kind) for kind in ENTITY_TYPES if kind not in ("list", "regex")} | {
    "list": EntitySpec("list", values=(ListValue("Red"), ListValue("Green", ("lime",)))),
    "regex": EntitySpec("regex", pattern=r"[A-Z]{2}-\d+"),
}

SAMPLES: dict[str, list[str]] = {
    "string": ["Acme", " a b "],
    "number": ["42", "1.2k", "forty two", "-3.5"],
    "boolean": ["yes", "nope"],
    "email": ["Bob@Example.com", "at bob@example.com."],
    "phone": ["(415) 555-0123", "+44 20 7946 0958"],
    "date": ["tomorrow", "12/01/2026", "Dec 1"],
    "currency": ["$1,200", "30.50 eur", "1200"],
    "list": ["red", "lime", "gren"],
    "regex": ["AB-42", "ticket CD-7, please"],
    "url": ["example.com/x", "see https://a.b/c."],
}


def test_settings_expose_language_and_region() -> None:
    s = EntitySettings(locale="de-CH")
    assert (s.language, s.region) == ("de", "CH")
    assert EntitySettings(locale="en_gb").region == "GB"
    assert EntitySettings(locale="fr").region == "FR"  # a bare language: its likely region


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"locale": "xx-YY"}, "locale: 'xx-YY' is not a known language-region (for example en-US)"),
        ({"locale": "en-ZZ"}, "locale: 'en-ZZ' is not a known language-region (for example en-US)"),
        ({"locale": ""}, "locale: '' is not a known language-region (for example en-US)"),
        ({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not a known time zone"),
        (
            {"currency": "usd"},
            "currency: 'usd' is not an ISO 4217 currency code in use (for example USD)",
        ),
        ({"currency": "FRF"}, "currency: 'FRF' is not an ISO 4217 currency code"),  # withdrawn
    ],
)
def test_bad_settings_raise_config_error(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        EntitySettings(**kwargs)
    assert caught.value.messages[0].startswith(message)


def test_every_bad_setting_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        EntitySettings(locale="nope-XX", timezone="Nowhere", currency="???")
    assert len(caught.value.messages) == 3


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (EntitySpec("colour"), "unknown entity_type 'colour'; expected one of string, number"),
        (EntitySpec("list"), "a list entity needs at least one entry in `values`"),
        (EntitySpec("list", values=(ListValue("  "),)), "a list entity needs at least one entry"),
        (EntitySpec("regex"), "a regex entity needs a non-empty `pattern`"),
        (
            EntitySpec("regex", pattern="(ab"),
            "`pattern` is not a valid regular expression: missing )",
        ),
    ],
)
def test_spec_problems_and_spec_error(spec: EntitySpec, problem: str) -> None:
    assert spec_problems(spec)[0].startswith(problem)
    with pytest.raises(SpecError) as caught:
        parse(spec, "anything", settings())
    assert str(caught.value).startswith(problem)
    assert isinstance(caught.value, ParleyError)


@pytest.mark.parametrize("spec", SPECS.values(), ids=list(SPECS))
def test_valid_specs_have_no_problems(spec: EntitySpec) -> None:
    assert spec_problems(spec) == []


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in SAMPLES.items() for text in texts]
)
def test_a_parsed_value_rechecks_and_reparses_to_itself(kind: str, text: str) -> None:
    spec = SPECS[kind]
    first = parse(spec, text, settings())
    assert first.ok, (kind, text)
    assert recheck(spec, first.value, settings()) == first
    assert parse(spec, _as_text(first.value), settings()).value == first.value


def _as_text(value: Any) -> str:
    if isinstance(value, dict):
        return f"{value['amount']} {value['currency']}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


ODD = [
    "",
    " ",
    "\x00",
    "\u200b",
    "🙂",
    "🙂🙂🙂 42 🙂",
    "١٢٣",  # Arabic-Indic digits
    "\u202e42",
    "${{7*7}}",
    "' OR 1=1 --",
    "((((((((((",
    "1" * 400,
    "9" * 40 + ".5",
    "a@" * 300,
    "http://" + "a" * 3000,
    "next " * 200 + "friday",
    ",.,.,.,.,.,.",
    "--5",
    "$$$",
]


@pytest.mark.parametrize("text", ODD)
@pytest.mark.parametrize("kind", list(SPECS))
def test_odd_input_gives_a_result_never_an_exception(kind: str, text: str) -> None:
    spec = SPECS[kind]
    parsed = parse(spec, text, settings())
    assert isinstance(parsed, Parsed)
    assert parsed.ok or parsed.error
    find(spec, text, settings())
    assert isinstance(recheck(spec, text, settings()), Parsed)


def test_findable_types() -> None:
    assert {"email", "phone", "date", "number", "currency", "list"} == FINDABLE


def test_warm_up_runs_for_any_valid_settings() -> None:
    warm_up(settings("de-DE", "Europe/Berlin", "EUR"))
    assert parse(SPECS["date"], "übermorgen", settings("de-DE")).value == "2026-06-19"
