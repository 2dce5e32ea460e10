"""The currency type: {"amount": number, "currency": ISO code}."""

from __future__ import annotations

import pytest

from runtime.entities import EntitySpec, find, parse, recheck
from tests.runtime.entities.conftest import settings

MONEY = EntitySpec("currency")
ERROR = "That doesn't look like an amount of money. Please try again, for example 250 or $1,200."


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$1,200", 1200, "USD"),
        ("1200 USD", 1200, "USD"),
        ("USD 1,200.00", 1200, "USD"),
        ("usd1200", 1200, "USD"),
        ("€30.50", 30.5, "EUR"),
        ("30.50 eur", 30.5, "EUR"),
        ("30.50 EUR", 30.5, "EUR"),
        ("£12.99", 12.99, "GBP"),
        ("12 pounds", 12, "GBP"),
        ("¥3000", 3000, "JPY"),
        ("5 euros", 5, "EUR"),
        ("1.5k dollars", 1500, "USD"),
        ("$1.2m", 1200000, "USD"),
        ("$2 million", 2000000, "USD"),
        ("twenty bucks", 20, "USD"),
        ("1200", 1200, "USD"),
        ("forty two", 42, "USD"),
        ("about $300 I think", 300, "USD"),
        ("$ 40", 40, "USD"),
        ("40$", 40, "USD"),
        ("US$40", 40, "USD"),
        ("CA$20", 20, "CAD"),
        ("A$20", 20, "AUD"),
        ("20 Canadian dollars", 20, "CAD"),
        ("30 SEK", 30, "SEK"),
        ("30 CZK", 30, "CZK"),
        ("₹500", 500, "INR"),
        ("-$5", -5, "USD"),
    ],
)
def test_accepts_for_a_usd_bot(text: str, amount: float, currency: str) -> None:
    parsed = parse(MONEY, text, settings())
    assert parsed.ok, text
    assert parsed.value == {"amount": amount, "currency": currency}
    assert type(parsed.value["amount"]) is type(amount)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "banana",
        "some money",
        "$5 or €5",
        "$5 or $6",
        "$1.234",  # more decimals than cents
        "¥30.5",  # the yen has no minor unit
        "$",
        "x" * 600,
    ],
)
def test_rejects(text: str) -> None:
    parsed = parse(MONEY, text, settings())
    assert not parsed.ok
    assert parsed.error == ERROR


@pytest.mark.parametrize(
    ("locale", "currency", "text", "amount", "code"),
    [
        ("de-DE", "EUR", "30,50 €", 30.5, "EUR"),
        ("de-DE", "EUR", "1.200 Euro", 1200, "EUR"),
        ("de-DE", "EUR", "1.200", 1200, "EUR"),
        ("de-DE", "EUR", "12 US-Dollar", 12, "USD"),
        ("en-GB", "GBP", "1200", 1200, "GBP"),
        ("en-GB", "GBP", "£5", 5, "GBP"),
        ("en-GB", "GBP", "$5", 5, "USD"),
        ("en-GB", "GBP", "20 quid", 20, "GBP"),
        ("en-CA", "CAD", "$20", 20, "CAD"),  # the bot's own dollar
        ("en-CA", "CAD", "20 dollars", 20, "CAD"),
        ("en-CA", "CAD", "US$20", 20, "USD"),
        ("en-AU", "AUD", "20 bucks", 20, "AUD"),
        ("ja-JP", "JPY", "¥3000", 3000, "JPY"),
    ],
)
def test_locale_and_bot_currency(
    locale: str, currency: str, text: str, amount: float, code: str
) -> None:
    parsed = parse(MONEY, text, settings(locale, currency=currency))
    assert parsed.ok, (locale, text)
    assert parsed.value == {"amount": amount, "currency": code}


@pytest.mark.parametrize(
    ("utterance", "value"),
    [
        ("create an opportunity worth $5,000", {"amount": 5000, "currency": "USD"}),
        ("deal of 300 EUR for acme", {"amount": 300, "currency": "EUR"}),
        ("a deal worth $5k", {"amount": 5000, "currency": "USD"}),
        ("I owe him 20 bucks", {"amount": 20, "currency": "USD"}),
        ("4 tickets at $30 each on 2026-12-01", {"amount": 30, "currency": "USD"}),
    ],
)
def test_find(utterance: str, value: dict[str, object]) -> None:
    assert find(MONEY, utterance, settings()) == value


@pytest.mark.parametrize(
    "utterance",
    [
        "create a lead",
        "create an opportunity",
        "deal 5000",
        "book a table for 4",
        "between $5 and $6",
        "call me at (415) 555-0123",
        "create a lead for 2026-12-01",
        "the dollar is weak",
    ],
)
def test_find_has_no_false_positives(utterance: str) -> None:
    assert find(MONEY, utterance, settings()) is None


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ({"amount": 5, "currency": "EUR"}, {"amount": 5, "currency": "EUR"}),
        ({"amount": 5.5, "currency": "eur"}, {"amount": 5.5, "currency": "EUR"}),
        (1200, {"amount": 1200, "currency": "USD"}),
        (12.5, {"amount": 12.5, "currency": "USD"}),
        ("$1,200", {"amount": 1200, "currency": "USD"}),
        ("30 eur", {"amount": 30, "currency": "EUR"}),
    ],
)
def test_recheck(value: object, normalised: dict[str, object]) -> None:
    assert recheck(MONEY, value, settings()).value == normalised


@pytest.mark.parametrize(
    "value",
    [
        {"amount": 5, "currency": "XYZ"},
        {"amount": "5", "currency": "USD"},
        {"amount": True, "currency": "USD"},
        {"amount": 5},
        "lots",
        True,
        None,
    ],
)
def test_recheck_rejects(value: object) -> None:
    parsed = recheck(MONEY, value, settings())
    assert not parsed.ok
    assert parsed.error == ERROR
