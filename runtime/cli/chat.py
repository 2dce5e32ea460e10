"""`parley chat`: talk to the bot in the terminal.

On a terminal it shows a prompt; when standard input is not a terminal it reads one message per
line and prints each bot message on its own line, so a conversation can be scripted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from runtime.bot import Bot
from runtime.cli.common import add_config_option, config_from
from runtime.engine.messages import Outbound
from runtime.engine.turn import User


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="chat with the bot in the terminal")
    parser.add_argument("--user", default="terminal", help="the user id to chat as")
    add_config_option(parser)
    parser.set_defaults(func=run)


def render(message: Outbound, interactive: bool) -> str:
    if message.type == "auth_link":
        return f"{message.text}\n{message.url}"
    if message.type == "error":
        return f"[{message.code}] {message.text}"
    text = message.text
    if interactive and message.buttons:
        text += "\n  " + "  ".join(f"[{label}]" for label, _ in message.buttons)
    return text


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_chat(args))


async def _chat(args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty()
    config = config_from(args)
    bot = await Bot.open(config)
    user = User(args.user, "terminal")
    loop = asyncio.get_running_loop()

    async def show(message: Outbound) -> None:
        prefix = "bot> " if interactive else ""
        print(prefix + render(message, interactive), flush=True)

    try:
        if interactive:
            print(f"{config.bot.name}: type a message, Ctrl-D to leave.", flush=True)
        while True:
            if interactive:
                print("you> ", end="", flush=True)
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            if not line.strip():
                continue
            await bot.engine.handle(user, line.rstrip("\n"), deliver=show)
    finally:
        await bot.close()
    return 0
