"""Parley's side of the engine benchmark: the same conversation, durable state in SQLite or in
Redis."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.engine.harness import RunResult
from bench.engine.script import EXPECTED_REPLIES, USER_TURNS, UnexpectedReply
from runtime.bot import Bot
from runtime.config import load_config
from runtime.engine.engine import CONVERSATIONS
from runtime.engine.turn import User

NAME = "parley"
REDIS_NAME = "parley (redis)"
DIALOG = Path(__file__).with_name("dialog.yaml")


def _write_bot(folder: Path, db_path: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "bot": {"name": "bench", "locale": "en-US", "timezone": "UTC", "currency": "USD"},
        "dialogs": [str(DIALOG)],
        "store": {"url": f"sqlite:///{db_path.resolve()}"},
        "integrations": {"salesforce": {"enabled": False}},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@asynccontextmanager
async def _bot(db_path: Path, redis_url: str | None) -> AsyncIterator[Bot]:
    """The bench's bot: its state in the SQLite file `db_path`, or, given `redis_url`, in Redis
    under a key prefix of this run's own, deleted afterwards."""
    config = load_config(_write_bot(db_path.parent / "parley-bench-bot", db_path), env={})
    prefix = f"parley-bench-{secrets.token_hex(4)}"
    store = None
    if redis_url is not None:  # imported only then: a bigger heap slows the SQLite side's GC
        from runtime.store.redis import RedisStore

        store = RedisStore(redis_url, prefix=prefix)
    bot = await Bot.open(config, store=store)
    try:
        yield bot
    finally:
        await bot.close()
        if redis_url is not None:
            await _forget(redis_url, prefix)


