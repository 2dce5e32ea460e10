"""Open WebSockets by user, and the outbox of users who have none open.

A message for a user goes to every socket they have open; when none is open (or every send
fails) it is pushed to the user's outbox in the store, and the next socket the user opens gets
the outbox first, in order, exactly once. One lock per user in this process keeps a reconnect's
outbox and new messages in order.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from channels.wire import encode, to_json
from runtime.engine.messages import Outbound
from runtime.errors import StoreError
from runtime.store import KeyLocks
from runtime.store.base import Store

OUTBOX = "outbox"
log = logging.getLogger("parley.channels")


class SocketHub:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.every: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
        self._by_user: dict[str, set[web.WebSocketResponse]] = {}
        self._locks = KeyLocks()
        self.closed = 0  # sockets detached so far (channels.heap's measure of churn)

    def __len__(self) -> int:
        return len(self.every)

    async def attach(self, user_id: str, ws: web.WebSocketResponse) -> None:
        """Register an open socket and send it what waited in the user's outbox."""
        async with self._locks.hold(user_id):
            self.every.add(ws)
            self._by_user.setdefault(user_id, set()).add(ws)
            await self._send_waiting(user_id, ws)

    async def _send_waiting(self, user_id: str, ws: web.WebSocketResponse) -> None:
        waiting = await self.store.drain(OUTBOX, user_id)
        for i, raw in enumerate(waiting):
            if not await _send(ws, raw):
                for rest in waiting[i:]:
                    await self.store.push(OUTBOX, user_id, rest)
                break

    async def listen(self) -> None:
        """Deliver what another instance left in the outbox of a user connected here.

        An instance that has no socket for a user keeps their messages in the store's outbox
        and announces it; the instance holding the user's socket hears that and sends them.
        Runs until cancelled.
        """
        while True:
            try:
                async with self.store.subscribe(OUTBOX) as announced:
                    async for raw in announced:
                        await self._announced(raw.decode())
            except StoreError as exc:
                log.warning("outbox announcements unavailable (%s); listening again in 1 s", exc)
                await asyncio.sleep(1.0)

    async def _announced(self, user_id: str) -> None:
        async with self._locks.hold(user_id):
            sockets = [ws for ws in self._by_user.get(user_id, ()) if not ws.closed]
            if sockets:
                await self._send_waiting(user_id, sockets[0])

    def detach(self, user_id: str, ws: web.WebSocketResponse) -> None:
        sockets = self._by_user.get(user_id)
        if sockets is not None:
            sockets.discard(ws)
            if not sockets:
                del self._by_user[user_id]
        if ws in self.every:
            self.every.discard(ws)
            self.closed += 1

    async def send(self, user_id: str, messages: Sequence[Outbound]) -> None:
        """Deliver to every open socket of the user, else keep in the outbox."""
        if not messages:
            return
        kept = False
        async with self._locks.hold(user_id):
            for message in messages:
                data = encode(message)
                sent = False
                for ws in list(self._by_user.get(user_id, ())):
                    sent = await _send(ws, data) or sent
                if not sent:
                    await self.store.push(OUTBOX, user_id, data)
                    kept = True
            if kept:
                await self.store.publish(OUTBOX, user_id.encode())

    async def reply(self, ws: web.WebSocketResponse, message: Outbound) -> None:
        """An answer for one socket only (an error about its own frame)."""
        await _send(ws, encode(message))

    async def reply_json(self, ws: web.WebSocketResponse, value: Any) -> None:
        """Any JSON value for one socket only (an answer to a request of its own)."""
        await _send(ws, to_json(value))

    async def close_all(self, code: int = WSCloseCode.GOING_AWAY, reason: str = "") -> None:
        closing = [ws.close(code=code, message=reason.encode()[:120]) for ws in list(self.every)]
        await asyncio.gather(*closing, return_exceptions=True)


async def _send(ws: web.WebSocketResponse, data: bytes) -> bool:
    """One text frame of UTF-8 JSON `data` (already encoded: no str round trip)."""
    if ws.closed:
        return False
    try:
        await ws.send_frame(data, WSMsgType.TEXT)
    except ConnectionError:
        return False
    return True
