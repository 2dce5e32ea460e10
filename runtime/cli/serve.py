"""`parley serve`: run the bot's server (web chat, WebSocket, webhook, OAuth callback)."""

from __future__ import annotations

import argparse

from runtime.cli.common import add_config_option, config_from
from runtime.cli.loop import add_loop_option
from runtime.cli.loop import run as run_loop


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="run the bot server from config.yaml")
    add_config_option(parser)
    parser.add_argument("--host", default=None, help="the address to bind (default: server.host)")
    parser.add_argument(
        "--port", type=int, default=None, help="the port to bind (default: server.port)"
    )
    add_loop_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from channels.server import serve  # the engine's command line does not need aiohttp's server

    run_loop(serve(config_from(args), host=args.host, port=args.port), args.loop)
    return 0
