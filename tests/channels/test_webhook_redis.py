"""Waiting webhook messages on one Redis store shared by two `parley serve` instances."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from channels.server import DELIVERIES
from runtime.engine.messages import say
from runtime.engine.turn import User
from tests.channels.conftest import NOTE_DIALOG, SECRET, Served, fetch_hook, post_hook

REDIS_DB = 9  # a database of its own (test_instances: 7, test_exactly_once: 12, ...: 13)
USER = "sms:+14155550123"


@pytest.fixture
async def two_instances(serve_bot, tmp_path) -> AsyncIterator[tuple[Served, Served]]:
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    client = aioredis.from_url(url)
    await client.flushdb()
    config = {
        "channels": {"webhook": {"secret": SECRET}},
        "store": {"url": url},
        "secrets": {"key": secrets.token_hex(16)},
    }
    try:
        a = await serve_bot({"note": NOTE_DIALOG}, config, root=tmp_path / "a")
        b = await serve_bot({"note": NOTE_DIALOG}, config, root=tmp_path / "b")
        yield a, b
    finally:
        await client.flushdb()
        await client.aclose()


async def wait_for(served: Served, *texts: str) -> None:
    await served.app[DELIVERIES].to_user(User(USER, "webhook"), [say(t) for t in texts])


async def test_two_instances_give_unique_rising_seqs_and_lose_nothing(two_instances, caplog):
    caplog.set_level(logging.DEBUG)
    a, b = two_instances
    got: dict[int, str] = {}

    async def relay() -> None:
        """Fetches from either instance in turn, as behind a load balancer."""
        cursor, turn = 0, 0
        while len(got) < 40:
            turn += 1
            answer = await fetch_hook((a, b)[turn % 2], USER, after=cursor)
            assert answer.status_code == 200, answer.text
            for message in answer.json()["messages"]:
                assert got.setdefault(message["seq"], message["text"]) == message["text"]
                cursor = max(cursor, message["seq"])
            await asyncio.sleep(0)

    async def producer(served: Served, name: str) -> None:
        for i in range(20):
            await wait_for(served, f"{name}-{i}")

    await asyncio.wait_for(asyncio.gather(relay(), producer(a, "a"), producer(b, "b")), 60)
    assert sorted(got) == list(range(1, 41))
    for name in "ab":
        assert [got[s] for s in sorted(got) if got[s][0] == name] == [
            f"{name}-{i}" for i in range(20)
        ]
    # Acknowledged through one instance: nothing waits on the other.
    assert (await fetch_hook(b, USER, after=40)).json() == {"messages": []}
    assert (await fetch_hook(a, USER, after=0)).json() == {"messages": []}
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_an_answer_on_one_instance_acknowledges_for_both(two_instances):
    a, b = two_instances
    await wait_for(a, "resumed")
    first = await fetch_hook(b, USER, after=0)
    assert [(m["seq"], m["text"]) for m in first.json()["messages"]] == [(1, "resumed")]
    turn = {"user_id": USER, "message_id": "m-1", "text": "take a note"}
    answer = await post_hook(b, turn)
    assert [m.get("seq") for m in answer.json()["messages"]] == [1, None]
    assert (await fetch_hook(a, USER, after=0)).json() == {"messages": []}
    assert (await post_hook(a, turn)).json() == answer.json()  # the repeat, on the other one
    await wait_for(b, "later")
    later = await fetch_hook(a, USER, after=1)
    assert [(m["seq"], m["text"]) for m in later.json()["messages"]] == [(2, "later")]
