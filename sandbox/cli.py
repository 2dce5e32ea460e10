"""`parley sandbox` / `python -m sandbox`: run the sandbox org on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sqlite3
import sys
from pathlib import Path

from sandbox.config import DEFAULT_API_LIMIT, DEFAULT_TOKEN_TTL, Edition
from sandbox.server import RunningSandbox, run_sandbox

DEFAULT_PORT = 8900
DEFAULT_DB = Path("var/sandbox.db")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley sandbox",
        description="Run a local Salesforce-compatible org (OAuth, REST, SOQL, search).",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file for its data")
    parser.add_argument("--controls", action="store_true", help="enable /_sandbox test controls")
    parser.add_argument(
        "--edition",
        default=Edition.DEVELOPER.value,
        choices=[e.value for e in Edition],
        help="the edition the org reports (professional has no API access)",
    )
    parser.add_argument("--token-ttl", type=float, default=DEFAULT_TOKEN_TTL, metavar="SECONDS")
    parser.add_argument("--api-limit", type=int, default=DEFAULT_API_LIMIT, metavar="N")
    parser.add_argument(
        "--auto-approve", action="store_true", help="skip the login page (for tests)"
    )
    parser.add_argument("--client-id", help="fix the demo connected app's client id")
    parser.add_argument("--client-secret", help="fix the demo connected app's client secret")
    return parser


def _banner(sb: RunningSandbox) -> str:
    lines = [
        f"Sandbox org running at {sb.url}",
        f"  login URL:      {sb.authorize_url}",
        f"  token URL:      {sb.token_url}",
        f"  client id:      {sb.client_id}",
        f"  client secret:  {sb.client_secret}",
        f"  username:       {sb.username}",
        f"  password:       {sb.password}",
    ]
    if sb.controls_url:
        lines.append(f"  test controls:  {sb.controls_url}")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with run_sandbox(
        port=args.port,
        db=args.db,
        controls=args.controls,
        edition=args.edition,
        token_ttl=args.token_ttl,
        api_limit=args.api_limit,
        auto_approve=args.auto_approve,
        client_id=args.client_id,
        client_secret=args.client_secret,
    ) as sb:
        print(_banner(sb), flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox org; returns the process exit code."""
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"--port must be between 0 and 65535, not {args.port}.", file=sys.stderr)
        return 2
    if args.token_ttl <= 0 or args.api_limit < 0:
        print("--token-ttl must be positive and --api-limit not negative.", file=sys.stderr)
        return 2
    try:
        args.db.parent.mkdir(parents=True, exist_ok=True)
        asyncio.run(_serve(args))
    except OSError as error:
        print(f"Cannot start the sandbox org: {error.strerror or error}.", file=sys.stderr)
        return 1
    except sqlite3.Error as error:
        print(f"Cannot open the sandbox database {args.db}: {error}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
