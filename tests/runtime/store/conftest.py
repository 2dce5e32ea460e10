"""Stores for the contract suite: a SQLite file in tmp_path, and Redis under a fresh key prefix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from runtime.engine.engine import OWN_NAMESPACES
from runtime.store.base import Store
from runtime.store.sqlite import SQLiteStore
from tests.runtime.store.backends import forget, fresh_prefix, open_redis


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    prefix = fresh_prefix()
    yield prefix
    await forget(prefix)


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """Each contract test runs once per backend."""
    if request.param == "sqlite":
        sqlite = SQLiteStore(tmp_path / "store.db", cached=OWN_NAMESPACES)
        await sqlite.open()
        yield sqlite
        await sqlite.close()
        return
    prefix = fresh_prefix()
    redis = await open_redis(prefix)
    try:
        yield redis
    finally:
        await redis.close()
        await forget(prefix)
