"""Numbers: digits in the locale's notation ("1,200.5", "1.200,5"), "1.2k", and spelled numbers.

Separators are read by the bot's locale (Babel's symbols); a lone separator that the locale does
not use as its decimal mark counts as grouping only when exactly three digits follow it, so
"3.5" is 3.5 in de-DE as well. Spelled numbers ("forty two", "zweiundvierzig") go through
text2num for the languages it knows. Integral values come back as ``int``, others as ``float``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol
from text_to_num import alpha2digit, text2num

from runtime.entities.base import EntitySettings, Parsed, accept, babel_locale, reject
from runtime.entities.calendar_words import month_words
from runtime.entities.contact import phone_spans
from runtime.entities.wording import MAX_STRUCTURED, fold, tokens, trim_punct

ERROR = "That doesn't look like a number. Please try again."

Number = int | float

MULTIPLIERS: dict[str, int] = {
    "k": 10**3,
    "thousand": 10**3,
    "million": 10**6,
    "millions": 10**6,
    "mn": 10**6,
    "mio": 10**6,
    "billion": 10**9,
    "billions": 10**9,
    "bn": 10**9,
}
MONEY_MULTIPLIERS: dict[str, int] = MULTIPLIERS | {"m": 10**6, "mm": 10**6, "b": 10**9}
_SCALES = frozenset({"hundred", "thousand", "million", "billion"})
_SIGN_WORDS = frozenset({"minus", "negative", "moins", "menos", "meno"})
_SPACE_GROUPS = frozenset({"\u00a0", "\u202f", " "})

# A number as written, before its separators are interpreted. Grouping by spaces is tried first
# so that "1 200" stays one number where the locale groups by spaces.
_DIGITS = r"(?:\d+(?:[.,']\d+)*|[.,]\d+)"
_SPACED = r"(?:\d{1,3}(?:\s\d{3})+(?:[.,]\d+)?)"
_BEFORE = r"(?<![\w@/:.,'+-])"
_AFTER = r"(?![\w@/:%']|[.,]\d|-\d)"


@dataclass(frozen=True, slots=True)
class Notation:
    """How the bot's locale writes numbers, with the scanning patterns built for it."""

    decimal: str
    language: str
    number: re.Pattern[str]  # one number inside a text, with an optional multiplier (k, million)
    whole: re.Pattern[str]  # the same, as a whole answer


@lru_cache(maxsize=32)
def number_regex(settings_locale: str, money: bool = False, tag: str = "") -> str:
    """A number as written in this locale, with groups ``sign``, ``digits`` and ``mult``, each
    name followed by `tag` so that one pattern can hold several numbers."""
    group = get_group_symbol(babel_locale(settings_locale))
    body = f"(?:{_SPACED}|{_DIGITS})" if group in _SPACE_GROUPS else _DIGITS
    words = MONEY_MULTIPLIERS if money else MULTIPLIERS
    mult = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return (
        rf"(?P<sign{tag}>[-+])?(?P<digits{tag}>{body})"
        rf"(?:\s?(?P<mult{tag}>{mult})(?![\w]))?"
    )


@lru_cache(maxsize=32)
def notation(settings_locale: str, money: bool = False) -> Notation:
    loc = babel_locale(settings_locale)
    core = number_regex(settings_locale, money)
    return Notation(
        decimal=get_decimal_symbol(loc),
        language=loc.language,
        number=re.compile(_BEFORE + core + _AFTER, re.IGNORECASE),
        whole=re.compile(core, re.IGNORECASE),
    )


def read_digits(digits: str, decimal: str) -> Decimal | None:
    """The value of digits with separators ("1,200.50", "1.200,5", "1 200"), or None.

    `digits` comes from `wording.plain` text: apostrophes are straight."""
    digits = "".join(" " if c.isspace() else c for c in digits)
    marks = [c for c in digits if c in ".,"]
    point: str | None = None
    if len(set(marks)) == 2:
        point = marks[-1]
        if marks.count(point) != 1:
            return None
    elif len(marks) == 1:
        (mark,) = marks
        after = digits.rsplit(mark, 1)[1]
        grouped = mark != decimal and len(after) == 3 and digits[0] != mark
        point = None if grouped else mark
    whole, _, fraction = digits.partition(point) if point else (digits, "", "")
    if (point and not fraction.isdigit()) or not _valid_grouping(whole):
        return None
    try:
        return Decimal(re.sub(r"[.,' ]", "", whole or "0") + ("." + fraction if point else ""))
    except InvalidOperation:  # pragma: no cover - the checks above leave only digits
        return None


def _valid_grouping(whole: str) -> bool:
    chunks = re.split(r"[.,' ]", whole)
    if len(chunks) == 1:
        return whole == "" or whole.isdigit()
    first, *middle, last = chunks
    return (
        1 <= len(first) <= 3
        and all(c.isdigit() and len(c) in (2, 3) for c in middle)
        and last.isdigit()
        and len(last) == 3
        and first.isdigit()
    )


