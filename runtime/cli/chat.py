"""`parley chat`: talk to the bot in the terminal.

On a terminal it shows a prompt; when standard input is not a terminal it reads one message per
line and prints each bot message on its own line, so a conversation can be scripted.

With `--explain`, each message is followed (before the bot's replies) by one line saying what
the intent matcher made of it: the best scores, the training utterance closest to the message,
and what the engine does with it:

    [intent] order_pizza 94.7 (like "I want a pizza"), book_demo 0.7 -> starts order_pizza
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from pathlib import Path

from runtime.bot import Bot
from runtime.cli.common import add_config_option, config_from
from runtime.engine.engine import Engine
from runtime.engine.messages import Link, Outbound
from runtime.engine.state import ConversationState, Status
from runtime.engine.text_input import clean_text, normalise_command
from runtime.engine.turn import User
from runtime.errors import ChannelError
from runtime.intents import IntentResult
from runtime.transcripts.recorder import Recorder
from runtime.transcripts.render import score_label

EXPLAINED = 3  # scores shown per message


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="chat with the bot in the terminal")
    parser.add_argument("--user", default=None, help="the user id to chat as")
    parser.add_argument(
        "--record", type=Path, metavar="FILE", help="write the conversation as a transcript"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="after each message, show the dialogs it matched, their scores and the decision",
    )
    add_config_option(parser)
    parser.set_defaults(func=run)


PROMPT = "bot> "


def render(message: Outbound, interactive: bool) -> str:
    """A message as the terminal shows it. Its buttons follow the text: the choices on one line,
    ``[small] [medium] [large]``, then each link on its own, ``View: https://...``; on a
    terminal those lines are indented under the text that follows the ``bot> `` prompt."""
    if message.type == "auth_link":
        return f"{message.text}\n{message.url}"
    if message.type == "error":
        return f"[{message.code}] {message.text}"
    choices = " ".join(f"[{b[0]}]" for b in message.buttons if not isinstance(b, Link))
    links = [f"{b[0]}: {b[1]}" for b in message.buttons if isinstance(b, Link)]
    below = ([choices] if choices else []) + links
    indent = " " * len(PROMPT) if interactive else ""
    return "\n".join([message.text, *(indent + line for line in below)])


def explain(engine: Engine, state: ConversationState, text: str) -> str | None:
    """One line on what the matcher made of `text`, said with the conversation in `state`
    (before the turn); None for a message the engine refuses (it says why itself)."""
    try:
        clean = clean_text(text, max_chars=engine.max_chars)
    except ChannelError:
        return None
    result = engine.intents.explain(clean)
    return f"  [intent] {_scores(result, clean)} -> {_decision(engine, state, clean, result)}"


def _scores(result: IntentResult, text: str) -> str:
    shown = [m for m in result.ranked[:EXPLAINED] if m.score >= 0.05]
    if not shown:
        return "no scores"
    parts = []
    for i, m in enumerate(shown):
        part = f"{score_label(m)} {m.score:.1f}"
        if i == 0 and m.utterance:
            part += " (exact)" if m.utterance == text else f' (like "{m.utterance}")'
        parts.append(part)
    return ", ".join(parts)


def _decision(engine: Engine, state: ConversationState, text: str, result: IntentResult) -> str:
    """What the engine does with the message (mirrors `Engine._on_message`)."""
    command = normalise_command(text)
    active = state.status in (Status.WAITING, Status.PARKED) and state.dialog in engine.dialogs
    if active:
        if command in engine.words.cancel:
            return f"cancels {state.dialog}"
        if command in engine.words.restart:
            return f"restarts {state.dialog}"
        amend = engine.amenders[state.dialog or ""].read(text)
        if amend is not None and amend.entity is not None:
            return f"changes {state.dialog}'s {amend.entity}"
        reading = engine.read_waiting(state, text)
        if reading.wanted is not None:
            what = {"ask": "asks whether to leave", "discard": "ends"}.get(reading.mode, "holds")
            return f"interrupts: {what} {state.dialog}, for {reading.wanted}"
        if reading.small_talk is not None:
            return f"small talk: {reading.small_talk}, then asks {state.dialog}.{state.node} again"
        return f"answer to {state.dialog}.{state.node} (not matched)"
    if text.startswith("/start"):
        dialog = text.removeprefix("/start").strip()
        return f"starts {dialog} (/start)" if dialog in engine.dialogs else "no dialog (fallback)"
    if command in engine.words.cancel:
        return "nothing to cancel"
    if result.best is not None:
        return f"starts {result.best.dialog}"
    if result.small_talk is not None:
        return f"small talk: {result.small_talk}"
    if result.candidates:
        return "did you mean: " + ", ".join(m.dialog for m in result.candidates)
    return "no dialog (fallback)"


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
        prefix = PROMPT if interactive else ""
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
            if args.explain:
                why = explain(bot.engine, await bot.engine.load(user), text)
                if why is not None:
                    print(why, flush=True)
            said = await bot.engine.handle(user, text, deliver=show)
            if recorder is not None:
                recorder.record(text, said)
    finally:
        await bot.close()
        if recorder is not None and recorder.steps:
            recorder.write(args.record)
            print(f"Recorded {len(recorder.steps)} steps to {args.record}", file=sys.stderr)
    return 0
