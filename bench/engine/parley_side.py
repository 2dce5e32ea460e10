"""Parley's side of the engine benchmark: the same conversation, durable SQLite state."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import yaml

from bench.engine.botbuilder_side import EXPECTED_REPLIES, USER_TURNS
from bench.engine.harness import RunResult
from runtime.bot import Bot
from runtime.config import load_config
from runtime.engine.engine import CONVERSATIONS
from runtime.engine.turn import User

NAME = "parley"
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


async def _conversation(bot: Bot, user: User, latencies_us: list[float] | None) -> int:
    peak = 0
    for said, expected in zip(USER_TURNS, EXPECTED_REPLIES, strict=True):
        started = time.perf_counter_ns()
        out = await bot.engine.handle(user, said)
        if latencies_us is not None:
            latencies_us.append((time.perf_counter_ns() - started) / 1000)
        if [m.text for m in out] != [expected]:
            raise RuntimeError(f"{user.id}: after {said!r} expected {expected!r}, got {out!r}")
        raw = await bot.store.get(CONVERSATIONS, user.id)
        peak = max(peak, len(raw or b""))
    return peak


async def run_parley(conversations: int, db_path: Path, *, concurrency: int = 1) -> RunResult:
    """The conversations on one bot; with `concurrency` > 1 that many users talk at once (as
    on a server) and the run's wall-clock time is what counts."""
    config = load_config(_write_bot(db_path.parent / "parley-bench-bot", db_path), env={})
    bot = await Bot.open(config)
    lanes = max(1, concurrency)
    try:
        await _conversation(bot, User("warmup", "bench"), None)
        latencies_us: list[float] = []

        async def lane(index: int) -> list[int]:
            numbers = range(index, conversations, lanes)
            return [
                await _conversation(bot, User(f"user-{i}", "bench"), latencies_us) for i in numbers
            ]

        started = time.perf_counter()
        peaks = [p for ps in await asyncio.gather(*map(lane, range(lanes))) for p in ps]
        wall = time.perf_counter() - started
    finally:
        await bot.close()
    return RunResult(
        name=NAME,
        turns=len(latencies_us),
        seconds=sum(latencies_us) / 1e6 if lanes == 1 else wall,
        latencies_us=latencies_us,
        bytes_per_conversation=sum(peaks) / len(peaks),
        conversations=conversations,
    )
