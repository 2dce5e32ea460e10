"""`parley sandbox` / `python -m sandbox`: run the sandbox org on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import signal
import socket
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.config import DEFAULT_API_LIMIT, DEFAULT_TOKEN_TTL, Edition

if TYPE_CHECKING:
    from sandbox.server import RunningSandbox

DEFAULT_PORT = 8900
DEFAULT_DB = Path("var/sandbox.db")
DESCRIPTION = "Run a local Salesforce-compatible org (OAuth, REST, SOQL, search)."
HOST = "127.0.0.1"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley sandbox", description=DESCRIPTION)
    add_options(parser)
    return parser


def add_options(parser: argparse.ArgumentParser) -> None:
    """The sandbox's options, on its own parser and on `parley sandbox`'s."""
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"the port to listen on (default {DEFAULT_PORT}; 0 picks a free port)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        metavar="FILE",
        help=f"the SQLite file that keeps its records (default {DEFAULT_DB})",
    )
    parser.add_argument("--controls", action="store_true", help="enable /_sandbox test controls")
    parser.add_argument(
        "--edition",
        default=Edition.DEVELOPER.value,
        choices=[e.value for e in Edition],
        help="the edition the org reports (professional has no API access)",
    )
    parser.add_argument(
        "--token-ttl",
        type=float,
        default=DEFAULT_TOKEN_TTL,
        metavar="SECONDS",
        help=f"how long an access token lasts (default {DEFAULT_TOKEN_TTL:g})",
    )
    parser.add_argument(
        "--api-limit",
        type=int,
        default=DEFAULT_API_LIMIT,
        metavar="N",
        help=f"API requests allowed a day (default {DEFAULT_API_LIMIT})",
    )
    parser.add_argument(
        "--auto-approve", action="store_true", help="skip the login page (for tests)"
    )
    parser.add_argument("--client-id", help="fix the demo connected app's client id")
    parser.add_argument("--client-secret", help="fix the demo connected app's client secret")


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


def port_number(text: str) -> int:
    """A `--port` value: 1 to 65535, or 0 for any free port (worded as `parley serve`'s)."""
    port = int(text) if text.isdigit() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port from 1 to 65535 (0 for any free port), got {text!r}"
        )
    return port


def cannot_listen(host: str, port: int, error: OSError) -> str:
    """Why the org could not open `host:port`, in the words of Parley's own servers
    (`channels.listening`, which this package, importing nothing of Parley, repeats)."""
    choose = "; choose another with --port"
    if isinstance(error, socket.gaierror):
        reason = f"{host!r} is not a host name or address this machine knows"
    elif error.errno == errno.EADDRINUSE:
        reason = f"another program is using port {port}{choose}"
    elif error.errno == errno.EACCES:
        reason = f"permission denied (ports below 1024 need administrator rights){choose}"
    elif error.errno == errno.EADDRNOTAVAIL:
        reason = f"{host} is not an address of this machine"
    else:
        reason = (error.strerror or str(error) or type(error).__name__).lower()
    return f"cannot listen on {host}:{port}: {reason}"


class _CannotListen(Exception):
    """The org could not open its port; the message says why, as `parley serve` would."""


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    from sandbox.server import run_sandbox  # on start only: `parley --help` need not load it

    async with contextlib.AsyncExitStack() as stack:
        org = run_sandbox(
            host=HOST,
            port=args.port,
            db=args.db,
            controls=args.controls,
            edition=args.edition,
            token_ttl=args.token_ttl,
            api_limit=args.api_limit,
            auto_approve=args.auto_approve,
            client_id=args.client_id,
            client_secret=args.client_secret,
        )
        try:
            sb = await stack.enter_async_context(org)
        except OSError as error:
            raise _CannotListen(cannot_listen(HOST, args.port, error)) from error
        print(_banner(sb), flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox org; returns the process exit code."""
    return run(_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the sandbox org with the options `add_options` read; returns the exit code."""
    if args.token_ttl <= 0 or args.api_limit < 0:
        print("--token-ttl must be positive and --api-limit not negative.", file=sys.stderr)
        return 2
    try:
        args.db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"Cannot create the folder of {args.db}: {error.strerror}.", file=sys.stderr)
        return 1
    try:
        asyncio.run(_serve(args))
    except _CannotListen as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Cannot start the sandbox org: {error.strerror or error}.", file=sys.stderr)
        return 1
    except sqlite3.Error as error:
        print(f"Cannot open the sandbox database {args.db}: {error}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
