"""`parley test [PATH ...]`: replay transcripts against the configured bot.

Replays run in process on a temporary store, several at a time. On a terminal a progress bar
shows; then every failure (file, line, the step, and what was expected against what the bot
said, as a diff), optionally the coverage, and last a line ``N passed, N failed``. The exit
status is 1 when any transcript failed.

Transcripts that sign in to an integration's service need one: `--sandbox` starts each
integration's local test org (Salesforce's is a sandbox org), and a run without it starts those a
transcript signs in to while the bot has no such profile configured (saying so on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from runtime.cli.common import add_config_option, config_from
from runtime.config import Config
from runtime.errors import DefinitionError
from runtime.transcripts import (
    Result,
    Runner,
    Transcript,
    find_transcripts,
    load_transcript,
    open_replay_bot,
    select,
    summary,
)
from runtime.transcripts.loader import default_name
from runtime.transcripts.orgs import orgs_needed
from runtime.transcripts.replay import DEFAULT_STEP_TIMEOUT
from runtime.transcripts.report import Failure
from runtime.transcripts.suite import DEFAULT_JOBS

DEFAULT_FOLDER = Path("tests") / "transcripts"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("test", help="replay transcripts (*.transcript.yaml) against the bot")
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="transcript files or folders (default: tests/transcripts/ of the bot, else the "
        "bot's folder)",
    )
    parser.add_argument("-k", dest="keyword", help="only transcripts whose name contains this")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start each integration's test org, e.g. a sandbox Salesforce org (done without "
        "asking when a transcript signs in to an integration the bot has not configured)",
    )
    parser.add_argument(
        "--coverage", action="store_true", help="list the nodes and branches no transcript visited"
    )
    parser.add_argument(
        "--timeout",
        type=_positive_number,
        default=DEFAULT_STEP_TIMEOUT,
        help=f"seconds a step may take (default {DEFAULT_STEP_TIMEOUT:g})",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive_whole,
        default=DEFAULT_JOBS,
        help=f"transcripts replayed at once (default {DEFAULT_JOBS})",
    )
    add_config_option(parser)
    parser.set_defaults(func=run)


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def _positive_whole(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    if not args.debug:
        # What the bot logs while replaying (a dialog that stops, a stubbed failure) is part of
        # the transcripts' story, not a problem of the run.
        logging.getLogger("parley").setLevel(logging.CRITICAL)
    return asyncio.run(_test(args, config))


def default_paths(config: Config) -> list[Path]:
    folder = config.root / DEFAULT_FOLDER
    return [folder if folder.is_dir() else config.root]


async def _test(args: argparse.Namespace, config: Config) -> int:
    files, problems = find_transcripts(args.paths or default_paths(config))
    missing = [Result(p.file, p.file, (Failure.of(p),)) for p in problems]
    loaded = select([_load(f) for f in files], args.keyword)
    sandbox: bool | list[str] = args.sandbox
    if not sandbox:
        needed = orgs_needed(config, loaded, os.environ)
        for integration in needed:
            if integration.test_org_note:
                print(integration.test_org_note, file=sys.stderr, flush=True)
        sandbox = [i.name for i in needed]
    async with open_replay_bot(config, sandbox=sandbox) as opened:
        runner = Runner(
            opened.bot,
            login=opened.login,
            step_timeout=args.timeout,
            jobs=args.jobs,
            coverage=args.coverage,
        )
        items = missing + [runner.check(t) if isinstance(t, Transcript) else t for t in loaded]
        with _progress(len(items)) as advance:
            results = await runner.run(items, on_result=advance)
    for result in results:
        if not result.passed:
            print(result.render(), end="\n\n")
    if runner.coverage is not None:
        print(runner.coverage.render(), end="\n\n")
    print(summary(results))
    return 0 if all(r.passed for r in results) else 1


def _load(path: Path) -> Transcript | Result:
    """The transcript at `path`, not yet checked against the bot; or a failed result."""
    try:
        return load_transcript(path)
    except DefinitionError as exc:
        return Result(str(path), default_name(str(path)), tuple(map(Failure.of, exc.problems)))


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Result], None]]:
    """A callback advancing a progress bar on a terminal, doing nothing elsewhere."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda result: None
        return
    with Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("replay", total=total, failed=0)
        failed = 0

        def advance(result: Result) -> None:
            nonlocal failed
            failed += not result.passed
            progress.update(task, advance=1, failed=failed)

        yield advance
