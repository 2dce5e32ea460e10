"""bench/ws --store redis --instances 2, tiny: every row runs (echo, SQLite, Redis, two
instances on one Redis), prints its table and goal lines, and leaves its Redis database empty."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from bench.ws.run import main

URL = "redis://127.0.0.1:6379/13"  # the bench's own database in the test suite


def _cells(out: str) -> dict[str, list[str]]:
    return {
        cells[0]: cells[1:]
        for line in out.splitlines()
        if line.startswith("| ") and (cells := [c.strip() for c in line.strip("|").split("|")])
    }


async def _keys() -> int:
    client = aioredis.from_url(URL)
    try:
        return int(await client.dbsize())
    finally:
        await client.aclose()


async def test_every_row_runs_and_the_database_is_left_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--store", "redis", "--instances", "2", "--redis-url", URL]
    argv += ["--clients", "4", "--turns", "8", "--rounds", "1", "--idle", "20"]
    assert await _keys() == 0, f"{URL} must be empty for this test"
    code = await asyncio.to_thread(main, argv)
    out = capsys.readouterr().out
    assert code == 0, out
    rows = _cells(out)
    for name in ("echo (aiohttp), round 1", "parley, round 1", "parley on Redis, round 1"):
        assert rows[name][:2] == ["4", "32"], name  # 4 clients x 8 turns, answers checked
    two = rows["parley on Redis, 2 instances, round 1"]
    assert two[:2] == ["4", "32"]
    for name in ("parley on Redis, round 1", "parley on Redis, 2 instances, round 1"):
        assert 1.9 <= float(rows[name][8]) <= 2.2, name  # two scripts (round trips) a turn
    assert rows["parley, round 1"][8] == "-"  # SQLite sends nothing to Redis
    assert "goal: parley on Redis >= 0.5x parley on SQLite turns/s (medians): " in out
    assert "two instances on one Redis against one (medians): " in out
    assert await _keys() == 0  # emptied again


async def test_a_database_in_use_is_refused_and_left_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = aioredis.from_url(URL)
    try:
        await client.set("someone-elses", b"data")
        argv = ["--store", "redis", "--redis-url", URL, "--clients", "1", "--turns", "4"]
        code = await asyncio.to_thread(main, [*argv, "--rounds", "1", "--idle", "1"])
        assert code == 2
        err = capsys.readouterr().err
        assert f"the database {URL} holds 1 keys; the bench needs an empty one" in err
        assert await client.get("someone-elses") == b"data"
    finally:
        await client.delete("someone-elses")
        await client.aclose()


def test_two_instances_need_the_shared_store(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--instances", "2"])
    assert exit_.value.code == 2
    assert "--instances 2 shares one Redis: add --store redis" in capsys.readouterr().err
