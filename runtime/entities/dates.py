"""Dates, normalised to ISO ``YYYY-MM-DD`` in the bot's time zone.

Common forms are read here without dateparser: ISO and numeric dates (day/month order from the
locale), "today", "tomorrow", weekday names, "in 3 days", "the 5th", "Dec 1", "1st of December".
Everything else goes to dateparser, imported on first use (it costs about a second), and is
accepted only when it names a single day ("march" or "next month" do not).

Choices where phrasing is ambiguous:
- a weekday name, with or without "on", "next" or "coming", is the first such day after today
  ("next friday" said on a Wednesday is in two days; said on a Friday, in seven); "this friday"
  may be today; "last friday" is the latest one before today;
- a day without a year ("Dec 1", "12/01", "the 5th") is the next one from today on.

In a sentence (`find_date`, `date_spots`) only clear forms count. Two of them name a day there
and not as a whole answer: "next week" and "next month" are the day a week or a month from today,
as "in a week" and "in a month" are ("a deal closing next month").
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from text_to_num import alpha2digit

from runtime.entities.base import EntitySettings, Parsed, accept, reject
from runtime.entities.calendar_words import calendar_words, day_before_month, field_order
from runtime.entities.numbers import spelling_languages
from runtime.entities.spots import Mapped, Spot, folded, settled, sole_value
from runtime.entities.wording import MAX_STRUCTURED, fold, trim_punct

ERROR = "That doesn't look like a date. Please try again, for example 2026-12-01 or tomorrow."

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NUMERIC_NO_YEAR = re.compile(r"(\d{1,2})[/.](\d{1,2})\.?")
_ORDINAL = r"(?:st|nd|rd|th|er|\.)?"
_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "tmrw": 1,
    "tmr": 1,
    "yesterday": -1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "day before yesterday": -2,
    "the day before yesterday": -2,
}
_DAYS_PER_UNIT = {"day": 1, "week": 7}
# Counts text2num leaves as words ("in two weeks"): it spells out numbers below three.
_FEW = {"a": 1, "an": 1, "one": 1, "two": 2}
_COUNT = rf"\d{{1,3}}|{'|'.join(_FEW)}"
_IN_UNITS = re.compile(rf"in ({_COUNT}) (days?|weeks?|months?|years?)")
_UNITS_FROM_NOW = re.compile(rf"({_COUNT}) (days?|weeks?|months?|years?) from (?:now|today)")
_END_OF = re.compile(
    r"(?:by |at )?(?:the )?end of (?P<which>the |this |next )?(?P<unit>month|year)"
)
_STORED = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORDY = re.compile(r"[^\W\d_]{3}")
_SMALL_ORDINALS = re.compile(r"\b(?:first|second|third)\b")  # text2num leaves these alone
_SMALL_ORDINAL_DIGITS = {"first": "1st", "second": "2nd", "third": "3rd"}
_ORDINAL_DAY = re.compile(r"(?:on )?(?:the )?(\d{1,2})(?:st|nd|rd|th)")
# Words that start a date phrase in a sentence without being part of the day it names.
_LEADING_WORD = re.compile(r"(?:on|by|at|for|until|till|due) ")
_NEXT_UNIT = re.compile(r"next (week|month)")
# What may follow "the 5th" for it to be a day rather than a rank ("the 5th floor").
_AFTER_ORDINAL_DAY = (
    r"(?=$|[^\w\s]| (?:at|and|or|for|please|then|in|by|with|to|from|so|if|is|works|would|"
    r"will|i|we|you|instead|next|this|around|before|after|under|named|called)\b)"
)


def parse_date(text: str, settings: EntitySettings) -> Parsed:
    day = read_date(text, settings)
    return reject(ERROR) if day is None else accept(day.isoformat())


def read_date(text: str, settings: EntitySettings) -> date | None:
    """The day a whole answer names, or None."""
    folded = trim_punct(fold(text))
    if not folded or len(folded) > MAX_STRUCTURED:
        return None
    today = settings.today()
    numeric = _numeric(folded, settings.locale, today)
    if numeric is not False:
        return numeric
    if not any(c.isalpha() for c in folded):
        return None
    if settings.language in spelling_languages():
        folded = alpha2digit(folded, settings.language)
    if settings.language == "en":
        folded = _SMALL_ORDINALS.sub(lambda m: _SMALL_ORDINAL_DIGITS[m[0]], folded)
    day = _spoken(folded, settings.language, today)
    if day is not None or not _WORDY.search(folded):  # dateparser reads "a" as a date
        return day
    return _dateparser(folded, settings)


def _numeric(folded: str, locale: str, today: date) -> date | Literal[False] | None:
    """A date written in digits; None when digits don't make a date, False when not digits."""
    m = _ISO.fullmatch(folded)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]))
    day_first = day_before_month(locale)
    m = _NUMERIC.fullmatch(folded)
    if m:
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        year += 2000 if len(m[4]) == 2 else 0
        day, month = (first, second) if day_first else (second, first)
        return _make(year, month, day)
    m = _NUMERIC_NO_YEAR.fullmatch(folded)
    if m:
        first, second = int(m[1]), int(m[2])
        day, month = (first, second) if day_first else (second, first)
        return _next_day_of_year(today, month, day)
    return False


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_day_of_year(today: date, month: int, day: int) -> date | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    for year in range(today.year, today.year + 5):  # Feb 29 waits for a leap year
        candidate = _make(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _next_day_of_month(today: date, day: int) -> date | None:
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None  # pragma: no cover - some month in any 13 has every day up to 31


def _add_months(today: date, months: int) -> date:
    month0 = today.month - 1 + months
    year, month = today.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _shift(today: date, count: int, unit: str) -> date:
    if unit.startswith("month"):
        return _add_months(today, count)
    if unit.startswith("year"):
        return _add_months(today, 12 * count)
    return today + timedelta(days=count * _DAYS_PER_UNIT[unit.removesuffix("s")])


@lru_cache(maxsize=16)
def _spoken_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    words = calendar_words(language)
    month = "|".join(sorted(map(re.escape, words.months), key=len, reverse=True))
    day_names = {**words.weekdays, **words.weekday_abbreviations}
    weekday = "|".join(sorted(map(re.escape, day_names), key=len, reverse=True))
    month_day = re.compile(
        rf"(?:on )?(?:the )?(?:(?P<d1>\d{{1,2}}){_ORDINAL} (?:of )?(?P<m1>{month})\.?"
        rf"|(?P<m2>{month})\.? (?:the )?(?P<d2>\d{{1,2}}){_ORDINAL})(?:,? (?P<y>\d{{4}}))?"
    )
    weekday_phrase = re.compile(
        rf"(?:(?P<which>on|this|next|coming|this coming|last) )?"
        rf"(?P<wd>{weekday})\.?(?: (?P<week>next week|this week))?"
    )
    next_week_day = re.compile(rf"next week (?:on )?(?P<wd>{weekday})")
    return month_day, weekday_phrase, next_week_day


def _spoken(folded: str, language: str, today: date) -> date | None:
    if folded in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[folded])
    m = _IN_UNITS.fullmatch(folded) or _UNITS_FROM_NOW.fullmatch(folded)
    if m:
        count = int(m[1]) if m[1].isdigit() else _FEW[m[1]]
        return _shift(today, count, m[2])
    m = _ORDINAL_DAY.fullmatch(folded)
    if m:
        return _next_day_of_month(today, int(m[1]))
    m = _END_OF.fullmatch(folded)
    if m:
        later = 1 if m["which"] == "next " else 0
        if m["unit"] == "year":
            return date(today.year + later, 12, 31)
        first_of_following = _add_months(today.replace(day=1), later + 1)
        return first_of_following - timedelta(days=1)
    words = calendar_words(language)
    month_day, weekday_phrase, next_week_day = _spoken_patterns(language)
    m = month_day.fullmatch(folded)
    if m:
        day = int(m["d1"] or m["d2"])
        month = words.months[m["m1"] or m["m2"]]
        return _make(int(m["y"]), month, day) if m["y"] else _next_day_of_year(today, month, day)
    m = weekday_phrase.fullmatch(folded)
    if m:
        target = {**words.weekdays, **words.weekday_abbreviations}[m["wd"]]
        return _weekday(today, target, m["which"] or "", m["week"] or "")
    m = next_week_day.fullmatch(folded)
    if m:
        target = {**words.weekdays, **words.weekday_abbreviations}[m["wd"]]
        return _weekday(today, target, "", "next week")
    return None


