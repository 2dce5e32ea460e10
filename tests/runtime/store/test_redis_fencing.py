"""A holder paused past its lock's timeout (GC pause, SIGSTOP, partition) has lost the lock, and
another instance may have taken the user over: its writes made under that lock are refused
(LockLost), so the new holder's state survives. Writes under a live lock, and outside any
lock, go through as before."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio as aioredis

from runtime.errors import LockLost, StoreError
from runtime.store.redis import RedisStore
from tests.runtime.store.backends import REDIS_URL, open_redis

SHORT = 0.3  # the paused holder's lock timeout, in seconds


def pause_the_loop() -> None:
    """What a GC pause does: nothing runs in this process, renewal included, past the timeout."""
    time.sleep(SHORT * 2)


Write = Callable[[RedisStore], Awaitable[object]]
STALE_WRITES: dict[str, Write] = {
    "put": lambda s: s.put("conv", "alice", b"stale"),
    "put with ttl": lambda s: s.put("conv", "alice", b"stale", ttl=60),
    "put with ttl 0 (a delete)": lambda s: s.put("conv", "alice", b"stale", ttl=0),
    "delete": lambda s: s.delete("conv", "alice"),
    "take": lambda s: s.take("conv", "alice"),
    "put_many": lambda s: s.put_many([("conv", "alice", b"stale"), ("hist", "alice", b"stale")]),
    "put_many releasing the lock": lambda s: s.put_many(
        [("conv", "alice", b"stale"), ("hist", "alice", b"stale")], ttl=60, release=True
    ),
}


@pytest.mark.parametrize("write", STALE_WRITES.values(), ids=STALE_WRITES.keys())
async def test_a_paused_holders_write_after_a_takeover_is_refused(
    redis_prefix: str, write: Write
) -> None:
    paused = await open_redis(redis_prefix, lock_timeout=SHORT)
    other = await open_redis(redis_prefix)
    try:
        async with paused.lock("user:alice"):
            await paused.put("conv", "alice", b"old")
            pause_the_loop()
            async with other.lock("user:alice"):  # the lock expired: another instance takes it
                await other.put("conv", "alice", b"new")
                with pytest.raises(LockLost) as refused:
                    await write(paused)
                assert await other.get("conv", "alice") == b"new"
            with pytest.raises(LockLost):  # and after the new holder is done with it
                await write(paused)
        assert await other.get("conv", "alice") == b"new"
    finally:
        await paused.close()
        await other.close()
    assert isinstance(refused.value, StoreError)  # the channels' store handling applies
    assert refused.value.key == "user:alice"
    assert "'user:alice' was lost" in str(refused.value)


async def test_an_expired_lock_nobody_took_refuses_writes_too(redis_prefix: str) -> None:
    # Nobody holding it now cannot be told from another having held and released it meanwhile.
    paused = await open_redis(redis_prefix, lock_timeout=SHORT)
    try:
        async with paused.lock("user:alice"):
            await paused.put("conv", "alice", b"old")
            pause_the_loop()
            with pytest.raises(LockLost):
                await paused.put("conv", "alice", b"stale")
            assert await paused.get("conv", "alice") == b"old"
    finally:
        await paused.close()


async def test_writes_under_a_live_lock_are_made(redis_prefix: str) -> None:
    store = await open_redis(redis_prefix, lock_timeout=SHORT)
    client = aioredis.from_url(REDIS_URL)
    try:
        async with store.lock("user:alice"):
            await store.put("conv", "alice", b"one")
            await store.put("conv", "alice", b"two", ttl=60)
            pttl = await client.pttl(f"{redis_prefix}:conv:alice")
            assert 59_000 < pttl <= 60_000
            await asyncio.sleep(SHORT * 2)  # past the timeout: renewal keeps the lock ours
            await store.put("conv", "alice", b"three")
            assert await client.pttl(f"{redis_prefix}:conv:alice") == -1  # no ttl: none left
            assert await store.take("conv", "alice") == b"three"
            assert await store.take("conv", "alice") is None
            await store.put("conv", "bob", b"b")
            await store.delete("conv", "bob")
            assert await store.get("conv", "bob") is None
            await store.put("conv", "carol", b"c", ttl=0)
            assert await store.get("conv", "carol") is None
        assert await store.get("conv", "alice") is None
    finally:
        await store.close()
        await client.aclose()


async def test_nested_locks_fence_on_each_and_name_the_lost_one(redis_prefix: str) -> None:
    store = await open_redis(redis_prefix)
    client = aioredis.from_url(REDIS_URL)
    try:
        async with store.lock("seen:m1"), store.lock("user:alice"):
            await store.put("conv", "alice", b"both held")
            assert await store.get("conv", "alice") == b"both held"
            await client.delete(f"{redis_prefix}.lock:seen:m1")  # the outer one expired
            with pytest.raises(LockLost) as refused:
                await store.put("conv", "alice", b"stale")
            assert refused.value.key == "seen:m1"
        assert await store.get("conv", "alice") == b"both held"
        async with store.lock("user:alice"):  # the lost lock is no longer checked once left
            await store.put("conv", "alice", b"later")
        assert await store.get("conv", "alice") == b"later"
    finally:
        await store.close()
        await client.aclose()


async def test_writes_outside_a_lock_are_not_fenced(redis_prefix: str) -> None:
    store = await open_redis(redis_prefix)
    other = await open_redis(redis_prefix)
    client = aioredis.from_url(REDIS_URL)
    try:
        async with other.lock("user:alice"):  # held by another instance: no matter
            await store.put("conv", "alice", b"outside")
        assert await store.get("conv", "alice") == b"outside"
        async with other.lock("user:alice"):
            # another store's lost lock, in this very task, does not fence this store
            await client.delete(f"{redis_prefix}.lock:user:alice")
            await store.put("conv", "alice", b"still outside", ttl=60)
            assert await store.take("conv", "alice") == b"still outside"
            with pytest.raises(LockLost):
                await other.put("conv", "alice", b"stale")
    finally:
        await store.close()
        await other.close()
        await client.aclose()


async def test_a_task_outliving_the_lock_writes_unfenced(redis_prefix: str) -> None:
    store = await open_redis(redis_prefix)
    released = asyncio.Event()

    async def late_write() -> None:
        await released.wait()
        await store.put("conv", "alice", b"late")

    try:
        async with store.lock("user:alice"):
            task = asyncio.create_task(late_write())  # inherits the lock's context
        released.set()
        await task
        assert await store.get("conv", "alice") == b"late"
    finally:
        await store.close()


async def test_queues_are_not_fenced(redis_prefix: str) -> None:
    # Appends overwrite nothing, and refusing them would lose messages being delivered.
    paused = await open_redis(redis_prefix, lock_timeout=SHORT)
    try:
        async with paused.lock("user:alice"):
            pause_the_loop()
            await paused.push("outbox", "alice", b"m1")
            assert await paused.drain("outbox", "alice") == [b"m1"]
    finally:
        await paused.close()


async def test_a_write_under_a_lock_is_one_round_trip(
    redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await open_redis(redis_prefix)
    client = store._client
    sent: list[str] = []
    execute = client.execute_command

    async def counted(*args: object, **options: object) -> object:
        sent.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", counted)
    try:
        await store.put("conv", "alice", b"outside", ttl=60)
        assert sent == ["SET"]
        async with store.lock("user:alice"):
            sent.clear()
            await store.put("conv", "alice", b"inside", ttl=60)
            assert sent == ["EVALSHA"]
    finally:
        await store.close()


async def test_a_turn_is_two_round_trips_lock_and_read_then_write_and_release(
    redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await open_redis(redis_prefix)
    other = await open_redis(redis_prefix, lock_timeout=30)
    client = store._client
    sent: list[str] = []
    execute = client.execute_command

    async def counted(*args: object, **options: object) -> object:
        sent.append(str(args[0]))
        return await execute(*args, **options)

    await store.put("conv", "alice", b"before")
    monkeypatch.setattr(client, "execute_command", counted)
    try:
        read = [("conv", "alice"), ("hist", "alice")]
        async with store.lock("user:alice", read=read) as values:
            assert values == [b"before", None]
            assert sent == ["EVALSHA"]  # the lock taken and both records read
            entries = [("conv", "alice", b"after"), ("hist", "alice", b"said")]
            await store.put_many(entries, ttl=60, release=True)
            assert sent == ["EVALSHA", "EVALSHA"]  # both written and the lock released
            async with asyncio.timeout(1), other.lock("user:alice"):  # free at once
                pass
            with pytest.raises(LockLost):  # no more writes under a lock given up
                await store.put("conv", "alice", b"late")
        assert sent == ["EVALSHA", "EVALSHA", "EVALSHA"]  # (the refused write): nothing more
        assert await other.get("conv", "alice") == b"after"
        assert await other.get("hist", "alice") == b"said"
    finally:
        await store.close()
        await other.close()


async def test_a_hold_longer_than_the_timeout_is_renewed_and_a_short_one_costs_no_task(
    redis_prefix: str,
) -> None:
    store = await open_redis(redis_prefix, lock_timeout=SHORT)
    client = aioredis.from_url(REDIS_URL)
    name = f"{redis_prefix}.lock:user:alice"
    try:
        before = len(asyncio.all_tasks())
        async with store.lock("user:alice"):
            assert len(asyncio.all_tasks()) == before  # a timer, not a task, until it fires
        async with store.lock("user:alice"):
            await asyncio.sleep(SHORT * 3)
            assert 0 < await client.pttl(name) <= SHORT * 1000  # renewed, still ours
            await store.put("conv", "alice", b"late but ours")
        assert await client.exists(name) == 0
        assert await store.get("conv", "alice") == b"late but ours"
    finally:
        await store.close()
        await client.aclose()


HOLDER = textwrap.dedent(
    """
    import asyncio, sys
    from runtime.errors import LockLost
    from runtime.store.redis import RedisStore

    async def main():
        url, prefix, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
        store = RedisStore(url, prefix=prefix, lock_timeout=timeout)
        await store.open()
        async with store.lock("user:alice"):
            await store.put("conv", "alice", b"old")
            print("held", flush=True)
            await asyncio.to_thread(sys.stdin.readline)  # the turn goes on when told
            try:
                await store.put("conv", "alice", b"stale")
            except LockLost:
                print("refused", flush=True)
            else:
                print("written", flush=True)
        await store.close()

    asyncio.run(main())
    """
)


async def test_a_process_stopped_past_the_timeout_cannot_overwrite_the_new_holder(
    redis_prefix: str,
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, REDIS_URL, redis_prefix, "1.0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    store = await open_redis(redis_prefix)
    client = aioredis.from_url(REDIS_URL)
    try:
        assert holder.stdin is not None and holder.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(holder.stdout.readline), 30)
        assert line.strip() == "held"
        holder.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        async with asyncio.timeout(10), store.lock("user:alice"):  # once the lock expired
            assert time.monotonic() - stopped >= 0.5  # it was the holder's: it had to expire
            assert await store.get("conv", "alice") == b"old"
            await store.put("conv", "alice", b"new")
            holder.stdin.write("go\n")
            holder.stdin.flush()
            holder.send_signal(signal.SIGCONT)
            said = await asyncio.wait_for(asyncio.to_thread(holder.stdout.readline), 30)
            assert said.strip() == "refused"
            assert await store.get("conv", "alice") == b"new"
            # leaving its lock, the woken holder did not release ours
            assert await client.exists(f"{redis_prefix}.lock:user:alice") == 1
        assert await asyncio.to_thread(holder.wait, 30) == 0
    finally:
        if holder.poll() is None:
            holder.send_signal(signal.SIGCONT)
            holder.kill()
            holder.wait(10)
        await store.close()
        await client.aclose()
