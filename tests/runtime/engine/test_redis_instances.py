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