async def _forget(url: str, prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(url)
    try:
        names = [name async for name in client.scan_iter(match=f"{prefix}*", count=1000)]
        for start in range(0, len(names), 1000):
            await client.delete(*names[start : start + 1000])
    finally:
        await client.aclose()


async def _conversation(bot: Bot, user: User, latencies_us: list[float] | None) -> int:
    peak = 0
    for said, expected in zip(USER_TURNS, EXPECTED_REPLIES, strict=True):
        started = time.perf_counter_ns()
        out = await bot.engine.handle(user, said)
        if latencies_us is not None:
            latencies_us.append((time.perf_counter_ns() - started) / 1000)
        if [m.text for m in out] != [expected]:
            raise UnexpectedReply(f"{user.id}: after {said!r} expected {expected!r}, got {out!r}")
        raw = await bot.store.get(CONVERSATIONS, user.id)
        peak = max(peak, len(raw or b""))
    return peak


async def run_parley(
    conversations: int,
    db_path: Path,
    *,
    concurrency: int = 1,
    redis_url: str | None = None,
) -> RunResult:
    """The conversations on one bot; with `concurrency` > 1 that many users talk at once (as
    on a server) and the run's wall-clock time is what counts. With `redis_url`, the state is
    in Redis instead of the SQLite file `db_path`."""
    lanes = max(1, concurrency)
    run = secrets.token_hex(3)
    async with _bot(db_path, redis_url) as bot:
        await _conversation(bot, User(f"warmup-{run}", "bench"), None)
        latencies_us: list[float] = []

        async def lane(index: int) -> list[int]:
            numbers = range(index, conversations, lanes)
            return [
                await _conversation(bot, User(f"user-{run}-{i}", "bench"), latencies_us)
                for i in numbers
            ]

        started = time.perf_counter()
        peaks = [p for ps in await asyncio.gather(*map(lane, range(lanes))) for p in ps]
        wall = time.perf_counter() - started
    return RunResult(
        name=NAME if redis_url is None else REDIS_NAME,
        turns=len(latencies_us),
        seconds=sum(latencies_us) / 1e6 if lanes == 1 else wall,
        latencies_us=latencies_us,
        bytes_per_conversation=sum(peaks) / len(peaks),
        conversations=conversations,
    )


# -- where a Redis turn's time goes -------------------------------------------------------------


@dataclass(frozen=True)
class Trip:
    """One kind of round trip to Redis: how many a turn makes, and their time per turn."""

    what: str
    per_turn: float
    us_per_turn: float


@dataclass(frozen=True)
class Breakdown:
    turn_us: float  # the mean time of a turn, round trips included
    trips: list[Trip]

    @property
    def rest_us(self) -> float:
        """What is not waiting on Redis: the engine's own work."""
        return self.turn_us - sum(t.us_per_turn for t in self.trips)


SCRIPT_NAMES = {
    "lock_and_read": "lock + read state and history (Lua)",
    "fenced_puts": "write state and history + unlock (Lua)",
    "fenced_write": "a single fenced write (Lua)",
    "renew": "lock renewal (Lua)",
    "release": "unlock alone (Lua)",
}


async def redis_breakdown(conversations: int, db_path: Path, redis_url: str) -> Breakdown:
    """Round trips per turn and their time, one conversation after another: every command the
    store sends is counted and timed (which adds a little to each), by kind."""
    from runtime.store.redis import RedisStore

    async with _bot(db_path, redis_url) as bot:
        store = bot.store
        assert isinstance(store, RedisStore)
        await _conversation(bot, User(f"warmup-{secrets.token_hex(3)}", "bench"), None)
        counts: Counter[str] = Counter()
        spent: Counter[str] = Counter()
        with _Counting(store, counts, spent):
            latencies_us: list[float] = []
            for i in range(conversations):
                user = User(f"trips-{secrets.token_hex(3)}-{i}", "bench")
                for said, expected in zip(USER_TURNS, EXPECTED_REPLIES, strict=True):
                    started = time.perf_counter_ns()
                    out = await bot.engine.handle(user, said)
                    latencies_us.append((time.perf_counter_ns() - started) / 1000)
                    if [m.text for m in out] != [expected]:
                        raise UnexpectedReply(f"{user.id}: after {said!r}, got {out!r}")
    turns = len(latencies_us)
    trips = [Trip(what, counts[what] / turns, spent[what] / 1000 / turns) for what in counts]
    return Breakdown(sum(latencies_us) / turns, sorted(trips, key=lambda t: -t.us_per_turn))


class _Counting:
    """Counts and times the store's commands (scripts named) while the block runs."""

    def __init__(self, store: Any, counts: Counter[str], spent: Counter[str]) -> None:
        self._client = store._client
        scripts = store._scripts
        self._names = {script.sha: SCRIPT_NAMES.get(n, n) for n, script in scripts.items()}
        self._counts, self._spent = counts, spent

    def __enter__(self) -> None:
        execute = self._client.execute_command

        async def counted(*args: Any, **options: Any) -> Any:
            started = time.perf_counter_ns()
            try:
                return await execute(*args, **options)
            finally:
                what = str(args[0])
                if what == "EVALSHA":
                    what = self._names.get(str(args[1]), "EVALSHA")
                self._counts[what] += 1
                self._spent[what] += time.perf_counter_ns() - started

        self._client.execute_command = counted  # type: ignore[method-assign]

    def __exit__(self, *exc_info: object) -> None:
        del self._client.execute_command  # the class's method again


def trips_table(breakdown: Breakdown) -> Iterator[str]:
    """Lines of a table: where a Redis turn's time goes."""
    yield "| part of a turn | round trips per turn | µs per turn | share |"
    yield "| --- | --- | --- | --- |"
    total = breakdown.turn_us
    for trip in breakdown.trips:
        share = trip.us_per_turn / total
        yield f"| {trip.what} | {trip.per_turn:.2f} | {trip.us_per_turn:,.0f} | {share:.0%} |"
    yield (
        f"| the engine's own work (the rest) | - | {breakdown.rest_us:,.0f} "
        f"| {breakdown.rest_us / total:.0%} |"
    )
    trips = sum(t.per_turn for t in breakdown.trips)
    yield f"| a turn | {trips:.2f} | {total:,.0f} | 100% |"
