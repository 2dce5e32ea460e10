"""What a conversation keeps of what was said, for a page that is reloaded (channels.md,
`history`): the last messages in both directions, as each side saw them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from runtime.engine.messages import Outbound
from runtime.engine.state import ConversationState

KEPT = 50
USER, BOT = "user", "bot"


def remember(state: ConversationState, heard: str | None, said: Sequence[Outbound]) -> None:
    """Add one turn to `state.history`: the user's message (the label of the button it came
    from, when it is one of the last question's values, as the page showed it), then what the
    bot said, errors left out (they answer a frame, not the conversation)."""
    at = round(time.time(), 3)
    entries = state.history
    if heard is not None:
        entries.append(
            {"type": "message", "from": USER, "text": _as_shown(entries, heard), "at": at}
        )
    for message in said:
        if message.type == "error":
            continue
        wire = message.to_wire()
        wire.pop("session", None)
        wire.pop("reply_to", None)
        wire["from"], wire["at"] = BOT, at
        entries.append(wire)
    if len(entries) > KEPT:
        del entries[: len(entries) - KEPT]


def recent(state: ConversationState) -> list[dict[str, Any]]:
    return list(state.history[-KEPT:])


def _as_shown(entries: list[dict[str, Any]], text: str) -> str:
    """`text` as the user saw it sent: a quick reply's label rather than its value."""
    for entry in reversed(entries):
        if entry.get("from") != BOT:
            continue
        for button in entry.get("buttons", ()):
            if button.get("value") == text:
                return str(button.get("label", text))
        for card in entry.get("cards", ()):  # as the page shows it: "Delete: Pat O'Brien"
            for button in card.get("buttons", ()):
                if button.get("value") == text:
                    return f"{button.get('label', text)}: {card.get('title', '')}".rstrip(": ")
        return text
    return text
