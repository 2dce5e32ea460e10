"""Opening the test backends: Redis on 127.0.0.1:6379 under a key prefix of the test's own."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis

from runtime.errors import StoreError
from runtime.store.redis import RedisStore

REDIS_URL = "redis://127.0.0.1:6379/0"


def fresh_prefix() -> str:
    return f"parley-test-{uuid.uuid4().hex}"


async def forget(prefix: str) -> None:
    """Delete this test's Redis keys, and only those."""
    client = aioredis.from_url(REDIS_URL)
    try:
        names = [name async for name in client.scan_iter(match=f"{prefix}*")]
        if names:
            await client.delete(*names)
    finally:
        await client.aclose()


async def open_redis(prefix: str, **options: float) -> RedisStore:
    """An opened RedisStore; an unreachable Redis fails the test (it is never skipped)."""
    store = RedisStore(REDIS_URL, prefix=prefix, **options)
    try:
        await store.open()
    except StoreError as exc:
        pytest.fail(
            f"Redis is needed at {REDIS_URL} and is not reachable ({exc}). "
            "Start it (scripts/test does: redis-server --port 6379) and rerun.",
            pytrace=False,
        )
    return store
