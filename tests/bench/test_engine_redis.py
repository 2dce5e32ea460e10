"""bench/engine --store redis, tiny: Parley on SQLite and on Redis in one run, the Redis turn's
round trips counted. Without botbuilder (not in the dev extra), as CI runs it."""

from __future__ import annotations

import re

import pytest
import redis.asyncio as aioredis

from bench.engine.run import main

URL = "redis://127.0.0.1:6379/0"


def _row(out: str, name: str) -> list[str]:
    for line in out.splitlines():
        if re.match(rf"{re.escape(name)}\s+\d", line):
            return line[len(name) :].split()
    raise AssertionError(f"no row {name!r} in:\n{out}")


async def _bench_keys() -> list[bytes]:
    client = aioredis.from_url(URL)
    try:
        return [name async for name in client.scan_iter(match="parley-bench-*")]
    finally:
        await client.aclose()


async def test_redis_beside_sqlite_with_its_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    before = set(await _bench_keys())
    code = await _main(["--conversations", "4", "--store", "redis", "--no-baseline"])
    out = capsys.readouterr().out
    assert code == 0, out
    sqlite, redis = _row(out, "parley"), _row(out, "parley (redis)")
    assert sqlite[:2] == ["4", "28"] and redis[:2] == ["4", "28"]  # 4 conversations, 7 turns
    assert sqlite[-1] == "1.00x"  # without botbuilder, ratios are against SQLite
    assert "Goal: parley (redis) at least 0.5x parley (SQLite): " in out
    assert "botbuilder" not in out
    trips = {
        cells[0]: cells[1:]
        for line in out.splitlines()
        if line.startswith("| ") and (cells := [c.strip() for c in line.strip("|").split("|")])
    }
    assert trips["lock + read state and history (Lua)"][0] == "1.00"
    assert trips["write state and history + unlock (Lua)"][0] == "1.00"
    assert trips["a turn"][0] == "2.00"  # a third round trip per turn fails here
    assert set(await _bench_keys()) <= before  # the run's keys are gone


async def test_an_unreachable_redis_is_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    code = await _main(["--conversations", "1", "--store", "redis", "--no-baseline",
                        "--redis-url", "redis://127.0.0.1:1/0"])  # fmt: skip
    assert code == 2
    assert "--store redis: cannot reach Redis at redis://127.0.0.1:1/0" in capsys.readouterr().err


async def _main(argv: list[str]) -> int:
    """bench.engine's main runs its own event loop: off this test's loop, in a thread."""
    import asyncio

    return await asyncio.to_thread(main, argv)
