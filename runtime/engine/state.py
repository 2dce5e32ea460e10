"""A conversation's state as plain data, and its compact stored form.

One record per user. No objects per session: the executor reads and writes this record and the
compiled dialog (shared by every conversation) does the rest.

The stored form is JSON with one-letter keys, leaving out fields that hold their default. It is
read and written by msgspec, straight between the bytes and the struct: about 1 µs each way,
where the standard library's json plus building the object took 10 µs, twice a turn.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Any

import msgspec

from runtime.engine.parking import Parked
from runtime.errors import StoreError


class UnreadableState(StoreError):
    """Stored bytes that are not a conversation state this version can read."""


class Status(StrEnum):
    IDLE = "idle"  # no dialog is active
    ACTIVE = "active"  # steps are running (only inside a turn)
    WAITING = "waiting"  # an entity node waits for the user's answer
    PARKED = "parked"  # a service node waits for an authorization callback


def _new_session() -> str:
    return secrets.token_urlsafe(12)


class Held(
    msgspec.Struct,
    omit_defaults=True,
    rename={
        "dialog": "d",
        "node": "n",
        "status": "t",
        "entities": "e",
        "vars": "v",
        "attempts": "a",
        "results": "r",
        "parked": "p",
        "asked": "k",
        "inflight": "f",
    },
):
    """A dialog put on hold by an interruption: where it was, and everything it had gathered.

    `status` is what it will resume as: WAITING (ask its question again), PARKED (waiting for
    an authorization) or ACTIVE (its authorization arrived while it was held: run on).
    """

    dialog: str
    node: str
    status: Status = Status.WAITING
    entities: dict[str, Any] = msgspec.field(default_factory=dict)
    vars: dict[str, Any] = msgspec.field(default_factory=dict)
    attempts: int = 0
    results: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    parked: Parked | None = None
    asked: list[str] = msgspec.field(default_factory=list)
    inflight: dict[str, Any] | None = None


class ConversationState(
    msgspec.Struct,
    omit_defaults=True,
    rename={
        "session": "s",
        "status": "t",
        "dialog": "d",
        "node": "n",
        "entities": "e",
        "vars": "v",
        "attempts": "a",
        "results": "r",
        "parked": "p",
        "asked": "k",
        "held": "h",
        "pending": "q",
        "inflight": "f",
        "reply": "y",
    },
):
    session: str = msgspec.field(default_factory=_new_session)
    status: Status = Status.IDLE
    dialog: str | None = None
    node: str | None = None
    entities: dict[str, Any] = msgspec.field(default_factory=dict)
    vars: dict[str, Any] = msgspec.field(default_factory=dict)
    attempts: int = 0
    results: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    parked: Parked | None = None  # set while PARKED: the link sent and its profile
    asked: list[str] = msgspec.field(default_factory=list)  # entity nodes answered this run
    held: list[Held] = msgspec.field(default_factory=list)  # oldest first; the last resumes next
    # A question the bot asked about the conversation itself, waiting for a yes or no (the
    # `ask` interruption: {"ask": "interrupt", "dialog": ID, "text": the interrupting message}).
    pending: dict[str, Any] | None = None
    # A call with a side effect that went out and whose answer is not in yet, written down
    # (saved) before it is sent: {"node", "attempt", "at" (epoch s), "sent" (1 or 2), "key"?}.
    # A turn that finds it treats the call's outcome as unknown (dialog-language.md, `verify`).
    inflight: dict[str, Any] | None = None
    # The answer to the last message that came with an id: {"id", "out": [wire messages]}.
    # Saved with the conversation itself, so a message sent again (its answer was lost, the
    # server died before the channel kept the answer) gets that answer, never a second turn.
    reply: dict[str, Any] | None = None

    def begin(self, dialog: str, node: str) -> None:
        self.status, self.dialog, self.node = Status.ACTIVE, dialog, node
        self.entities, self.vars, self.results = {}, {}, {}
        self.attempts, self.parked, self.asked, self.pending = 0, None, [], None
        self.inflight = None

    def finish(self) -> None:
        """End the active dialog; held dialogs stay held (the engine resumes the last one)."""
        self.status, self.dialog, self.node = Status.IDLE, None, None
        self.entities, self.vars, self.results = {}, {}, {}
        self.attempts, self.parked, self.asked, self.pending = 0, None, [], None
        self.inflight = None

    def hold(self) -> Held:
        """Put the active dialog on hold (the caller then begins another); returns its record."""
        assert self.dialog is not None and self.node is not None
        held = Held(
            dialog=self.dialog,
            node=self.node,
            status=self.status,
            entities=self.entities,
            vars=self.vars,
            attempts=self.attempts,
            results=self.results,
            parked=self.parked,
            asked=self.asked,
            inflight=self.inflight,
        )
        self.held.append(held)
        self.finish()
        return held

    def resume(self) -> Held:
        """Make the most recently held dialog the active one again; returns its record."""
        held = self.held.pop()
        self.dialog, self.node, self.status = held.dialog, held.node, held.status
        self.entities, self.vars, self.results = held.entities, held.vars, held.results
        self.attempts, self.parked, self.asked = held.attempts, held.parked, held.asked
        self.pending, self.inflight = None, held.inflight
        return held

    def copy(self) -> ConversationState:
        return decode(encode(self))


# Values JSON has no form for (set by a template, say) are stored as their text.
_encoder = msgspec.json.Encoder(enc_hook=str)
_decoder = msgspec.json.Decoder(ConversationState)


def encode(state: ConversationState) -> bytes:
    """Compact JSON with one-letter keys; fields holding their default are left out."""
    return _encoder.encode(state)


class _StatusOnly(msgspec.Struct, rename={"status": "t"}):
    status: Status = Status.IDLE


_status_decoder = msgspec.json.Decoder(_StatusOnly)


class _InFlightOnly(msgspec.Struct, rename={"status": "t", "inflight": "f"}):
    status: Status = Status.IDLE
    inflight: dict[str, Any] | None = None


_inflight_decoder = msgspec.json.Decoder(_InFlightOnly)


def cut_short_channel(raw: bytes) -> str | None:
    """The channel of a stored state whose turn was cut short with a call in flight (the
    process died), without building the rest; None for any other state."""
    try:
        seen = _inflight_decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    if seen.inflight is None or seen.status != Status.ACTIVE:
        return None
    return str(seen.inflight.get("channel") or "api")


def status_of(raw: bytes) -> Status:
    """The status of a stored state alone (what /metrics counts), without building the rest."""
    try:
        return _status_decoder.decode(raw).status
    except msgspec.DecodeError as exc:
        raise UnreadableState(f"a stored conversation state cannot be read: {exc}") from exc


def decode(raw: bytes) -> ConversationState:
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise UnreadableState(f"a stored conversation state cannot be read: {exc}") from exc
