"""Month and weekday names (Babel's, for the bot's language, plus English) and date field order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.dates import get_date_format, get_day_names, get_month_names

from runtime.entities.base import babel_locale
from runtime.entities.wording import fold

_ENGLISH_EXTRA_DAYS = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_ENGLISH_EXTRA_MONTHS = {"sept": 9}


@dataclass(frozen=True, slots=True)
class CalendarWords:
    months: dict[str, int]  # folded wide and abbreviated names -> 1..12
    weekdays: dict[str, int]  # folded wide names -> 0 (Monday)..6
    weekday_abbreviations: dict[str, int]  # "fri", "sat": only for whole answers, never in find


@lru_cache(maxsize=16)
def calendar_words(language: str) -> CalendarWords:
    months: dict[str, int] = dict(_ENGLISH_EXTRA_MONTHS)
    weekdays: dict[str, int] = {}
    short_days: dict[str, int] = dict(_ENGLISH_EXTRA_DAYS)
    for lang in dict.fromkeys(("en", language)):
        loc = Locale.parse(lang)
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, loc).items():
                    months[fold(name).rstrip(".")] = number
                for number, name in get_day_names(width, context, loc).items():
                    target = weekdays if width == "wide" else short_days
                    target[fold(name).rstrip(".")] = number
    return CalendarWords(months, weekdays, short_days)


def month_words(language: str) -> frozenset[str]:
    """Every month name and abbreviation a sentence in this language may use."""
    return frozenset(calendar_words(language).months)


@lru_cache(maxsize=32)
def field_order(settings_locale: str) -> str:
    """``DMY``, ``MDY`` or ``YMD``, as the locale's short date format orders its fields."""
    pattern = get_date_format("short", babel_locale(settings_locale)).pattern
    letters = {"D": "d", "M": "M", "Y": "y"}
    return "".join(sorted("DMY", key=lambda field: pattern.find(letters[field])))


def day_before_month(settings_locale: str) -> bool:
    """Whether "01/12" means the 1st of December (day first) in this locale."""
    order = field_order(settings_locale)
    return order.index("D") < order.index("M")
