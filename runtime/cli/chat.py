"""`parley chat`: talk to the bot in the terminal.

On a terminal it shows a prompt; when standard input is not a terminal it reads one message per
line and prints each bot message on its own line, so a conversation can be scripted.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from pathlib import Path

from runtime.bot import Bot
from runtime.cli.common import add_config_option, config_from
from runtime.engine.messages import Outbound
from runtime.engine.turn import User
from runtime.transcripts.recorder import Recorder


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="chat with the bot in the terminal")
    parser.add_argument("--user", default=None, help="the user id to chat as")
    parser.add_argument(
        "--record", type=Path, metavar="FILE", help="write the conversation as a transcript"
    )
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
    # A recording starts from a clean slate so that it replays from scratch.
    default_user = f"terminal-{secrets.token_hex(4)}" if args.record else "terminal"
    user = User(args.user or default_user, "terminal")
    recorder = Recorder() if args.record else None
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
            text = line.rstrip("\n")
            said = await bot.engine.handle(user, text, deliver=show)
            if recorder is not None:
                recorder.record(text, said)
    finally:
        await bot.close()
        if recorder is not None and recorder.steps:
            recorder.write(args.record)
            print(f"Recorded {len(recorder.steps)} steps to {args.record}", file=sys.stderr)
    return 0
