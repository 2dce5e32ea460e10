"""SOQL's relative date literals (TODAY, LAST_N_DAYS:n, ...) as half-open day ranges.

Salesforce resolves them in the running user's time zone and locale; the sandbox org uses UTC
and weeks starting on Sunday (the en_US locale of a new org).
"""

from __future__ import annotations

from datetime import date, timedelta

RELATIVE_DATES = frozenset(
    {
        "TODAY",
        "YESTERDAY",
        "TOMORROW",
        "LAST_WEEK",
        "THIS_WEEK",
        "NEXT_WEEK",
        "LAST_MONTH",
        "THIS_MONTH",
        "NEXT_MONTH",
        "LAST_YEAR",
        "THIS_YEAR",
        "NEXT_YEAR",
        "LAST_90_DAYS",
        "NEXT_90_DAYS",
    }
)


def _month_start(day: date, shift: int) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def date_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """The days `name` (with `n` for the `_N_` forms) covers: `start <= day < end`."""
    one = timedelta(days=1)
    if name == "TODAY":
        return today, today + one
    if name == "YESTERDAY":
        return today - one, today
    if name == "TOMORROW":
        return today + one, today + 2 * one
    if name.endswith("_WEEK"):
        sunday = today - timedelta(days=(today.weekday() + 1) % 7)
        shift = {"LAST_WEEK": -1, "THIS_WEEK": 0, "NEXT_WEEK": 1}[name]
        start = sunday + timedelta(weeks=shift)
        return start, start + timedelta(weeks=1)
    if name.endswith("_MONTH"):
        shift = {"LAST_MONTH": -1, "THIS_MONTH": 0, "NEXT_MONTH": 1}[name]
        return _month_start(today, shift), _month_start(today, shift + 1)
    if name.endswith("_YEAR"):
        year = today.year + {"LAST_YEAR": -1, "THIS_YEAR": 0, "NEXT_YEAR": 1}[name]
        return date(year, 1, 1), date(year + 1, 1, 1)
    if name == "LAST_90_DAYS":
        name, n = "LAST_N_DAYS", 90
    elif name == "NEXT_90_DAYS":
        name, n = "NEXT_N_DAYS", 90
    assert n is not None, name
    # LAST_N_DAYS includes today (LAST_N_DAYS:1 is yesterday and today); NEXT_N_DAYS starts
    # tomorrow.
    if name == "LAST_N_DAYS":
        return today - n * one, today + one
    if name == "NEXT_N_DAYS":
        return today + one, today + (n + 1) * one
    if name == "N_DAYS_AGO":
        return today - n * one, today - (n - 1) * one
    raise ValueError(f"unknown date literal {name}")