def to_number(value: Decimal) -> Number:
    """An ``int`` when the value is integral, else a ``float``."""
    return int(value) if value == value.to_integral_value() else float(value)


def value_of(
    match: re.Match[str], decimal: str, money: bool = False, tag: str = ""
) -> Decimal | None:
    """The value of a match of `number_regex` (`Notation.number`, `Notation.whole`)."""
    value = read_digits(match[f"digits{tag}"], decimal)
    if value is None:
        return None
    mult = match[f"mult{tag}"]
    if mult:
        value *= (MONEY_MULTIPLIERS if money else MULTIPLIERS)[mult.lower()]
    return -value if match[f"sign{tag}"] == "-" else value


def spelled(folded: str, language: str) -> Decimal | None:
    """A whole answer that is a spelled number ("forty two", "minus three"), or None."""
    words = folded.split()
    negative = bool(words) and words[0] in _SIGN_WORDS
    if negative:
        words = words[1:]
    if len(words) >= 2 and words[0] in ("a", "an") and words[1] in _SCALES:
        words[0] = "one"
    if not words:
        return None
    try:
        value = Decimal(text2num(" ".join(words), language))
    except (ValueError, TypeError):
        return None
    return -value if negative else value


def read_number(text: str, settings: EntitySettings, *, money: bool = False) -> Decimal | None:
    """The one number a short answer holds ("42", "1.2k", "forty two", "about 40 people")."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_STRUCTURED:
        return Decimal(text)  # the common answer, as the whole-match below would read it
    folded = trim_punct(fold(text))
    if not folded or len(folded) > MAX_STRUCTURED:
        return None
    notes = notation(settings.locale, money)
    match = notes.whole.fullmatch(folded)
    if match:
        return value_of(match, notes.decimal, money)
    if notes.language in spelling_languages():
        value = spelled(folded, notes.language)
        if value is not None:
            return value
        folded = alpha2digit(folded, notes.language)
    found = {v for v in numbers_in(folded, settings, money=money) if v is not None}
    return found.pop() if len(found) == 1 else None


def numbers_in(
    folded: str, settings: EntitySettings, *, money: bool = False
) -> list[Decimal | None]:
    """Every number written in digits inside a folded text (None for one that doesn't read)."""
    notes = notation(settings.locale, money)
    return [value_of(m, notes.decimal, money) for m in notes.number.finditer(folded)]


@lru_cache(maxsize=1)
def spelling_languages() -> frozenset[str]:
    """Languages whose spelled numbers text2num reads."""
    known = set()
    for language in ("en", "fr", "es", "pt", "de", "nl", "it", "da", "ca"):
        try:
            alpha2digit("", language)
        except ValueError:
            continue
        known.add(language)
    return frozenset(known)


def parse_number(text: str, settings: EntitySettings) -> Parsed:
    value = read_number(text, settings)
    return reject(ERROR) if value is None else accept(to_number(value))


# Words next to a number that make it part of something else: a duration, a time, an amount.
_NOT_A_COUNT_BESIDE = frozenset(
    {
        "day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours",
        "minute", "minutes", "am", "pm", "percent", "dollars", "dollar", "euros", "euro",
        "pounds", "pound", "bucks", "yen", "usd", "eur", "gbp",
    }
)  # fmt: skip


_ANY_DIGIT = re.compile(r"\d")


def find_number(text: str, settings: EntitySettings) -> Number | None:
    """The one plain count in a sentence ("book a table for 4"), digits only; else None.

    Numbers that belong to a date, time, phone number, amount of money, percentage, ordinal or
    identifier are not counts and are skipped.
    """
    if len(text) > MAX_STRUCTURED or not _ANY_DIGIT.search(text):
        return None  # most utterances that start a dialog hold no digit: skip the phone scan
    for start, end in reversed(phone_spans(text, settings.region)):
        text = text[:start] + " " + text[end:]
    folded = fold(text)
    notes = notation(settings.locale)
    beside = _NOT_A_COUNT_BESIDE | month_words(settings.language)
    found: set[Decimal] = set()
    for match in notes.number.finditer(folded):
        before, after = folded[: match.start()].rstrip(), folded[match.end() :].lstrip()
        if before[-1:] and unicodedata.category(before[-1]) == "Sc":
            continue
        if after[:1] == "%" or (after[:1] and unicodedata.category(after[0]) == "Sc"):
            continue
        if set(tokens(before)[-1:] + tokens(after)[:1]) & beside:
            continue
        value = value_of(match, notes.decimal)
        if value is None:
            return None
        found.add(value)
    return to_number(found.pop()) if len(found) == 1 else None


def check_number(value: object) -> bool:
    """Whether a stored value already is a normalised number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value == value and value not in (float("inf"), float("-inf"))
