"""The event loop the servers run on: uvloop where it is installed, else asyncio's own.

uvloop (libuv) runs the same aiohttp server with less work per socket read and write: in
`bench/ws` a WebSocket turn costs about a quarter less CPU on it. It is installed with Parley on
Linux and macOS; `--loop asyncio` chooses the standard loop (for debugging, say).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from runtime.errors import ParleyError

T = TypeVar("T")
CHOICES = ("auto", "uvloop", "asyncio")


def add_loop_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--loop",
        choices=CHOICES,
        default="auto",
        help="the event loop: uvloop when installed (auto, the default), or asyncio's own",
    )


def run(main: Coroutine[Any, Any, T], loop: str = "auto") -> T:
    """`asyncio.run(main)` on the chosen loop."""
    if loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if loop == "uvloop":
                main.close()
                raise ParleyError(
                    "--loop uvloop: uvloop is not installed (pip install uvloop)."
                ) from None
        else:
            return uvloop.run(main)
    return asyncio.run(main)
