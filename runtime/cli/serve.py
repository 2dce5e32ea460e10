"""`parley serve`: run the bot's server (web chat, WebSocket, webhook, OAuth callback).

`--host` and `--port` say where it listens, whatever config.yaml says, `server.public_url`
included (that is the address users reach, which behind a proxy is another); `--port 0` takes
any free port.

Every WebSocket is an open file: before serving, the process raises its soft limit of open
files (`RLIMIT_NOFILE`, often 1024) to the hard limit, as far as an unprivileged process may,
and logs the change at INFO (`--debug` shows it).
"""

from __future__ import annotations

import argparse
import logging
import socket

from channels.listening import ANY_PORT, cannot_listen, port_number
from runtime.cli.common import add_config_option, config_from
from runtime.cli.loop import add_loop_option
from runtime.cli.loop import run as run_loop
from runtime.errors import ParleyError

log = logging.getLogger("parley.channels")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="run the bot server from config.yaml")
    add_config_option(parser)
    parser.add_argument("--host", default=None, help="the address to bind (default: server.host)")
    parser.add_argument(
        "--port",
        type=port_number,
        default=None,
        help="the port to bind, 1-65535, or 0 for any free one (default: server.port)",
    )
    add_loop_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from channels.server import serve  # the engine's command line does not need aiohttp's server

    config = config_from(args)
    host = config.server.host if args.host is None else args.host
    port = config.server.port if args.port is None else args.port
    if port == ANY_PORT:
        port = free_port(host)
    raise_open_files_limit()
    run_loop(serve(config, host=host, port=port), args.loop)
    return 0


def raise_open_files_limit() -> tuple[int, int] | None:
    """Raise the soft limit of open files (`RLIMIT_NOFILE`) to the hard one, which is what
    bounds how many sockets one process can hold; returns the soft limit (before, after), or
    None where the platform has no `resource` module (Windows). Where the hard limit is
    unlimited and the system refuses that as a soft limit (macOS), the soft one stays."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError) as exc:
            log.info(
                "open files (RLIMIT_NOFILE): soft limit %s kept, below the hard limit %s: %s",
                _limit(soft),
                _limit(hard),
                exc,
            )
            return soft, soft
    log.info(
        "open files (RLIMIT_NOFILE): soft limit %s -> %s (the hard limit)",
        _limit(soft),
        _limit(hard),
    )
    return soft, hard


def _limit(value: int) -> str:
    import resource

    return "unlimited" if value == resource.RLIM_INFINITY else str(value)


def free_port(host: str) -> int:
    """A port free on `host` now, so that the public URL and the callback URLs name the port
    the server then listens on."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, ANY_PORT))
        except OSError as exc:
            raise ParleyError(cannot_listen(host, ANY_PORT, exc)) from exc
        return probe.getsockname()[1]


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
