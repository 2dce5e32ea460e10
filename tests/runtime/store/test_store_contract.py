"""One contract, every backend: each test runs against SQLite and against Redis."""

from __future__ import annotations

import asyncio

import pytest

from runtime.errors import StoreError
from runtime.store.base import Store

NS = "conv"


async def test_get_returns_what_put_stored_and_none_otherwise(store: Store) -> None:
    assert await store.get(NS, "u1") is None
    await store.put(NS, "u1", b"first")
    assert await store.get(NS, "u1") == b"first"
    await store.put(NS, "u1", b"second")
    assert await store.get(NS, "u1") == b"second"


async def test_namespaces_keep_records_apart(store: Store) -> None:
    await store.put("conv", "u1", b"conversation")
    await store.put("token", "u1", b"token")
    assert await store.get("conv", "u1") == b"conversation"
    assert await store.get("token", "u1") == b"token"
    await store.delete("conv", "u1")
    assert await store.get("conv", "u1") is None
    assert await store.get("token", "u1") == b"token"


async def test_values_are_kept_byte_for_byte(store: Store) -> None:
    values = {
        "empty": b"",
        "binary": bytes(range(256)) * 40,
        "sms:+14155550123": b"\x00colon key\x00",
        "ünïcode ключ": "ünïcode".encode(),
    }
    for key, value in values.items():
        await store.put(NS, key, value)
    for key, value in values.items():
        assert await store.get(NS, key) == value


async def test_delete_of_an_absent_key_is_quiet(store: Store) -> None:
    await store.delete(NS, "nobody")
    assert await store.get(NS, "nobody") is None


async def test_a_value_with_a_ttl_disappears_after_it(store: Store) -> None:
    await store.put(NS, "short", b"s", ttl=0.2)
    await store.put(NS, "long", b"l", ttl=60)
    await store.put(NS, "forever", b"f")
    assert await store.get(NS, "long") == b"l"
    await asyncio.sleep(0.4)
    assert await store.get(NS, "short") is None
    assert await store.take(NS, "short") is None
    assert await store.get(NS, "long") == b"l"
    assert dict([item async for item in store.scan(NS)]) == {"long": b"l", "forever": b"f"}


async def test_put_without_ttl_replaces_an_expiring_value_for_good(store: Store) -> None:
    await store.put(NS, "u1", b"old", ttl=0.2)
    await store.put(NS, "u1", b"new")
    await asyncio.sleep(0.4)
    assert await store.get(NS, "u1") == b"new"


async def test_put_many_writes_every_entry_with_the_one_ttl(store: Store) -> None:
    await store.put(NS, "u1", b"old")
    await store.put_many([(NS, "u1", b"state"), ("hist", "u1", b"lines"), (NS, "u2", b"x")])
    assert [await store.get(ns, key) for ns, key in [(NS, "u1"), ("hist", "u1"), (NS, "u2")]] == [
        b"state",
        b"lines",
        b"x",
    ]
    await store.put_many([(NS, "short", b"s"), ("hist", "short", b"h")], ttl=0.2)
    await store.put_many([(NS, "gone", b"g")], ttl=0)  # as put: a ttl of 0 deletes
    await asyncio.sleep(0.4)
    assert [await store.get(ns, "short") for ns in (NS, "hist")] == [None, None]
    assert await store.get(NS, "gone") is None
    with pytest.raises(StoreError, match="bytes, got str"):
        await store.put_many([(NS, "u3", b"ok"), (NS, "u4", "text")])  # type: ignore[list-item]
    assert await store.get(NS, "u3") is None  # nothing of a refused batch is written


async def test_take_returns_the_value_once(store: Store) -> None:
    await store.put("oauth_state", "st-1", b"pending")
    assert await store.take("oauth_state", "st-1") == b"pending"
    assert await store.take("oauth_state", "st-1") is None
    assert await store.get("oauth_state", "st-1") is None


async def test_take_has_a_single_winner_among_50_concurrent_takers(store: Store) -> None:
    await store.put("oauth_state", "st-1", b"pending")
    results = await asyncio.gather(*(store.take("oauth_state", "st-1") for _ in range(50)))
    assert results.count(b"pending") == 1
    assert results.count(None) == 49


async def test_a_queue_drains_in_order_then_is_empty(store: Store) -> None:
    for i in range(5):
        await store.push("outbox", "u1", f"m{i}".encode())
    await store.push("outbox", "u2", b"other user")
    assert await store.drain("outbox", "u1") == [b"m0", b"m1", b"m2", b"m3", b"m4"]
    assert await store.drain("outbox", "u1") == []
    assert await store.drain("outbox", "u2") == [b"other user"]
    assert await store.drain("outbox", "never") == []


async def test_queues_and_values_of_the_same_key_are_apart(store: Store) -> None:
    await store.put("outbox", "u1", b"value")
    await store.push("outbox", "u1", b"queued")
    assert await store.get("outbox", "u1") == b"value"
    assert await store.drain("outbox", "u1") == [b"queued"]
    assert [key async for key, _ in store.scan("outbox")] == ["u1"]


async def test_concurrent_pushes_and_drains_deliver_each_value_once_in_order(
    store: Store,
) -> None:
    producers, per_producer = 5, 40
    done = asyncio.Event()

    async def produce(p: int) -> None:
        for i in range(per_producer):
            await store.push("outbox", "u1", f"{p}:{i}".encode())
            await asyncio.sleep(0)

    async def consume() -> list[bytes]:
        got: list[bytes] = []
        while not done.is_set():
            got += await store.drain("outbox", "u1")
            await asyncio.sleep(0)
        return got + await store.drain("outbox", "u1")

    consumers = [asyncio.create_task(consume()) for _ in range(3)]
    await asyncio.gather(*(produce(p) for p in range(producers)))
    done.set()
    drained = await asyncio.gather(*consumers)

    everything = sorted(value for got in drained for value in got)
    expected = sorted(f"{p}:{i}".encode() for p in range(producers) for i in range(per_producer))
    assert everything == expected  # nothing lost, nothing twice
    for got in drained:  # each consumer saw every producer's values in the order pushed
        for p in range(producers):
            seen = [int(v.split(b":")[1]) for v in got if v.startswith(f"{p}:".encode())]
            assert seen == sorted(seen)


