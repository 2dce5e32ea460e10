"""What only Redis promises: one lock across instances, its key layout, and clear failures."""

from __future__ import annotations

import asyncio
import socket

import pytest
import redis.asyncio as aioredis

from runtime.errors import StoreError
from runtime.store.redis import RedisStore
from tests.runtime.store.backends import REDIS_URL, open_redis


async def test_two_instances_take_turns_on_one_users_lock(redis_prefix: str) -> None:
    first, second = await open_redis(redis_prefix), await open_redis(redis_prefix)
    inside = peak = entered = 0

    async def turn(instance: RedisStore) -> None:
        nonlocal inside, peak, entered
        async with instance.lock("user:u1"):
            inside += 1
            entered += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.005)
            inside -= 1

    try:
        await asyncio.gather(*(turn(first if i % 2 else second) for i in range(12)))
    finally:
        await first.close()
        await second.close()
    assert (entered, peak) == (12, 1)


async def test_a_held_lock_is_renewed_past_its_timeout(redis_prefix: str) -> None:
    holder = await open_redis(redis_prefix, lock_timeout=0.15)
    other = await open_redis(redis_prefix, lock_timeout=0.15)
    events: list[str] = []

    async def hold_long() -> None:
        async with holder.lock("user:u1"):
            events.append("holder in")
            await asyncio.sleep(0.6)  # four timeouts: only renewal keeps the lock
            events.append("holder out")

    async def wait_turn() -> None:
        async with other.lock("user:u1"):
            events.append("other in")

    try:
        task = asyncio.create_task(hold_long())
        while not events:
            await asyncio.sleep(0.01)
        await asyncio.gather(task, wait_turn())
    finally:
        await holder.close()
        await other.close()
    assert events == ["holder in", "holder out", "other in"]


async def test_the_lock_of_a_dead_instance_expires(redis_prefix: str) -> None:
    store = await open_redis(redis_prefix, lock_timeout=5)
    client = aioredis.from_url(REDIS_URL)
    try:
        dead = client.lock(f"{redis_prefix}.lock:user:u1", timeout=0.3)
        assert await dead.acquire()  # and never released, as by a process that died
        async with asyncio.timeout(10), store.lock("user:u1"):
            assert await client.exists(f"{redis_prefix}.lock:user:u1") == 1
    finally:
        await client.aclose()
        await store.close()


async def test_values_live_under_prefix_ns_key_with_their_ttl(redis_prefix: str) -> None:
    store = await open_redis(redis_prefix)
    client = aioredis.from_url(REDIS_URL)
    try:
        await store.put("conv", "sms:+1415", b"state", ttl=60)
        await store.push("outbox", "sms:+1415", b"hello")
        assert await client.get(f"{redis_prefix}:conv:sms:+1415") == b"state"
        assert 0 < await client.pttl(f"{redis_prefix}:conv:sms:+1415") <= 60_000
        assert await client.lrange(f"{redis_prefix}.queue:outbox:sms:+1415", 0, -1) == [b"hello"]
    finally:
        await client.aclose()
        await store.close()


async def test_scan_treats_glob_characters_in_keys_literally(redis_prefix: str) -> None:
    store = await open_redis(redis_prefix)
    try:
        await store.put("conv", "a*[b]?", b"1")
        await store.put("conv2", "x", b"2")
        assert [item async for item in store.scan("conv")] == [("a*[b]?", b"1")]
    finally:
        await store.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_redis_is_a_store_error_without_the_password() -> None:
    port = _closed_port()
    store = RedisStore(f"redis://:hunter2@127.0.0.1:{port}/0")
    with pytest.raises(StoreError) as caught:
        await store.open()
    message = str(caught.value)
    assert message.startswith(f"cannot reach Redis at redis://:***@127.0.0.1:{port}/0")
    assert "hunter2" not in message


async def test_a_redis_that_accepts_but_never_answers_fails_the_open_in_time() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # reads the commands, answers none

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0", command_timeout=0.3)
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(StoreError, match=r"no answer within 0\.3 s"):
            await store.open()
        assert asyncio.get_running_loop().time() - started < 2
    finally:
        server.close()
        await server.wait_closed()


async def test_a_command_redis_does_not_answer_in_time_is_a_store_error_then_it_recovers(
    redis_prefix: str,
) -> None:
    store = await open_redis(redis_prefix, command_timeout=0.2)
    admin = aioredis.from_url(REDIS_URL)
    try:
        await store.put("conv", "alice", b"kept")
        await admin.execute_command("CLIENT", "PAUSE", "700", "ALL")  # Redis hangs for 0.7 s
        started = asyncio.get_running_loop().time()
        with pytest.raises(StoreError, match=r"no answer within 0\.2 s"):
            await store.get("conv", "alice")
        with pytest.raises(StoreError, match=r"no answer within 0\.2 s"):
            async with store.lock("user:alice", read=[("conv", "alice")]):
                pass
        assert asyncio.get_running_loop().time() - started < 0.65
        await asyncio.sleep(0.5)  # the pause is over: the same store answers again
        assert await store.get("conv", "alice") == b"kept"
        async with store.lock("user:alice", read=[("conv", "alice")]) as values:
            assert values == [b"kept"]
    finally:
        await admin.execute_command("CLIENT", "UNPAUSE")
        await admin.aclose()
        await store.close()
