"""What the engine asks of authorization, declared on the engine's side.

The engine and the executor use an `Authorizer` and never import `runtime.auth`, which
implements it (`OAuthAuthorizer`) and imports from here: the dependency runs one way. The
outcomes of a callback are an enum, compared as such, and what a browser tab is told of each
lives next to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from runtime.engine.parking import Parked
from runtime.engine.turn import Turn


class Outcome(StrEnum):
    CONNECTED = "connected"
    DENIED = "denied"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"
    WRONG_USER = "wrong_user"
    FAILED = "failed"
    REFUSED = "refused"  # authorized, but the account cannot be used (e.g. a trial org)


# What the browser tab that completed (or failed) the flow is told.
PAGE_TEXT = {
    Outcome.CONNECTED: "Connected. You can return to the chat.",
    Outcome.DENIED: "You declined the authorization. You can return to the chat.",
    Outcome.EXPIRED: "This authorization link has expired. Ask the bot for a new one.",
    Outcome.USED: "This authorization link was already used.",
    Outcome.UNKNOWN: "This authorization link is not known. Ask the bot for a new one.",
    Outcome.WRONG_USER: "This authorization link was issued to someone else.",
    Outcome.FAILED: "The authorization could not be completed. Please try again from the chat.",
    Outcome.REFUSED: "This account cannot be used.",
}


class PendingLink(Protocol):
    """Whom a redeemed link was issued to, and where their conversation parked."""

    @property
    def user_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def session(self) -> str: ...
    @property
    def profile(self) -> str: ...
    @property
    def node(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a callback came to: its outcome and, once its link was redeemed, whose it was."""

    outcome: Outcome
    pending: PendingLink | None = None
    detail: str = ""  # a sentence for the user (refusals), never a secret
    connected_before: bool = False  # USED: the link had completed for the user presenting it

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.CONNECTED


class Authorizer(Protocol):
    """Supplies bearer tokens for `auth:` service nodes and completes their callbacks."""

    # -- for the executor, around a service node's call -------------------------------------

    async def headers(self, turn: Turn, profile: str, node_id: str) -> dict[str, str] | None:
        """Authorization headers, or None after parking the conversation (a link was sent,
        and `turn.state.parked` says which)."""
        ...

    async def on_unauthorized(self, turn: Turn, profile: str, node_id: str) -> bool:
        """A 401 came back: True when a refreshed token is ready for one retry; False after
        the token was dropped and the conversation parked (per_user)."""
        ...

    async def load_facts(self, turn: Turn, profiles: frozenset[str]) -> None:
        """Make the facts of these profiles' accounts available to `facts()` for this turn."""
        ...

    def facts(self, turn: Turn) -> Mapping[str, Any]:
        """Non-secret facts of the connected accounts, exposed to templates as `auth`."""
        ...

    # -- for the engine, around a parked conversation ---------------------------------------

    async def redeem(
        self, *, state: str, code: str | None, error: str | None, presenter: str | None = None
    ) -> Verdict:
        """Validate a callback and, when it carries a code, exchange and store the tokens."""
        ...

    def failure_text(self, verdict: Verdict) -> str:
        """What the conversation is told when its authorization did not connect."""
        ...

    async def link_usable(self, parked: Parked) -> bool:
        """The link a parked conversation was sent can still complete: its state was not
        redeemed (a callback cut short after redeeming it leaves the link dead)."""
        ...
