"""One turn: the user, their conversation state, and what the bot has said so far."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from runtime.engine.messages import Outbound
from runtime.engine.state import ConversationState

Deliver = Callable[[Outbound], Awaitable[None]]
Persist = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class User:
    id: str
    channel: str = "api"


@dataclass(slots=True)
class Turn:
    user: User
    state: ConversationState
    reply_to: str | None = None
    deliver: Deliver | None = None
    heard: str | None = None  # what the user said that started the turn, if they said anything
    history: bytes | None = None  # the stored history as the turn began (the engine's)
    out: list[Outbound] = field(default_factory=list)
    side_effect: bool = False  # a non-idempotent call succeeded: the turn cannot be rolled back
    auth_facts: dict[str, dict] = field(default_factory=dict)  # profile -> non-secret facts
    tokens_used: dict[str, str] = field(default_factory=dict)  # profile -> access token sent
    # Saves the conversation as it stands, mid-turn (the engine's; the user's lock is held):
    # the in-flight record of a call with a side effect is written down before it goes out.
    persist: Persist | None = None

    async def emit(self, message: Outbound) -> None:
        message = message.addressed(self.state.session, self.reply_to)
        self.out.append(message)
        if self.deliver is not None:
            await self.deliver(message)
