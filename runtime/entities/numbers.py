"""Numbers: digits in the locale's notation ("1,200.5", "1.200,5"), "1.2k", and spelled numbers.

A number may be followed by a word that multiplies it: "k", "thousand", "million", "bn", and
the compact forms of the bot's language in Babel's data ("3 Mio.", "2 Tausend", "5 mil", "3万").

Separators are read by the bot's locale (Babel's symbols); a lone separator that the locale does
not use as its decimal mark counts as grouping only when exactly three digits follow it, so
"3.5" is 3.5 in de-DE as well. Spelled numbers ("forty two", "zweiundvierzig") go through
text2num for the languages it knows. Integral values come back as ``int``, others as ``float``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import localedata
from babel.numbers import get_decimal_symbol, get_group_symbol
from text_to_num import alpha2digit, text2num

from runtime.entities.base import EntitySettings, Parsed, accept, babel_locale, reject
from runtime.entities.calendar_words import month_words
from runtime.entities.contact import email_spots, phone_spots
from runtime.entities.spots import Spot, blanked, folded, settled, sole_value
from runtime.entities.web import url_spots
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
_COMPACT_FORM = re.compile(r"(0+)\s*([^\d\s¤;][^¤;]*)")  # "0 Tausend", "00K", "0\xa0Mio'.'"

# A number as written, before its separators are interpreted. Grouping by spaces is tried first
# so that "1 200" stays one number where the locale groups by spaces.
_DIGITS = r"(?:\d+(?:[.,']\d+)*|[.,]\d+)"
_SPACED = r"(?:\d{1,3}(?:\s\d{3})+(?:[.,]\d+)?)"
_BEFORE = r"(?<![\w@/:.,'+\-\u2044])"  # U+2044, the fraction slash NFKC puts in "½"
_AFTER = r"(?![\w@/:%'\u2044]|[.,]\d|-\d)"


@dataclass(frozen=True, slots=True)
class Notation:
    """How the bot's locale writes numbers, with the scanning patterns built for it."""

    decimal: str
    language: str
    multipliers: dict[str, int]  # folded word -> factor
    number: re.Pattern[str]  # one number inside a text, with an optional multiplier (k, million)
    whole: re.Pattern[str]  # the same, as a whole answer


@lru_cache(maxsize=32)
def multipliers(settings_locale: str, money: bool = False) -> dict[str, int]:
    """Words after a number that multiply it, folded: the English ones (for money also "m" and
    "b": "$1.2m") and the compact forms of the locale's language in Babel's data."""
    words = dict(MONEY_MULTIPLIERS if money else MULTIPLIERS)
    words.update(_compact_words(str(babel_locale(settings_locale))))
    return words


@lru_cache(maxsize=32)
def _compact_words(babel_name: str) -> dict[str, int]:
    """ "Tausend", "Mio.", "mil", "万": the words of Babel's compact number formats up to
    billions. A single Latin letter ("K", "M", "t") is left out: too ambiguous in a sentence,
    and so is a word that means different factors."""
    data = localedata.load(babel_name).get("compact_decimal_formats", {})
    factors: dict[str, set[int]] = {}
    for magnitude, pattern in _compact_patterns(data):
        m = _COMPACT_FORM.fullmatch(pattern.replace("'", "").strip())
        if m is None or int(magnitude) > 10**9:
            continue
        word = fold(m[2])
        factor = int(magnitude) // 10 ** (len(m[1]) - 1)
        if factor >= 1000 and word and not (len(word) == 1 and word.isascii()):
            factors.setdefault(word, set()).add(factor)
    return {word: found.pop() for word, found in factors.items() if len(found) == 1}


def _compact_patterns(data: object) -> list[tuple[str, str]]:
    """(magnitude, pattern) pairs from Babel's nested compact formats (by width and plural).

    Newer Babel data holds some widths as (alias, overrides) pairs: the overrides are read,
    and the alias, which points at another width, is read there."""
    if isinstance(data, tuple | list):
        return [pair for item in data for pair in _compact_patterns(item)]
    if not isinstance(data, Mapping):
        return []
    pairs = []
    for key, value in data.items():
        if isinstance(key, str) and key.isdigit() and not isinstance(value, Mapping):
            pairs.append((key, str(getattr(value, "pattern", value))))
        else:
            pairs.extend(_compact_patterns(value))
    return pairs


@lru_cache(maxsize=32)
def number_regex(settings_locale: str, money: bool = False, tag: str = "") -> str:
    """A number as written in this locale, with groups ``sign``, ``digits`` and ``mult``, each
    name followed by `tag` so that one pattern can hold several numbers."""
    group = get_group_symbol(babel_locale(settings_locale))
    body = f"(?:{_SPACED}|{_DIGITS})" if group in _SPACE_GROUPS else _DIGITS
    words = multipliers(settings_locale, money)
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
        multipliers=multipliers(settings_locale, money),
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


def value_of(match: re.Match[str], notes: Notation, tag: str = "") -> Decimal | None:
    """The value of a match of `number_regex` (`Notation.number`, `Notation.whole`) built with
    the same locale and `money` flag as `notes`."""
    value = read_digits(match[f"digits{tag}"], notes.decimal)
    if value is None:
        return None
    mult = match[f"mult{tag}"]
    if mult:
        value *= notes.multipliers[mult.casefold()]
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
        return value_of(match, notes)
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
    return [value_of(m, notes) for m in notes.number.finditer(folded)]


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

    Numbers that belong to a date, time, phone number, email or web address, amount of money,
    percentage, ordinal or identifier are not counts and are skipped.
    """
    return sole_value(_counts(text, settings))


def number_spots(text: str, settings: EntitySettings) -> list[Spot]:
    """Every plain count in a sentence, as `find_number` reads them."""
    return settled(_counts(text, settings))


def _counts(text: str, settings: EntitySettings) -> list[Spot]:
    """Counts written in digits; a value of None for one whose digits don't read."""
    if len(text) > MAX_STRUCTURED or not _ANY_DIGIT.search(text):
        return []  # most utterances that start a dialog hold no digit: skip the phone scan
    taken = phone_spots(text, settings.region)
    if "@" in text:
        taken += email_spots(text)
    rest = blanked(text, [(s.start, s.end) for s in taken]) if taken else text
    if "." in rest:
        taken = url_spots(rest)
        rest = blanked(rest, [(s.start, s.end) for s in taken]) if taken else rest
    mapped = folded(rest)
    notes = notation(settings.locale)
    beside = _NOT_A_COUNT_BESIDE | month_words(settings.language)
    found = []
    for match in notes.number.finditer(mapped.text):
        before = mapped.text[: match.start()].rstrip()
        after = mapped.text[match.end() :].lstrip()
        if before[-1:] and unicodedata.category(before[-1]) == "Sc":
            continue
        if after[:1] == "%" or (after[:1] and unicodedata.category(after[0]) == "Sc"):
            continue
        if set(tokens(before)[-1:] + tokens(after)[:1]) & beside:
            continue
        value = value_of(match, notes)
        number = None if value is None else to_number(value)
        found.append(mapped.spot(number, match.start(), match.end()))
    return found


def check_number(value: object) -> bool:
    """Whether a stored value already is a normalised number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value == value and value not in (float("inf"), float("-inf"))
