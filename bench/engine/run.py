"""`python -m bench.engine.run [--conversations N]`: Parley's engine against Bot Framework.

Runs the botbuilder baseline, then Parley on a fresh SQLite file, and prints one table with
the ratio of their turns per second and whether Parley reaches the goal of GOAL times the
baseline. With `--store redis`, Parley runs a third time with its state in Redis, beside the
SQLite figures of the same run (goal: REDIS_GOAL times SQLite's turns per second), and a second
table says where a Redis turn's time goes: its round trips, counted and timed.
`--no-baseline` leaves botbuilder out (it is in the `bench` extra, not in `dev`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import inspect
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.engine.harness import RunResult, format_table
from bench.engine.parley_side import NAME as PARLEY_NAME
from bench.engine.parley_side import REDIS_NAME, Breakdown, redis_breakdown, trips_table
from bench.engine.script import UnexpectedReply

GOAL = 5.0
REDIS_GOAL = 0.5
DEFAULT_CONVERSATIONS = 500
BREAKDOWN_CONVERSATIONS = 100
BASELINE = "botbuilder"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
PARLEY_MODULE = "bench.engine.parley_side"

ParleyRunner = Callable[..., RunResult | Awaitable[RunResult]]


class BenchmarkUnavailable(Exception):
    """A side of the benchmark cannot run; the message says why."""


def load_parley_runner(module: str = PARLEY_MODULE) -> ParleyRunner:
    """Import `run_parley` from `module`, or raise BenchmarkUnavailable saying what is missing."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise
        path = module.replace(".", "/") + ".py"
        raise BenchmarkUnavailable(
            f"Parley's side of the benchmark ({path}) is not written yet. "
            "Run with --baseline-only to measure the botbuilder baseline alone."
        ) from error
    runner = getattr(found, "run_parley", None)
    if not callable(runner):
        raise BenchmarkUnavailable(
            f"{module} has no run_parley(conversations, db_path) function to call."
        )
    return runner


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.engine.run",
        description="Turns per second, latency and stored bytes of Parley's engine, "
        "against the same dialog on Bot Framework (botbuilder-dialogs).",
    )
    parser.add_argument(
        "--conversations",
        type=_positive,
        default=DEFAULT_CONVERSATIONS,
        metavar="N",
        help=f"conversations per side (default {DEFAULT_CONVERSATIONS})",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="SQLite file for Parley's state, kept afterwards; must not exist yet "
        "(default: a temporary file)",
    )
    parser.add_argument(
        "--concurrency",
        type=_positive,
        default=1,
        metavar="C",
        help="users talking at once on each side (default 1: one conversation after another, "
        "turn time only; more: wall-clock throughput, as on a server)",
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "redis"),
        default="sqlite",
        help="sqlite (default), or redis: Parley on Redis too, beside SQLite in the same run",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        metavar="URL",
        help=f"the Redis for --store redis (default {DEFAULT_REDIS_URL}; the run's keys are "
        "under a prefix of its own, deleted afterwards)",
    )
    sides = parser.add_mutually_exclusive_group()
    sides.add_argument(
        "--baseline-only",
        action="store_true",
        help="measure the botbuilder baseline alone",
    )
    sides.add_argument(
        "--no-baseline",
        action="store_true",
        help="leave botbuilder out: Parley alone, ratios against its SQLite row",
    )
    return parser.parse_args(argv)


async def _run_parley(
    runner: ParleyRunner,
    conversations: int,
    db_path: Path,
    concurrency: int = 1,
    redis_url: str | None = None,
) -> RunResult:
    options: dict[str, object] = {}
    if concurrency > 1:
        options["concurrency"] = concurrency
    if redis_url is not None:
        options["redis_url"] = redis_url
    outcome = runner(conversations, db_path, **options)
    result = await outcome if inspect.isawaitable(outcome) else outcome
    if not isinstance(result, RunResult):
        raise BenchmarkUnavailable(
            f"expected run_parley to return a RunResult, got {type(result).__name__}"
        )
    if result.conversations is None:
        result = dataclasses.replace(result, conversations=conversations)
    return result