async def test_the_lock_admits_one_holder_at_a_time(store: Store) -> None:
    inside = peak = entered = 0

    async def turn() -> None:
        nonlocal inside, peak, entered
        async with store.lock("user:u1"):
            inside += 1
            entered += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.002)
            inside -= 1

    await asyncio.gather(*(turn() for _ in range(20)))
    assert (entered, peak) == (20, 1)


async def test_the_lock_serves_waiters_in_arrival_order(store: Store) -> None:
    order: list[int] = []

    async def turn(i: int) -> None:
        async with store.lock("user:u1"):
            order.append(i)
            await asyncio.sleep(0)

    async with store.lock("user:u1"):
        waiters = [asyncio.create_task(turn(i)) for i in range(10)]
        await asyncio.sleep(0.05)
        assert order == []
    await asyncio.gather(*waiters)
    assert order == list(range(10))


async def test_locks_of_different_keys_do_not_wait_for_each_other(store: Store) -> None:
    async with asyncio.timeout(10), store.lock("user:a"), store.lock("user:b"):
        entered = True
    assert entered


async def test_the_lock_is_released_when_its_body_fails(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.lock("user:u1"):
            raise RuntimeError("the turn failed")
    async with asyncio.timeout(10), store.lock("user:u1"):
        pass


async def test_a_cancelled_waiter_does_not_block_the_next_one(store: Store) -> None:
    entered: list[str] = []

    async def turn(name: str) -> None:
        async with store.lock("user:u1"):
            entered.append(name)

    async with store.lock("user:u1"):
        cancelled = asyncio.create_task(turn("cancelled"))
        await asyncio.sleep(0.05)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
    async with asyncio.timeout(10):
        await turn("next")
    assert entered == ["next"]


async def test_scan_lists_every_live_value_of_one_namespace(store: Store) -> None:
    expected = {f"user-{i:04}": f"state {i}".encode() for i in range(1200)}
    for key, value in expected.items():
        await store.put(NS, key, value)
    await store.put(NS, "expired", b"x", ttl=0.1)
    await store.put("token", "user-0001", b"not a conversation")
    await store.push(NS, "queued", b"not a value")
    await asyncio.sleep(0.3)
    found = [item async for item in store.scan(NS)]
    assert len(found) == len(expected)
    assert dict(found) == expected
    assert [item async for item in store.scan("empty")] == []


async def test_a_namespace_is_a_plain_word(store: Store) -> None:
    with pytest.raises(StoreError, match="namespace"):
        await store.put("conv:x", "u1", b"v")


async def test_values_must_be_bytes(store: Store) -> None:
    with pytest.raises(StoreError, match="bytes, got str"):
        await store.put(NS, "u1", "text")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="bytes, got dict"):
        await store.push(NS, "u1", {"a": 1})  # type: ignore[arg-type]


async def test_a_closed_store_says_so(store: Store) -> None:
    await store.close()
    with pytest.raises(StoreError, match="not open"):
        await store.get(NS, "u1")


async def test_subscribers_receive_what_is_published_in_order(store: Store) -> None:
    async with (
        store.subscribe("outbox") as first,
        store.subscribe("outbox") as second,
        store.subscribe("elsewhere") as other,
    ):
        for n in range(3):
            await store.publish("outbox", f"user-{n}".encode())
        got = [await asyncio.wait_for(anext(first), 5) for _ in range(3)]
        also = [await asyncio.wait_for(anext(second), 5) for _ in range(3)]
        assert got == also == [b"user-0", b"user-1", b"user-2"]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(other), 0.2)


async def test_nothing_is_received_after_leaving_the_subscription(store: Store) -> None:
    async with store.subscribe("outbox") as messages:
        await store.publish("outbox", b"one")
        assert await asyncio.wait_for(anext(messages), 5) == b"one"
    await store.publish("outbox", b"two")  # no subscriber: quietly nobody hears it


async def test_the_lock_reads_the_records_it_is_asked_for_once_held(store: Store) -> None:
    await store.put("conv", "u1", b"state")
    await store.put("hist", "u1", b"history", ttl=60)
    read = [("conv", "u1"), ("hist", "u1"), ("conv", "nobody")]
    async with store.lock("user:u1", read=read) as values:
        assert values == [b"state", b"history", None]
        await store.put("conv", "u1", b"changed")

    async def writer() -> None:
        async with store.lock("user:u1"):
            await asyncio.sleep(0.05)
            await store.put("conv", "u1", b"written by the holder before")

    holder = asyncio.create_task(writer())
    await asyncio.sleep(0.01)
    async with store.lock("user:u1", read=[("conv", "u1")]) as values:  # waits for the holder
        assert values == [b"written by the holder before"]
    await holder


async def test_the_last_writes_of_a_block_may_release_its_lock(store: Store) -> None:
    async with store.lock("user:u1"):
        await store.put_many([("conv", "u1", b"s"), ("hist", "u1", b"h")], ttl=60, release=True)
    assert [await store.get("conv", "u1"), await store.get("hist", "u1")] == [b"s", b"h"]
    async with asyncio.timeout(5), store.lock("user:u1", read=[("conv", "u1")]) as values:
        assert values == [b"s"]  # the lock is free again, whatever the backend did with it
