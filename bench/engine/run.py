"""`python -m bench.engine.run [--conversations N]`: Parley's engine against Bot Framework.

Runs the botbuilder baseline, then Parley on a fresh SQLite file, and prints one table with
the ratio of their turns per second and whether Parley reaches the goal of GOAL times the
baseline.
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
from pathlib import Path

from bench.engine.botbuilder_side import NAME as BASELINE
from bench.engine.botbuilder_side import UnexpectedReply, run_botbuilder
from bench.engine.harness import RunResult, format_table

GOAL = 5.0
DEFAULT_CONVERSATIONS = 500
PARLEY_MODULE = "bench.engine.parley_side"

ParleyRunner = Callable[[int, Path], RunResult | Awaitable[RunResult]]


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
        "--baseline-only",
        action="store_true",
        help="measure the botbuilder baseline alone",
    )
    return parser.parse_args(argv)


async def _run_parley(
    runner: ParleyRunner, conversations: int, db_path: Path, concurrency: int = 1
) -> RunResult:
    outcome = (
        runner(conversations, db_path, concurrency=concurrency)
        if concurrency > 1
        else runner(conversations, db_path)
    )
    result = await outcome if inspect.isawaitable(outcome) else outcome
    if not isinstance(result, RunResult):
        raise BenchmarkUnavailable(
            f"expected run_parley to return a RunResult, got {type(result).__name__}"
        )
    if result.conversations is None:
        result = dataclasses.replace(result, conversations=conversations)
    return result


def goal_line(parley: RunResult, baseline: RunResult) -> str:
    """One line saying whether Parley reached GOAL times the baseline's turns per second."""
    ratio = parley.turns_per_second / baseline.turns_per_second
    verdict = "met" if ratio >= GOAL else "NOT met"
    return f"Goal: {parley.name} at least {GOAL:g}x {baseline.name}: {verdict} ({ratio:.2f}x)"


async def run(args: argparse.Namespace) -> list[RunResult]:
    runner = None if args.baseline_only else load_parley_runner()
    if args.db is not None and args.db.exists():
        raise BenchmarkUnavailable(f"{args.db} already exists; give a path for a new file")
    if args.db is not None and not args.db.parent.is_dir():
        raise BenchmarkUnavailable(f"{args.db.parent} is not a folder; create it first")
    concurrency = getattr(args, "concurrency", 1)
    results = [await run_botbuilder(args.conversations, concurrency=concurrency)]
    if runner is None:
        return results
    if args.db is not None:
        results.append(await _run_parley(runner, args.conversations, args.db, concurrency))
        return results
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        db = Path(folder) / "state.db"
        results.append(await _run_parley(runner, args.conversations, db, concurrency))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print its table; return the process exit status."""
    args = parse_args(argv)
    try:
        results = asyncio.run(run(args))
    except BenchmarkUnavailable as error:
        print(f"bench.engine: {error}", file=sys.stderr)
        return 2
    except UnexpectedReply as error:
        print(f"bench.engine: the baseline went off script: {error}", file=sys.stderr)
        return 1
    print(format_table(results, BASELINE))
    for result in results:
        if result.name != BASELINE:
            print(goal_line(result, results[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
