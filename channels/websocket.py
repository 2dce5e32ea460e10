"""`GET /ws?token=TOKEN`: the WebSocket channel.

Refusals: a browser `Origin` that is not allowed gets `403` before the upgrade (no socket is
opened); a missing, forged or expired token gets the upgrade and then close code 4401. Each
socket's frames are handled one at a time in arrival order; a user's several sockets all receive
what the bot says. Every bad frame (including text that is not UTF-8, or holds a NUL or a lone
surrogate) gets an `error` message and the socket stays open, except a frame over
`ChannelSettings.hard_frame_bytes`, which aiohttp refuses with close code 1009 without
buffering it. Frames count toward `conversation.rate_limit` per user, across the user's sockets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import WSCloseCode, WSMessage, WSMsgType, web

from channels.hub import SocketHub
from channels.identity import UserTokens
from channels.origins import Origins
from channels.ratelimit import RateLimiter
from channels.responses import json_error
from channels.settings import ChannelSettings
from channels.turns import Turns
from channels.wire import FrameError, Inbound, error_message, history_message, parse_frame
from runtime.config import RateLimit
from runtime.engine.messages import Outbound
from runtime.engine.turn import User
from runtime.errors import ChannelError, StoreError

log = logging.getLogger("parley.channels")

UNAUTHORIZED = 4401
RATE_LIMITED = "Too many messages; wait a moment."
STORE_DOWN = "The conversation store is not answering; try again in a moment."
INTERNAL = "Something went wrong on the server; try again."


class WebSocketChannel:
    name = "websocket"

    def __init__(
        self,
        *,
        hub: SocketHub,
        tokens: UserTokens,
        origins: Origins,
        turns: Turns,
        settings: ChannelSettings,
        rate: RateLimit,
    ) -> None:
        self.hub = hub
        self.tokens = tokens
        self.origins = origins
        self.turns = turns
        self.settings = settings
        self.limiter = RateLimiter(rate.messages, rate.per_seconds)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/ws", self.connect)

    async def deliver_later(self, user_id: str, messages: Sequence[Outbound]) -> None:
        await self.hub.send(user_id, messages)

    async def connect(self, request: web.Request) -> web.StreamResponse:
        if not self.origins.allows(request.headers.get("Origin")):
            return json_error(403, "forbidden", "This origin may not open the chat socket.")
        ws = web.WebSocketResponse(
            heartbeat=self.settings.heartbeat,
            max_msg_size=self.settings.hard_frame_bytes,
            # Text frames arrive as bytes: one that is not UTF-8 gets `bad_request` from
            # parse_frame and the socket stays open (spec/channels.md), where aiohttp would
            # close it with 1007.
            decode_text=False,
        )
        await ws.prepare(request)
        try:
            user_id = self.tokens.verify(request.query.get("token"))
        except ChannelError as exc:
            await ws.close(code=UNAUTHORIZED, message=str(exc).encode())
            return ws
        user = User(user_id, self.name)
        try:
            await self.hub.attach(user_id, ws)
            await self._greet(user)
            async for frame in ws:
                await self._on_frame(ws, user, frame)
        except StoreError:
            log.exception("a WebSocket was closed: the store is not answering")
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=STORE_DOWN.encode()[:120])
        finally:
            self.hub.detach(user_id, ws)
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, user: User, frame: WSMessage) -> None:
        allowed = self.limiter.allow(user.id)
        try:
            inbound = self._read(frame)
        except FrameError as exc:
            code, text = ("rate_limited", RATE_LIMITED) if not allowed else (exc.code, str(exc))
            await self.hub.reply(ws, error_message(code, text, exc.reply_to))
            return
        if not allowed:
            await self.hub.reply(ws, error_message("rate_limited", RATE_LIMITED, inbound.id))
            return
        if inbound.kind == "history":
            messages = await self.turns.history(user)
            await self.hub.reply_json(ws, history_message(messages))
            return
        await self._turn(ws, user, inbound)

    async def _greet(self, user: User) -> None:
        """A new user's first connection: the greeting, to every socket of theirs."""
        try:
            greeting = await self.turns.greet(user)
        except ChannelError:  # shutting down: the next connection greets
            return
        await self.hub.send(user.id, greeting)

    def _read(self, frame: WSMessage) -> Inbound:
        if frame.type is WSMsgType.TEXT:
            return parse_frame(frame.data, max_bytes=self.settings.max_frame_bytes)
        if frame.type is WSMsgType.BINARY:
            if len(frame.data) > self.settings.max_frame_bytes:
                raise FrameError("too_long", "That frame is too large.")
            raise FrameError("bad_request", "Binary frames are not accepted; send JSON text.")
        raise FrameError("bad_request", "Unexpected frame.")

    async def _turn(self, ws: web.WebSocketResponse, user: User, inbound: Inbound) -> None:
        delivered = 0

        async def deliver(message: Outbound) -> None:
            nonlocal delivered
            delivered += 1
            await self.hub.send(user.id, (message,))

        try:
            out = await self.turns.handle(
                user, inbound.text, message_id=inbound.id, deliver=deliver
            )
        except ChannelError as exc:
            await self.hub.reply(ws, error_message(exc.code, str(exc), inbound.id))
            return
        except StoreError:
            log.exception("a WebSocket turn failed: the store is not answering")
            await self.hub.reply(ws, error_message("unavailable", STORE_DOWN, inbound.id))
            return
        except Exception:
            log.exception("a WebSocket turn failed")
            await self.hub.reply(ws, error_message("internal", INTERNAL, inbound.id))
            return
        for message in out[delivered:]:  # the engine's refusals are returned, not delivered
            await self.hub.reply(ws, message)
