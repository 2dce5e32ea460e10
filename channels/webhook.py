"""`POST /webhook` and `GET /webhook/messages`: the channel for systems that relay users.

Every request is signed (see `channels.signing`); a bad or missing signature, or a timestamp
more than five minutes off, gets 401. The timestamp window is the replay protection: a captured
request cannot be used later, and within the window a repeated POST only gets the first answer
again (idempotency by user and message id, kept for a day).

With an empty `channels.webhook.secret` the webhook answers every request with 503
`not_configured` (the rest of the server runs); it never accepts unsigned requests.

sync mode: `200 {"messages": [...]}`; messages produced later (after an OAuth callback) wait in
the store and come first in the user's next answer, or from `GET /webhook/messages?user_id=`.
async mode: `202 {"accepted": true}` once the turn has run and its messages are stored for
delivery; they are POSTed to `callback_url` by `channels.callbacks.CallbackPoster`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from channels.callbacks import CallbackPoster
from channels.responses import json_error
from channels.settings import ChannelSettings
from channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, check_signature
from channels.turns import Turns
from channels.wire import encode, to_json
from runtime.config import WebhookChannelConfig
from runtime.engine.messages import Outbound
from runtime.engine.turn import User
from runtime.errors import ChannelError
from runtime.store.base import Store

SEEN = "webhook_seen"
WAITING = "webhook_pending"
MAX_ID_CHARS = 256
NOT_CONFIGURED = "The webhook has no secret: set channels.webhook.secret to use it."


def parse_body(body: bytes) -> tuple[str, str, str]:
    """(user_id, message_id, text) of a webhook request, or ChannelError `bad_request`."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ChannelError("bad_request", "The body must be a JSON object.") from None
    if not isinstance(data, dict):
        raise ChannelError("bad_request", "The body must be a JSON object.")
    for name in ("user_id", "message_id"):
        value = data.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_CHARS:
            raise ChannelError(
                "bad_request", f"`{name}` must be text of 1 to {MAX_ID_CHARS} characters."
            )
    if not isinstance(data.get("text"), str):
        raise ChannelError("bad_request", "`text` must be a string.")
    return data["user_id"], data["message_id"], data["text"]


class WebhookChannel:
    name = "webhook"

    def __init__(
        self,
        *,
        config: WebhookChannelConfig,
        store: Store,
        turns: Turns,
        settings: ChannelSettings,
        poster: CallbackPoster | None,
    ) -> None:
        self.config = config
        self.store = store
        self.turns = turns
        self.settings = settings
        self.poster = poster

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/webhook", self.receive)
        app.router.add_get("/webhook/messages", self.fetch)

    async def deliver_later(self, user_id: str, messages: Sequence[Outbound]) -> None:
        if self.poster is not None:
            await self.poster.enqueue(user_id, messages)
            return
        for message in messages:
            await self.store.push(WAITING, user_id, encode(message))

    async def receive(self, request: web.Request) -> web.Response:
        if not self.config.secret:
            return json_error(503, "not_configured", NOT_CONFIGURED)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            limit = self.settings.webhook_max_body
            return json_error(413, "too_long", f"A request body may hold at most {limit:,} bytes.")
        try:
            self._authenticate(request, body)
        except ChannelError as exc:
            return json_error(401, "unauthorized", str(exc))
        try:
            user_id, message_id, text = parse_body(body)
        except ChannelError as exc:
            return json_error(400, exc.code, str(exc))
        key = f"{len(user_id)}:{user_id}:{message_id}"
        async with self.store.lock(f"{SEEN}:{key}"):
            first = await self.store.get(SEEN, key)
            if first is not None:
                status, payload = json.loads(first)
                return web.json_response(payload, status=status)
            try:
                status, payload = await self._turn(User(user_id, self.name), message_id, text)
            except ChannelError as exc:
                return json_error(503, exc.code, str(exc))
            answer = to_json([status, payload])
            await self.store.put(SEEN, key, answer, ttl=self.settings.idempotency_ttl)
        return web.json_response(payload, status=status)

    async def fetch(self, request: web.Request) -> web.Response:
        """`GET /webhook/messages?user_id=`: what waits for the user (sync mode), signed over
        an empty body."""
        if not self.config.secret:
            return json_error(503, "not_configured", NOT_CONFIGURED)
        try:
            self._authenticate(request, b"")
        except ChannelError as exc:
            return json_error(401, "unauthorized", str(exc))
        user_id = request.query.get("user_id", "")
        if not 0 < len(user_id) <= MAX_ID_CHARS:
            return json_error(400, "bad_request", "`user_id` is required in the query.")
        waiting = await self.store.drain(WAITING, user_id)
        return web.json_response({"messages": [json.loads(raw) for raw in waiting]})

    def _authenticate(self, request: web.Request, body: bytes) -> None:
        check_signature(
            self.config.secret,
            request.headers.get(TIMESTAMP_HEADER),
            request.headers.get(SIGNATURE_HEADER),
            body,
            window=self.settings.webhook_window,
        )

    async def _turn(self, user: User, message_id: str, text: str) -> tuple[int, dict[str, Any]]:
        if self.poster is not None:
            return await self._turn_async(self.poster, user, message_id, text)
        earlier = await self.store.drain(WAITING, user.id)
        try:
            out = await self.turns.handle(user, text, message_id=message_id, deliver=None)
        except BaseException:
            for raw in earlier:
                await self.store.push(WAITING, user.id, raw)
            raise
        messages = [json.loads(raw) for raw in earlier] + [m.to_wire() for m in out]
        return 200, {"messages": messages}

    async def _turn_async(
        self, poster: CallbackPoster, user: User, message_id: str, text: str
    ) -> tuple[int, dict[str, Any]]:
        delivered = 0

        async def deliver(message: Outbound) -> None:
            nonlocal delivered
            delivered += 1
            await poster.enqueue(user.id, (message,))

        out = await self.turns.handle(user, text, message_id=message_id, deliver=deliver)
        await poster.enqueue(user.id, out[delivered:])
        return 202, {"accepted": True}
