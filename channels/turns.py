"""Every engine call the channels make, measured and counted in flight.

Shutting down first refuses new turns, then waits until the turns in flight have finished (and
so are stored) before the sockets close and the store shuts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from channels.metrics import Metrics
from runtime.engine.engine import CallbackResult, Engine
from runtime.engine.messages import Outbound
from runtime.engine.turn import Deliver, User
from runtime.errors import ChannelError

UNAVAILABLE = "The server is restarting; send that again in a moment."


class Turns:
    def __init__(self, engine: Engine, metrics: Metrics) -> None:
        self.engine = engine
        self.metrics = metrics
        self.closing = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def handle(
        self,
        user: User,
        text: object,
        *,
        message_id: str | None,
        deliver: Deliver | None,
        once: bool = False,
    ) -> list[Outbound]:
        """`engine.handle`; ChannelError `unavailable` once shutting down."""
        self._enter()
        started = time.perf_counter()
        try:
            return await self.engine.handle(
                user, text, message_id=message_id, deliver=deliver, once=once
            )
        finally:
            self.metrics.turns.observe(user.channel, time.perf_counter() - started)
            self._leave()

    async def callback(
        self,
        *,
        state: str,
        code: str | None,
        error: str | None,
        presenter: str | None,
        presenter_channel: str | None = None,
        deliver_to: Callable[[User], Deliver] | None = None,
    ) -> CallbackResult:
        """`engine.authorization_callback`, counted by outcome."""
        self._enter()
        try:
            result = await self.engine.authorization_callback(
                state=state,
                code=code,
                error=error,
                presenter=presenter,
                presenter_channel=presenter_channel,
                deliver_to=deliver_to,
            )
        finally:
            self._leave()
        self.metrics.oauth_callbacks.labels(result.outcome).inc()
        return result

    async def greet(self, user: User) -> list[Outbound]:
        """`engine.greet`: the greeting, for a user who has no conversation yet."""
        self._enter()
        try:
            return await self.engine.greet(user)
        finally:
            self._leave()

    async def history(self, user: User) -> list[dict[str, Any]]:
        """`engine.history`: the last messages of the user's conversation."""
        return await self.engine.history(user)

    async def recover(self, deliver_to: Callable[[User], Deliver]) -> int:
        """`engine.recover_cut_short`, counted in flight so that shutdown waits for it."""
        self._enter()
        try:
            return await self.engine.recover_cut_short(deliver_to)
        finally:
            self._leave()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no turn is in flight; False when `timeout` passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _enter(self) -> None:
        if self.closing:
            raise ChannelError("unavailable", UNAVAILABLE)
        self._in_flight += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._in_flight -= 1
        if not self._in_flight:
            self._idle.set()
