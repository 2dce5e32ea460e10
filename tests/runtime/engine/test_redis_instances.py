"""Two bot instances sharing one Redis store keep one user's turns apart: no update is lost."""

from __future__ import annotations

import asyncio
import secrets

import redis.asyncio as aioredis

from runtime.bot import Bot
from runtime.config import load_config
from runtime.engine.turn import User
from runtime.store.redis import RedisStore
from tests.conftest import write_bot

URL = "redis://127.0.0.1:6379/0"
SUM = """
dialog: add_up
intents: [add up]
nodes:
  - id: n
    type: entity
    entity_type: number
    prompt: Number?
    set:
      total: vars.get('total', 0) + entities.n
  - id: echo
    type: message
    text: "total {{ vars.total }}"
    next: n
"""


async def test_concurrent_turns_on_two_instances_lose_no_update(tmp_path):
    config = load_config(write_bot(tmp_path, {"sum": SUM}), env={})
    prefix = f"parley-test-{secrets.token_hex(4)}"
    bots = [await Bot.open(config, store=RedisStore(URL, prefix=prefix)) for _ in range(2)]
    alice = User("alice", "test")
    try:
        await bots[0].engine.handle(alice, "add up")
        outs = await asyncio.gather(
            *(bots[i % 2].engine.handle(alice, str(i)) for i in range(1, 21))
        )
        state = await bots[1].engine.load(alice)
        assert state.vars["total"] == sum(range(1, 21))  # a lost update would make it smaller
        totals = sorted(int(out[0].text.split()[1]) for out in outs)
        assert len(set(totals)) == 20 and totals[-1] == 210
    finally:
        for bot in bots:
            await bot.close()
        client = aioredis.from_url(URL)
        async for key in client.scan_iter(match=f"{prefix}*"):
            await client.delete(key)
        await client.aclose()


async def test_a_turn_on_redis_is_two_round_trips(tmp_path, monkeypatch):
    """Lock and read the state and history in one script, write both and unlock in another:
    a third trip per turn would show here before it shows in bench/engine --store redis."""
    config = load_config(write_bot(tmp_path, {"sum": SUM}), env={})
    prefix = f"parley-test-{secrets.token_hex(4)}"
    bot = await Bot.open(config, store=RedisStore(URL, prefix=prefix))
    alice = User("alice", "test")
    sent: list[str] = []
    client = bot.store._client
    execute = client.execute_command

    async def counted(*args, **options):
        sent.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", counted)
    try:
        for said, expected in [("add up", "Number?"), ("2", "total 2"), ("3", "total 5")]:
            sent.clear()
            out = await bot.engine.handle(alice, said)
            assert out[0].text == expected
            assert sent == ["EVALSHA", "EVALSHA"], said
        said_last = [m["text"] for m in await bot.engine.history(alice)][-3:]
        assert said_last == ["3", "total 5", "Number?"]
    finally:
        await bot.close()
        client = aioredis.from_url(URL)
        async for key in client.scan_iter(match=f"{prefix}*"):
            await client.delete(key)
        await client.aclose()
