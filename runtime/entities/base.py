"""The three values every entity type works with: the bot's settings, a spec and a result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies

from runtime.dialogs.model import ListValue
from runtime.errors import ConfigError, ParleyError


class SpecError(ParleyError, ValueError):
    """An entity spec that cannot be used: unknown type, list without values, bad pattern."""


@dataclass(frozen=True, slots=True)
class EntitySettings:
    """Bot-wide facts entity parsing depends on (from `bot:` in config.yaml).

    Construction checks every field and raises `ConfigError` naming the bad one.
    """

    locale: str = "en-US"
    timezone: str = "UTC"
    currency: str = "USD"
    now: Callable[[], datetime] | None = None

    def __post_init__(self) -> None:
        problems = []
        if _locale_parts(self.locale) is None:
            problems.append(
                f"locale: {self.locale!r} is not a known language-region (for example en-US)"
            )
        if _zone(self.timezone) is None:
            problems.append(
                f"timezone: {self.timezone!r} is not a known time zone (for example Europe/Berlin)"
            )
        if self.currency not in current_currencies():
            problems.append(
                f"currency: {self.currency!r} is not an ISO 4217 currency code in use "
                "(for example USD)"
            )
        if problems:
            raise ConfigError(problems)

    @property
    def language(self) -> str:
        """The language subtag, e.g. ``en``."""
        parts = _locale_parts(self.locale)
        assert parts is not None
        return parts[0]

    @property
    def region(self) -> str:
        """The region subtag, e.g. ``US``; a bare language gets its most likely region."""
        parts = _locale_parts(self.locale)
        assert parts is not None
        return parts[1]

    def local_now(self) -> datetime:
        """The current wall-clock time in the bot's time zone, without tzinfo."""
        zone = _zone(self.timezone)
        now = self.now() if self.now is not None else datetime.now(zone)
        if now.tzinfo is not None:
            now = now.astimezone(zone)
        return now.replace(tzinfo=None)

    def today(self) -> date:
        return self.local_now().date()


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """What a node asks for: its type, and the `values` (list) or `pattern` (regex) it needs."""

    entity_type: str
    values: tuple[ListValue, ...] = ()
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome of reading one value: ``ok`` with the normalised ``value``, or an ``error``."""

    ok: bool
    value: Any = None
    error: str | None = None


def accept(value: Any) -> Parsed:
    return Parsed(True, value)


def reject(error: str) -> Parsed:
    return Parsed(False, None, error)


@lru_cache(maxsize=64)
def _locale_parts(tag: str) -> tuple[str, str] | None:
    if not isinstance(tag, str):
        return None
    parts = tag.strip().replace("_", "-").split("-")
    if len(parts) > 2 or not parts[0].isalpha():
        return None
    language = parts[0].lower()
    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None
    if len(parts) == 2:
        region = parts[1].upper()
        return (language, region) if region in _territories() else None
    likely = get_global("likely_subtags").get(language, "")
    guess = next((p for p in likely.split("_")[1:] if len(p) == 2 and p.isupper()), None)
    return (language, guess) if guess else None


@lru_cache(maxsize=64)
def babel_locale(settings_locale: str) -> Locale:
    """The Babel locale for a ``language-REGION`` tag, falling back to the bare language."""
    parts = _locale_parts(settings_locale)
    assert parts is not None
    language, region = parts
    try:
        return Locale.parse(f"{language}_{region}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language)


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    codes = Locale("en").territories
    return frozenset(c for c in codes if isinstance(c, str) and len(c) == 2 and c != "ZZ")


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


@lru_cache(maxsize=1)
def current_currencies() -> frozenset[str]:
    """ISO 4217 codes some territory uses today (no French francs, no test codes)."""
    codes: set[str] = set()
    for territory in _territories():
        codes.update(get_territory_currencies(territory))
    return frozenset(codes)