def _weekday(today: date, target: int, which: str, week: str) -> date:
    if week:
        monday = today - timedelta(days=today.weekday())
        if week == "next week":
            monday += timedelta(days=7)
        return monday + timedelta(days=target)
    ahead = (target - today.weekday()) % 7
    if which == "last":
        return today - timedelta(days=(today.weekday() - target) % 7 or 7)
    if which.endswith("this") and ahead == 0:
        return today
    return today + timedelta(days=ahead or 7)


@lru_cache(maxsize=16)
def _dateparser_languages(language: str) -> tuple[str, ...]:
    from dateparser.date import DateDataParser

    try:
        DateDataParser(languages=[language])
    except ValueError:
        return ("en",)
    return (language,) if language == "en" else (language, "en")


def _dateparser(folded: str, settings: EntitySettings) -> date | None:
    from dateparser.date import DateDataParser  # costly import, only for the long tail

    languages = _dateparser_languages(settings.language)
    parser = DateDataParser(
        languages=list(languages),
        try_previous_locales=False,
        use_given_order=True,
        settings={
            "RELATIVE_BASE": settings.local_now(),
            "TIMEZONE": settings.timezone,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": field_order(settings.locale),
        },
    )
    data = parser.get_date_data(folded)
    if data.date_obj is None or data.period != "day":
        return None
    return data.date_obj.date()


