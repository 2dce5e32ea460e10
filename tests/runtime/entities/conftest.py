"""Settings with a fixed clock: Wednesday 17 June 2026, 14:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from runtime.entities import EntitySettings

NOW = datetime(2026, 6, 17, 14, 0, tzinfo=UTC)


def settings(locale: str = "en-US", timezone: str = "UTC", currency: str = "USD") -> EntitySettings:
    return EntitySettings(locale=locale, timezone=timezone, currency=currency, now=lambda: NOW)


@pytest.fixture
def us() -> EntitySettings:
    return settings()
