"""When a message sent while a dialog waits starts another dialog (conversation.md, "Changing
the subject"): the bot-wide settings, each dialog's and node's own, and the check that keeps a
`string` node's answers answers.

A `string` node takes any text, so only a message that is clearly a request can interrupt it:
more than one word, a request's wording (an action such as "search" or "order", or "I want",
"can you"), and a score above `interrupt_threshold`. "Delete" as a last name, or "Pizza Hut"
as a company, stays an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runtime.dialogs.model import Dialog, EntityNode, Interruption

HOLD, NEVER = Interruption.HOLD.value, Interruption.NEVER.value

# Imperatives that ask for something. Plain forms only: "Booking Holdings" or "Opening hours"
# may well be a company or a title.
_ACTIONS = """
    create add remove delete update change edit search book order find schedule register
    cancel lookup
"""
_REQUEST = re.compile(
    r"\b(?:" + "|".join(_ACTIONS.split()) + r")\b"
    r"|\b(?:i\s+(?:want|need|would\s+like)|i'?d\s+like|can\s+you|could\s+you|please"
    r"|show\s+me|tell\s+me|give\s+me|get\s+me|look\s+up|list\s+(?:all|my|the))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Interruptions:
    """`conversation.interruptions`, `interrupt_threshold` and `max_held` of config.yaml."""

    default: str = HOLD
    threshold: float = 85.0
    max_held: int = 3

    def mode(self, dialog: Dialog, node: EntityNode | None) -> str:
        """What an interruption does here: the node's setting, else the dialog's, else the
        bot's."""
        if node is not None and node.interruptions:
            return node.interruptions
        return dialog.interruptions or self.default

    @staticmethod
    def may_interrupt_string(text: str) -> bool:
        """Worded as a request at all: a one-word message never interrupts a string node."""
        return len(text.split()) > 1 and _REQUEST.search(text) is not None
