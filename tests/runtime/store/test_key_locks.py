"""KeyLocks: one lock per key, forgotten as soon as nobody holds or awaits it."""

from __future__ import annotations

import asyncio

import pytest

from runtime.store import KeyLocks


async def test_a_key_is_forgotten_once_nobody_holds_or_waits() -> None:
    locks = KeyLocks()
    async with locks.hold("user:1"):
        waiters = [asyncio.create_task(_visit(locks, "user:1")) for _ in range(3)]
        await asyncio.sleep(0)
        assert len(locks) == 1
    await asyncio.gather(*waiters)
    assert len(locks) == 0


async def test_many_users_leave_nothing_behind() -> None:
    locks = KeyLocks()
    await asyncio.gather(*(_visit(locks, f"user:{i}") for i in range(5_000)))
    assert len(locks) == 0


async def test_a_cancelled_waiter_is_forgotten_too() -> None:
    locks = KeyLocks()
    async with locks.hold("user:1"):
        waiter = asyncio.create_task(_visit(locks, "user:1"))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert len(locks) == 0


async def _visit(locks: KeyLocks, key: str) -> None:
    async with locks.hold(key):
        await asyncio.sleep(0)
