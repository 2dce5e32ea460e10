"""Amounts of money: ``{"amount": number, "currency": "USD"}``.

A currency is recognised by symbol ("$", "€", "CA$"), ISO code ("EUR", "eur"), or name ("euros",
"US dollars", "bucks"), using Babel's data for the bot's locale; a symbol or word the bot's own
currency uses ("$" for a CAD bot in en-CA, "dollars" for an AUD bot) means that currency. With no
currency said, the amount is in the bot's currency. Amounts take the number rules of
`runtime.entities.numbers`, its multipliers ("$10k", "1,2 Millionen Euro"), plus "m"/"b"
("$1.2m"), and may not have more decimals than the currency has ("¥30.5" is not an amount).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import (
    get_currency_name,
    get_currency_precision,
    get_currency_symbol,
)

from runtime.entities.base import (
    EntitySettings,
    Parsed,
    accept,
    babel_locale,
    current_currencies,
    reject,
)
from runtime.entities.numbers import (
    check_number,
    notation,
    number_regex,
    read_number,
    to_number,
    value_of,
)
from runtime.entities.spots import Spot, folded, settled, sole_value
from runtime.entities.wording import MAX_STRUCTURED, fold, plain

ERROR = "That doesn't look like an amount of money. Please try again, for example 250 or $1,200."

# Codes understood in lower case too ("30 eur"); other codes only as written by ISO ("30 SEK").
_COMMON_CODES = frozenset(
    {
        "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "CNY", "HKD", "SGD", "SEK", "NOK",
        "DKK", "INR", "BRL", "MXN", "ZAR", "KRW", "PLN", "CZK", "HUF", "ILS", "AED", "SAR",
    }
)  # fmt: skip
# Everyday unit words, with the currency they mean unless the bot's currency shares the word.
_UNIT_WORDS = {
    "dollar": ("USD", ("dollar", "dollars", "buck", "bucks")),
    "euro": ("EUR", ("euro", "euros")),
    "pound": ("GBP", ("pound", "pounds", "quid")),
    "yen": ("JPY", ("yen",)),
    "yuan": ("CNY", ("yuan", "rmb", "renminbi")),
    "rupee": ("INR", ("rupee", "rupees")),
    "franc": ("CHF", ("franc", "francs")),
    "peso": ("MXN", ("peso", "pesos")),
}


_LOOSE_SIGN = re.compile(r"^\s*([-+])\s+(\d)")


@dataclass(frozen=True, slots=True)
class MoneyWords:
    """Every way this bot's users may name a currency, folded, mapped to its ISO code."""

    markers: dict[str, str]
    marker: re.Pattern[str]  # any one marker, case-insensitive
    upper_code: re.Pattern[str]  # an ISO code written in capitals
    amount: re.Pattern[str]  # a marker and a number side by side, for sentences


@lru_cache(maxsize=16)
def money_words(settings_locale: str, currency: str) -> MoneyWords:
    loc = babel_locale(settings_locale)
    english = Locale.parse("en_US")
    markers: dict[str, str] = {}
    for source in (english, loc):
        for code in current_currencies():
            symbol = get_currency_symbol(code, source)
            if symbol not in (code, "¤"):
                markers[fold(symbol)] = code
    markers[fold(get_currency_symbol(currency, loc))] = currency
    for code in _COMMON_CODES | {currency}:
        markers[code.lower()] = code
        for source in dict.fromkeys((english, loc)):
            for count in (1, 2):
                markers[fold(get_currency_name(code, count, source))] = code
    own_name = get_currency_name(currency, 2, english).lower()
    for unit, (default, words) in _UNIT_WORDS.items():
        for word in words:
            markers[word] = currency if unit in own_name else default
    symbols = [m for m in markers if not m.isalpha() and not m.replace(" ", "").isalpha()]
    names = [m for m in markers if m not in symbols]
    alternation = "|".join(
        [re.escape(m) for m in sorted(symbols, key=len, reverse=True)]
        + [
            rf"(?<![^\W\d_]){re.escape(m)}(?![^\W\d_])"
            for m in sorted(names, key=len, reverse=True)
        ]
    )
    number_a = number_regex(settings_locale, True, "a")
    number_b = number_regex(settings_locale, True, "b")
    amount = (
        rf"(?<![\w.,])(?P<pre>{alternation})\s?{number_a}(?![\w%\u2044]|[.,]\d)"
        rf"|(?<![\w.,@/:\-\u2044]){number_b}\s?(?P<post>{alternation})"  # U+2044: "½" folded
    )
    return MoneyWords(
        markers=markers,
        marker=re.compile(alternation, re.IGNORECASE),
        upper_code=re.compile(r"(?<![^\W\d_])[A-Z]{3}(?![^\W\d_])"),
        amount=re.compile(amount, re.IGNORECASE),
    )


def parse_currency(text: str, settings: EntitySettings) -> Parsed:
    if len(text) > MAX_STRUCTURED:
        return reject(ERROR)
    text = plain(text)
    words = money_words(settings.locale, settings.currency)
    codes: set[str] = set()
    spans: list[tuple[int, int]] = []
    for m in words.marker.finditer(text):
        codes.add(words.markers[fold(m[0])])
        spans.append(m.span())
    for m in words.upper_code.finditer(text):
        if m[0] in current_currencies() and not any(s <= m.start() < e for s, e in spans):
            codes.add(m[0])
            spans.append(m.span())
    if len(codes) > 1:
        return reject(ERROR)
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    text = _LOOSE_SIGN.sub(r"\1\2", text)  # "-$5" leaves "- 5"
    amount = read_number(text, settings, money=True)
    code = codes.pop() if codes else settings.currency
    return _result(amount, code)


def _result(amount: Decimal | None, code: str) -> Parsed:
    if amount is None:
        return reject(ERROR)
    decimals = -min(int(amount.normalize().as_tuple().exponent), 0)
    if decimals > get_currency_precision(code):
        return reject(ERROR)
    return accept({"amount": to_number(amount), "currency": code})


def find_currency(text: str, settings: EntitySettings) -> dict[str, Any] | None:
    """The one amount in a sentence that names its currency ("a deal worth $5,000"), else None."""
    return sole_value(_amounts(text, settings))


def currency_spots(text: str, settings: EntitySettings) -> list[Spot]:
    """Every amount in a sentence that names its currency, the currency's sign or word included
    in its spot ("$10k", "10k USD")."""
    return settled(_amounts(text, settings))


def _amounts(text: str, settings: EntitySettings) -> list[Spot]:
    """Amounts next to a currency; a value of None for one that is not an amount ("¥30.5")."""
    if len(text) > MAX_STRUCTURED:
        return []
    mapped = folded(text)
    words = money_words(settings.locale, settings.currency)
    notes = notation(settings.locale, True)
    found = []
    for m in words.amount.finditer(mapped.text):
        tag = "a" if m["pre"] else "b"
        code = words.markers[fold(m["pre"] or m["post"])]
        parsed = _result(value_of(m, notes, tag), code)
        found.append(mapped.spot(parsed.value, m.start(), m.end()))
    return found


def check_currency(value: Any) -> dict[str, Any] | None:
    """A stored value that already is a normalised amount, with its code upper-cased."""
    if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
        return None
    amount, code = value["amount"], value["currency"]
    if (
        not check_number(amount)
        or not isinstance(code, str)
        or code.upper() not in current_currencies()
    ):
        return None
    return {"amount": amount, "currency": code.upper()}
