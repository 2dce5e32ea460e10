"""The date type: ISO YYYY-MM-DD relative to the bot's clock and time zone.

The clock in these tests reads Wednesday 17 June 2026, 14:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from runtime.entities import EntitySettings, EntitySpec, find, parse, recheck
from tests.runtime.entities.conftest import NOW, settings

DATE = EntitySpec("date")
ERROR = "That doesn't look like a date. Please try again, for example 2026-12-01 or tomorrow."


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-12-01", "2026-12-01"),
        ("2026/12/01", "2026-12-01"),
        ("12/01/2026", "2026-12-01"),
        ("12-01-2026", "2026-12-01"),
        ("12/1/26", "2026-12-01"),
        ("12/01", "2026-12-01"),
        ("6/17", "2026-06-17"),
        ("6/16", "2027-06-16"),  # no year: the next one from today on
        ("today", "2026-06-17"),
        ("Today!", "2026-06-17"),
        ("tonight", "2026-06-17"),
        ("tomorrow", "2026-06-18"),
        ("yesterday", "2026-06-16"),
        ("the day after tomorrow", "2026-06-19"),
        ("next friday", "2026-06-19"),
        ("Next Friday", "2026-06-19"),
        ("friday", "2026-06-19"),
        ("on friday", "2026-06-19"),
        ("this coming friday", "2026-06-19"),
        ("this wednesday", "2026-06-17"),
        ("wednesday", "2026-06-24"),
        ("next wednesday", "2026-06-24"),
        ("last friday", "2026-06-12"),
        ("last wednesday", "2026-06-10"),
        ("monday", "2026-06-22"),
        ("fri", "2026-06-19"),
        ("friday next week", "2026-06-26"),
        ("next week monday", "2026-06-22"),
        ("in 3 days", "2026-06-20"),
        ("in three days", "2026-06-20"),
        ("in a week", "2026-06-24"),
        ("in 2 weeks", "2026-07-01"),
        ("in 2 months", "2026-08-17"),
        ("in a year", "2027-06-17"),
        ("a week from today", "2026-06-24"),
        ("3 days from now", "2026-06-20"),
        ("Dec 1", "2026-12-01"),
        ("dec. 1", "2026-12-01"),
        ("December 1st", "2026-12-01"),
        ("1st of December", "2026-12-01"),
        ("first of december", "2026-12-01"),
        ("the 1st of december", "2026-12-01"),
        ("1 Dec 2027", "2027-12-01"),
        ("December 1, 2027", "2027-12-01"),
        ("June 1", "2027-06-01"),
        ("the 5th", "2026-07-05"),
        ("the 20th", "2026-06-20"),
        ("on the 31st", "2026-07-31"),
        ("2 days ago", "2026-06-15"),  # the long tail goes to dateparser
        ("monday, december 7, 2026", "2026-12-07"),
    ],
)
def test_accepts_in_en_us(text: str, iso: str) -> None:
    parsed = parse(DATE, text, settings())
    assert parsed.ok, text
    assert parsed.value == iso


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a",
        "42",
        "1 2",
        "march",
        "next month",
        "next year",
        "soon",
        "whenever",
        "banana",
        "2026-02-30",
        "13/45/2026",
        "31/12/2026",  # day-first is not the US order
        "create a lead",
        "x" * 600,
    ],
)
def test_rejects(text: str) -> None:
    parsed = parse(DATE, text, settings())
    assert not parsed.ok
    assert parsed.error == ERROR


@pytest.mark.parametrize(
    ("locale", "text", "iso"),
    [
        ("en-US", "12/01/2026", "2026-12-01"),
        ("en-GB", "12/01/2026", "2026-01-12"),
        ("en-GB", "31/12/2026", "2026-12-31"),
        ("en-GB", "1/12", "2026-12-01"),
        ("de-DE", "01.12.2026", "2026-12-01"),
        ("de-DE", "1.12.", "2026-12-01"),
        ("de-DE", "1. Dezember", "2026-12-01"),
        ("de-DE", "morgen", "2026-06-18"),
        ("de-DE", "Freitag", "2026-06-19"),
        ("fr-FR", "1 décembre 2026", "2026-12-01"),
        ("ja-JP", "2026/12/01", "2026-12-01"),
        ("en-CA", "2026-12-01", "2026-12-01"),
    ],
)
def test_locale_field_order_and_words(locale: str, text: str, iso: str) -> None:
    parsed = parse(DATE, text, settings(locale))
    assert parsed.ok, (locale, text)
    assert parsed.value == iso


@pytest.mark.parametrize(
    ("timezone", "text", "iso"),
    [
        # 14:00 UTC is already Thursday 18 June in Auckland (02:00 next day)...
        ("Pacific/Auckland", "today", "2026-06-18"),
        ("Pacific/Auckland", "tomorrow", "2026-06-19"),
        ("Pacific/Auckland", "friday", "2026-06-19"),
        ("Pacific/Auckland", "next friday", "2026-06-19"),
        ("Pacific/Auckland", "thursday", "2026-06-25"),
        # ...and still Wednesday in Los Angeles (07:00).
        ("America/Los_Angeles", "today", "2026-06-17"),
        ("America/Los_Angeles", "in 3 days", "2026-06-20"),
        ("America/Los_Angeles", "2 days ago", "2026-06-15"),
    ],
)
def test_relative_dates_follow_the_bot_time_zone(timezone: str, text: str, iso: str) -> None:
    assert parse(DATE, text, settings(timezone=timezone)).value == iso


def test_dateparser_path_uses_the_bot_time_zone() -> None:
    auckland = settings(timezone="Pacific/Auckland")
    assert parse(DATE, "2 days ago", auckland).value == "2026-06-16"


@pytest.mark.parametrize(
    ("today", "iso"),
    [
        (datetime(2026, 6, 15, 9, tzinfo=UTC), "2026-06-19"),  # Monday
        (datetime(2026, 6, 18, 9, tzinfo=UTC), "2026-06-19"),  # Thursday
        (datetime(2026, 6, 19, 9, tzinfo=UTC), "2026-06-26"),  # Friday: a week on
        (datetime(2026, 6, 20, 9, tzinfo=UTC), "2026-06-26"),  # Saturday
    ],
)
def test_next_friday_is_the_coming_friday(today: datetime, iso: str) -> None:
    at = EntitySettings(now=lambda: today)
    assert parse(DATE, "next friday", at).value == iso


def test_now_may_be_naive_wall_clock_time_of_the_bot() -> None:
    naive = EntitySettings(timezone="Pacific/Auckland", now=lambda: datetime(2026, 6, 17, 23, 0))
    assert parse(DATE, "today", naive).value == "2026-06-17"


def test_without_a_clock_today_is_the_real_today() -> None:
    plain = EntitySettings(timezone="UTC")
    assert parse(DATE, "today", plain).value == datetime.now(UTC).date().isoformat()


@pytest.mark.parametrize(
    ("utterance", "iso"),
    [
        ("call bob tomorrow", "2026-06-18"),
        ("create a lead for 2026-12-01", "2026-12-01"),
        ("create a lead for 12/01/2026", "2026-12-01"),
        ("meeting on Dec 1 at 3pm", "2026-12-01"),
        ("close it by December 1st, 2027", "2027-12-01"),
        ("follow up next friday", "2026-06-19"),
        ("book it for friday please", "2026-06-19"),
        ("remind me in three days", "2026-06-20"),
        ("due the 1st of december", "2026-12-01"),
        ("ship on 2026-12-01, that is 2026-12-01", "2026-12-01"),
    ],
)
def test_find_takes_a_clear_date(utterance: str, iso: str) -> None:
    assert find(DATE, utterance, settings()) == iso


@pytest.mark.parametrize(
    "utterance",
    [
        "create a lead",
        "create a lead for acme",
        "may I create a lead",
        "sun and sea travel",
        "open a case for march networks",
        "a deal worth $5,000",
        "book a table for 4",
        "call me at (415) 555-0123",
        "between monday and friday",
        "version 1.2.3",
        "create 12 leads",
        "schedule for the 2026 season",
    ],
)
def test_find_has_no_false_positives(utterance: str) -> None:
    assert find(DATE, utterance, settings()) is None


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2026-12-01", "2026-12-01"),
        (date(2026, 12, 1), "2026-12-01"),
        (datetime(2026, 12, 1, 18, 30), "2026-12-01"),
        ("tomorrow", "2026-06-18"),
        ("12/01/2026", "2026-12-01"),
    ],
)
def test_recheck_accepts_normalised_and_raw(value: object, iso: str) -> None:
    assert recheck(DATE, value, settings()).value == iso


@pytest.mark.parametrize("value", ["2026-13-01", "soon", 42, None, True, {"day": 1}])
def test_recheck_rejects(value: object) -> None:
    parsed = recheck(DATE, value, settings())
    assert not parsed.ok
    assert parsed.error == ERROR


def test_parsing_a_normalised_value_gives_it_back() -> None:
    assert parse(DATE, "2026-12-01", settings()).value == "2026-12-01"
    assert NOW.date().isoformat() == "2026-06-17"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("end of the month", "2026-06-30"),
        ("the end of this month", "2026-06-30"),
        ("end of month", "2026-06-30"),
        ("by the end of next month", "2026-07-31"),
        ("at the end of the year", "2026-12-31"),
        ("end of next year", "2027-12-31"),
    ],
)
def test_the_end_of_a_month_or_year_is_its_last_day(text: str, iso: str) -> None:
    assert parse(DATE, text, settings()).value == iso


def test_the_end_of_next_month_in_december_is_in_january() -> None:
    december = EntitySettings(now=lambda: datetime(2026, 12, 17, 9, 0, tzinfo=UTC))
    assert parse(DATE, "end of next month", december).value == "2027-01-31"