async def _run_baseline(conversations: int, concurrency: int) -> RunResult:
    try:
        from bench.engine.botbuilder_side import run_botbuilder
    except ModuleNotFoundError as error:
        raise BenchmarkUnavailable(
            f"the botbuilder baseline needs {error.name!r}: pip install -e '.[bench]', "
            "or run with --no-baseline"
        ) from error
    return await run_botbuilder(conversations, concurrency=concurrency)


async def _check_redis(url: str) -> None:
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    client = aioredis.from_url(url)
    try:
        await client.ping()
    except (RedisError, OSError, ValueError) as error:
        raise BenchmarkUnavailable(f"--store redis: cannot reach Redis at {url}: {error}") from None
    finally:
        await client.aclose()


def goal_line(parley: RunResult, baseline: RunResult) -> str:
    """One line saying whether Parley reached GOAL times the baseline's turns per second."""
    ratio = parley.turns_per_second / baseline.turns_per_second
    verdict = "met" if ratio >= GOAL else "NOT met"
    return f"Goal: {parley.name} at least {GOAL:g}x {baseline.name}: {verdict} ({ratio:.2f}x)"


@dataclass
class Report:
    results: list[RunResult]
    breakdown: Breakdown | None = None  # where a Redis turn's time goes, with --store redis


async def run(args: argparse.Namespace) -> Report:
    runner = None if args.baseline_only else load_parley_runner()
    if args.db is not None and args.db.exists():
        raise BenchmarkUnavailable(f"{args.db} already exists; give a path for a new file")
    if args.db is not None and not args.db.parent.is_dir():
        raise BenchmarkUnavailable(f"{args.db.parent} is not a folder; create it first")
    redis_url = args.redis_url if getattr(args, "store", "sqlite") == "redis" else None
    if redis_url is not None and runner is not None:
        await _check_redis(redis_url)
    concurrency = getattr(args, "concurrency", 1)
    report = Report([])
    if not getattr(args, "no_baseline", False):
        report.results.append(await _run_baseline(args.conversations, concurrency))
    if runner is None:
        return report
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        db = args.db if args.db is not None else Path(folder) / "state.db"
        report.results.append(await _run_parley(runner, args.conversations, db, concurrency))
        if redis_url is None:
            return report
        report.results.append(
            await _run_parley(runner, args.conversations, db, concurrency, redis_url)
        )
        trips = min(args.conversations, BREAKDOWN_CONVERSATIONS)
        report.breakdown = await redis_breakdown(trips, db, redis_url)
    return report


def redis_goal_line(redis: RunResult, sqlite: RunResult) -> str:
    ratio = redis.turns_per_second / sqlite.turns_per_second
    verdict = "met" if ratio >= REDIS_GOAL else "NOT met"
    return (
        f"Goal: {redis.name} at least {REDIS_GOAL:g}x {sqlite.name} (SQLite): "
        f"{verdict} ({ratio:.2f}x)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print its tables; return the process exit status."""
    args = parse_args(argv)
    try:
        report = asyncio.run(run(args))
    except BenchmarkUnavailable as error:
        print(f"bench.engine: {error}", file=sys.stderr)
        return 2
    except UnexpectedReply as error:
        print(f"bench.engine: a side went off script: {error}", file=sys.stderr)
        return 1
    results = report.results
    by_name = {result.name: result for result in results}
    baseline = BASELINE if BASELINE in by_name else results[0].name
    print(format_table(results, baseline))
    if BASELINE in by_name and PARLEY_NAME in by_name:
        print(goal_line(by_name[PARLEY_NAME], by_name[BASELINE]))
    if REDIS_NAME in by_name and PARLEY_NAME in by_name:
        print(redis_goal_line(by_name[REDIS_NAME], by_name[PARLEY_NAME]))
    if report.breakdown is not None:
        print()
        print("Where a Redis turn's time goes (one conversation after another, every command")
        print(
            f"counted and timed, {min(args.conversations, BREAKDOWN_CONVERSATIONS)} conversations):"
        )
        print()
        for line in trips_table(report.breakdown):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
