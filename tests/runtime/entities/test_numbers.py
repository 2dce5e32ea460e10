"""The number type: digits in the locale's notation, multipliers, spelled numbers."""

from __future__ import annotations

import pytest

from runtime.entities import EntitySpec, find, parse
from tests.runtime.entities.conftest import settings

NUMBER = EntitySpec("number")
ERROR = "That doesn't look like a number. Please try again."


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        (" 42 ", 42),
        ("42!", 42),
        ("(42)", 42),
        ("3.5", 3.5),
        ("1,200", 1200),
        ("1,200,000", 1200000),
        ("1,200.50", 1200.5),
        ("-3", -3),
        ("+7", 7),
        ("\u22123", -3),
        ("0", 0),
        (".5", 0.5),
        ("1.2k", 1200),
        ("1.5K", 1500),
        ("2 million", 2000000),
        ("3 thousand", 3000),
        ("1.5 billion", 1500000000),
        ("forty two", 42),
        ("Forty-Two", 42),
        ("one", 1),
        ("twelve hundred", 1200),
        ("a hundred", 100),
        ("one million two hundred thousand", 1200000),
        ("minus three", -3),
        ("three point one four", 3.14),
        ("about 40 people", 40),
        ("I'd say 25", 25),
        ("forty two employees", 42),
        ("1,20,000", 120000),
        ("3.0", 3),
    ],
)
def test_accepts_in_en_us(text: str, value: float) -> None:
    parsed = parse(NUMBER, text, settings())
    assert parsed.ok, text
    assert parsed.value == value
    assert type(parsed.value) is type(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banana",
        "none",
        "many",
        "1 2",
        "between 40 and 50",
        "2026-12-01",
        "415-555-0123",
        "50%",
        "1.2.3",
        "1,2,3",
        "1,000.50.3",
        "5m",
        "one two three",
        "x" * 600,
    ],
)
def test_rejects(text: str) -> None:
    parsed = parse(NUMBER, text, settings())
    assert not parsed.ok
    assert parsed.value is None
    assert parsed.error == ERROR


@pytest.mark.parametrize(
    ("locale", "text", "value"),
    [
        ("de-DE", "3,5", 3.5),
        ("de-DE", "1.200", 1200),
        ("de-DE", "1.200,50", 1200.5),
        ("de-DE", "1,200", 1.2),
        ("de-DE", "3.5", 3.5),  # a dot before one digit cannot be grouping
        ("de-DE", "zweiundvierzig", 42),
        ("fr-FR", "1 200,5", 1200.5),
        ("fr-FR", "1\u202f200", 1200),
        ("fr-FR", "quarante-deux", 42),
        ("de-CH", "1'000", 1000),
        ("de-CH", "1\u2019000.50", 1000.5),
        ("en-US", "1.200", 1.2),
        ("en-GB", "1,200", 1200),
        ("en-IN", "1,20,000", 120000),
    ],
)
def test_locale_notation(locale: str, text: str, value: float) -> None:
    parsed = parse(NUMBER, text, settings(locale))
    assert parsed.ok, (locale, text)
    assert parsed.value == value


@pytest.mark.parametrize(
    ("utterance", "value"),
    [
        ("book a table for 4", 4),
        ("create 3 leads", 3),
        ("book 4 seats on 2026-12-01", 4),
        ("budget $500 for 3 people", 3),
        ("in 3 days for 2 people", 2),
        ("dec 1 for 5 people", 5),
        ("10:30 meeting with 5", 5),
        ("order 1,200 units", 1200),
    ],
)
def test_find_takes_the_one_plain_count(utterance: str, value: int) -> None:
    assert find(NUMBER, utterance, settings()) == value


@pytest.mark.parametrize(
    "utterance",
    [
        "create a lead",
        "create a lead for acme",
        "call me at 4155550123",
        "call me at (415) 555-0123",
        "create a lead for 2026-12-01",
        "create a lead for 12/01/2026",
        "a deal worth $5,000",
        "a deal worth 5000 dollars",
        "grow by 20%",
        "meet at 10:30",
        "the 1st of december",
        "in 3 days",
        "book for 2 or 3 people",
        "lead for bob2@x.com",
        "see example.com/42",
        "book a table for four",  # spelled numbers are not looked for in a request
    ],
)
def test_find_has_no_false_positives(utterance: str) -> None:
    assert find(NUMBER, utterance, settings()) is None
