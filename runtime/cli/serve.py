"""`parley serve`: run the bot's server (web chat, WebSocket, webhook, OAuth callback).

`--host` and `--port` say where it listens, whatever config.yaml says, `server.public_url`
included (that is the address users reach, which behind a proxy is another); `--port 0` takes
any free port.
"""

from __future__ import annotations

import argparse
import socket

from channels.listening import ANY_PORT, cannot_listen, port_number
from runtime.cli.common import add_config_option, config_from
from runtime.cli.loop import add_loop_option
from runtime.cli.loop import run as run_loop
from runtime.errors import ParleyError


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
    run_loop(serve(config, host=host, port=port), args.loop)
    return 0


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
