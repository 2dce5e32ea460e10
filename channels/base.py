"""What every channel implements, and where a user's late messages go."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

from aiohttp import web

from channels.hub import OUTBOX
from channels.wire import encode
from runtime.engine.messages import Outbound
from runtime.engine.turn import User
from runtime.store.base import Store

log = logging.getLogger("parley.channels")


class Channel(Protocol):
    name: str  # the `User.channel` of the users it serves

    def add_routes(self, app: web.Application) -> None:
        """Register the channel's endpoints."""

    async def deliver_later(self, user_id: str, messages: Sequence[Outbound]) -> None:
        """Messages produced outside the user's own request (after an OAuth callback)."""


class Deliveries:
    """Routes late messages to the channel a user spoke on."""

    def __init__(self, channels: Mapping[str, Channel], store: Store) -> None:
        self.channels = channels
        self.store = store

    async def to_user(self, user: User, messages: Sequence[Outbound]) -> None:
        if not messages:
            return
        channel = self.channels.get(user.channel)
        if channel is not None:
            await channel.deliver_later(user.id, messages)
            return
        log.warning("channel %r is not served here: messages kept in the outbox", user.channel)
        for message in messages:
            await self.store.push(OUTBOX, user.id, encode(message))