def is_iso_date(value: str) -> bool:
    """Whether a stored value already is a normalised date (``YYYY-MM-DD``)."""
    return bool(_STORED.fullmatch(value)) and _make(*map(int, value.split("-"))) is not None


@lru_cache(maxsize=16)
def _finder(language: str) -> re.Pattern[str]:
    words = calendar_words(language)
    month = "|".join(sorted(map(re.escape, words.months), key=len, reverse=True))
    weekday = "|".join(sorted(map(re.escape, words.weekdays), key=len, reverse=True))
    relative = "|".join(sorted(map(re.escape, _RELATIVE_DAYS), key=len, reverse=True))
    day = rf"\d{{1,2}}{_ORDINAL}"
    forms = [
        r"\d{4}-\d{1,2}-\d{1,2}",
        r"\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})",
        r"\d{1,2}/\d{1,2}",
        rf"(?:the )?{day} (?:of )?(?:{month})\.?(?:,? \d{{4}})?",
        rf"(?:{month})\.? (?:the )?{day}(?:,? \d{{4}})?",
        rf"(?:(?:this coming|next|coming|this|last|on) )?(?:{weekday})(?: (?:next|this) week)?",
        rf"next week (?:on )?(?:{weekday})",
        rf"in (?:{_COUNT}) (?:days?|weeks?|months?|years?)",
        rf"(?:{_COUNT}) (?:days?|weeks?|months?|years?) from (?:now|today)",
        r"(?:by |at )?(?:the )?end of (?:the |this |next )?(?:month|year)",
        r"next (?:week|month)",
        r"(?:(?:on|by|for|until|till|due) (?:the )?|the )\d{1,2}(?:st|nd|rd|th)"
        + _AFTER_ORDINAL_DAY,
        relative,
    ]
    # U+2044 is the fraction slash of a folded "½"
    return re.compile(rf"(?<![\w/.\-\u2044])(?:{'|'.join(forms)})(?![\w/\u2044]|[.-]\d)")


def find_date(text: str, settings: EntitySettings) -> str | None:
    """The one day a sentence names clearly ("call me tomorrow", "due Dec 1"), else None.

    Only unmistakable forms count: numeric dates, a month name next to a day, weekday names
    written out, "in 3 days", "today"/"tomorrow", "on the 5th", "next month". A month or year
    alone, "may" or "sun" do not.
    """
    return sole_value(_days(text, settings))


def date_spots(text: str, settings: EntitySettings) -> list[Spot]:
    """Every day a sentence names clearly, as `find_date` reads them; a spot leaves out the
    word before the day ("on", "by", "for": "on the 5th" is spotted as "the 5th")."""
    return settled(_days(text, settings))


def _days(text: str, settings: EntitySettings) -> list[Spot]:
    """The days named in a sentence, ISO; a value of None for a form that names no day
    ("Feb 30")."""
    mapped = folded(text)
    if len(mapped.text) > MAX_STRUCTURED:
        return []
    mapped = _with_digits(mapped, settings.language)
    today = settings.today()
    found = []
    for match in _finder(settings.language).finditer(mapped.text):
        start = match.start()
        lead = _LEADING_WORD.match(match[0])
        if lead and len(match[0]) > lead.end():
            start += lead.end()
        phrase = mapped.text[start : match.end()]
        next_unit = _NEXT_UNIT.fullmatch(phrase)
        day = _shift(today, 1, next_unit[1]) if next_unit else read_date(phrase, settings)
        found.append(mapped.spot(None if day is None else day.isoformat(), start, match.end()))
    return found


def _with_digits(mapped: Mapped, language: str) -> Mapped:
    """Spelled numbers as digits ("in three days" -> "in 3 days", "first" -> "1st")."""
    if language in spelling_languages():
        mapped = mapped.rewritten(alpha2digit(mapped.text, language))
    if language == "en":
        mapped = mapped.sub(_SMALL_ORDINALS, lambda m: _SMALL_ORDINAL_DIGITS[m[0]])
    return mapped


def warm_up(settings: EntitySettings) -> None:
    """Import dateparser and load the bot's language now rather than on a user's first answer."""
    _dateparser("the first monday of next month", settings)
