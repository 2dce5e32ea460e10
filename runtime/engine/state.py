"""A conversation's state as plain data, and its compact stored form.

One record per user. No objects per session: the executor reads and writes this record and the
compiled dialog (shared by every conversation) does the rest.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    IDLE = "idle"  # no dialog is active
    ACTIVE = "active"  # steps are running (only inside a turn)
    WAITING = "waiting"  # an entity node waits for the user's answer
    PARKED = "parked"  # a service node waits for an authorization callback


@dataclass(slots=True)
class ConversationState:
    session: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    status: Status = Status.IDLE
    dialog: str | None = None
    node: str | None = None
    entities: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    parked: dict[str, Any] | None = None  # profile, state id, link: never a secret
    asked: list[str] = field(default_factory=list)  # entity nodes the user answered this run

    def begin(self, dialog: str, node: str) -> None:
        self.status, self.dialog, self.node = Status.ACTIVE, dialog, node
        self.entities, self.vars, self.results = {}, {}, {}
        self.attempts, self.parked, self.asked = 0, None, []

    def finish(self) -> None:
        self.status, self.dialog, self.node = Status.IDLE, None, None
        self.entities, self.vars, self.results = {}, {}, {}
        self.attempts, self.parked, self.asked = 0, None, []

    def copy(self) -> ConversationState:
        return decode(encode(self))


_KEYS = (
    ("s", "session"),
    ("t", "status"),
    ("d", "dialog"),
    ("n", "node"),
    ("e", "entities"),
    ("v", "vars"),
    ("a", "attempts"),
    ("r", "results"),
    ("p", "parked"),
    ("k", "asked"),
)
_EMPTY = (None, {}, [], 0, Status.IDLE)


def encode(state: ConversationState) -> bytes:
    """Compact JSON with one-letter keys; empty fields are left out."""
    data = {}
    for short, name in _KEYS:
        value = getattr(state, name)
        if name == "session" or value not in _EMPTY:
            data[short] = value
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def decode(raw: bytes) -> ConversationState:
    data = json.loads(raw)
    return ConversationState(
        session=data["s"],
        status=Status(data.get("t", Status.IDLE)),
        dialog=data.get("d"),
        node=data.get("n"),
        entities=data.get("e", {}),
        vars=data.get("v", {}),
        attempts=data.get("a", 0),
        results=data.get("r", {}),
        parked=data.get("p"),
        asked=data.get("k", []),
    )
