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


async def test_waiters_get_the_lock_in_the_order_they_asked_and_one_at_a_time() -> None:
    locks = KeyLocks()
    order: list[int] = []
    inside = 0

    async def take(i: int) -> None:
        nonlocal inside
        async with locks.hold("user:1"):
            inside += 1
            assert inside == 1
            order.append(i)
            await asyncio.sleep(0)
            inside -= 1

    async with locks.hold("user:1"):
        tasks = []
        for i in range(10):
            tasks.append(asyncio.create_task(take(i)))
            await asyncio.sleep(0)  # each asks before the next is created
    await asyncio.gather(*tasks)
    assert order == list(range(10))
    assert len(locks) == 0


async def test_a_waiter_cancelled_just_after_the_hand_over_passes_the_lock_on() -> None:
    locks = KeyLocks()
    got: list[str] = []

    async def take(name: str) -> None:
        async with locks.hold("user:1"):
            got.append(name)

    async with locks.hold("user:1"):
        first = asyncio.create_task(take("first"))
        second = asyncio.create_task(take("second"))
        await asyncio.sleep(0)
    first.cancel()  # the lock was handed to `first`, which has not run yet
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)
    assert got == ["second"]
    assert len(locks) == 0


async def _visit(locks: KeyLocks, key: str) -> None:
    async with locks.hold(key):
        await asyncio.sleep(0)
