"""What a conversation keeps of what was said, for a page that is reloaded (channels.md,
`history`): the last messages in both directions, as each side saw them.

Kept beside the conversation's state (its own key, the same expiry), not inside it: a turn
loads and saves the state, and fifty messages in it would be parsed and written on every
turn. The history is one value of JSON lines, one message a line, that a turn extends with
bytes alone; only a history request parses it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import msgspec

from runtime.engine.messages import Outbound

HISTORY = "hist"  # the store namespace, keyed like conversations
KEPT = 50
USER, BOT = "user", "bot"

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


def extended(kept: bytes | None, heard: str | None, said: Sequence[Outbound]) -> bytes | None:
    """`kept` with one turn added: the user's message (a quick reply as the label the page
    showed), then what the bot said, errors left out (they answer a frame, not the
    conversation); the last KEPT lines. None when the turn adds nothing."""
    at = round(time.time(), 3)
    lines = []
    if heard is not None:
        shown = _as_shown(kept, heard)
        lines.append(_encode({"type": "message", "from": USER, "text": shown, "at": at}))
    for message in said:
        if message.type == "error":
            continue
        wire = message.to_wire()
        wire.pop("session", None)
        wire.pop("reply_to", None)
        wire["from"], wire["at"] = BOT, at
        lines.append(_encode(wire))
    if not lines:
        return None
    old = kept.split(b"\n") if kept else []
    return b"\n".join((old + lines)[-KEPT:])


def messages(kept: bytes | None) -> list[dict[str, Any]]:
    """The kept messages, oldest first, as the wire shows them."""
    return [_decode(line) for line in kept.split(b"\n")] if kept else []


def _as_shown(kept: bytes | None, text: str) -> str:
    """`text` as the user saw it sent: a quick reply's label rather than its value ("Yes" for
    "yes"), a card's button with its card's title ("Delete: Pat O'Brien")."""
    if not kept:
        return text
    written = _encode(text)  # as a button's value would appear in a line
    for line in reversed(kept.split(b"\n")):
        if written not in line:
            if b'"from":"bot"' in line:
                return text  # the last bot message has no button of that value
            continue
        entry = _decode(line)
        if entry.get("from") != BOT:
            continue
        for button in entry.get("buttons", ()):
            if button.get("value") == text:
                return str(button.get("label", text))
        for card in entry.get("cards", ()):
            for button in card.get("buttons", ()):
                if button.get("value") == text:
                    return f"{button.get('label', text)}: {card.get('title', '')}".rstrip(": ")
        return text
    return text
