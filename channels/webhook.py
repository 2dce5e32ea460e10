"""`POST /webhook` and `GET /webhook/messages`: the channel for systems that relay users.

Every request is signed (see `channels.signing`); a bad or missing signature, or a timestamp
more than five minutes off, gets 401. The timestamp window is the replay protection: a captured
request cannot be used later, and within the window a repeated POST only gets the first answer
again (idempotency by user and message id, kept for a day). A fetch signs its method, path and
query instead of a body, so a captured fetch cannot be replayed for another user or cursor.

With an empty `channels.webhook.secret` the webhook answers every request with 503
`not_configured` (the rest of the server runs); it never accepts unsigned requests.

Ids and text are checked before anything is stored: an id holding a control character or a
lone surrogate, or text holding a NUL or a lone surrogate, gets 400 `bad_request`.

sync mode: `200 {"messages": [...]}`; messages produced later (after an OAuth callback) wait in
the store (`Waiting`), each with a `seq` rising per user. They come first in the user's next
answer and are then acknowledged (that answer is kept for repeats of its message id), and
`GET /webhook/messages?user_id=...&after=N` returns those with `seq > N` after acknowledging
(deleting) those up to N: a response lost on the way is fetched again.
async mode: `202 {"accepted": true}` once the turn has run and its messages are stored for
delivery; they are POSTed to `callback_url` by `channels.callbacks.CallbackPoster`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from channels.callbacks import CallbackPoster
from channels.responses import json_error
from channels.settings import ChannelSettings
from channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, check_signature, request_payload
from channels.turns import Turns
from channels.wire import to_json
from runtime.config import WebhookChannelConfig
from runtime.engine.messages import Outbound
from runtime.engine.text_input import MALFORMED, malformed
from runtime.engine.turn import User
from runtime.errors import ChannelError
from runtime.store.base import Store

SEEN = "webhook_seen"
WAITING = "webhook_waiting"  # one value per user: {"last": seq, "messages": [...]}
LEGACY_QUEUE = "webhook_pending"  # where versions before `seq` queued them; moved on first read
MAX_ID_CHARS = 256
MAX_AFTER_DIGITS = 18
NOT_CONFIGURED = "The webhook has no secret: set channels.webhook.secret to use it."

# Ids name store records and appear in logs: no control characters, no lone surrogates (which
# cannot be encoded, so no store could keep them). Text may hold control characters, which the
# engine removes, but not a NUL or a lone surrogate (`malformed`, as on every channel).
_BAD_ID_CHAR = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def check_id(name: str, value: object) -> str:
    """`value` if it is a usable id, else ChannelError `bad_request` naming `name`."""
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= MAX_ID_CHARS
        or _BAD_ID_CHAR.search(value) is not None
    ):
        raise ChannelError(
            "bad_request",
            f"`{name}` must be text of 1 to {MAX_ID_CHARS} characters, without control "
            "characters or lone surrogates.",
        )
    return value


def parse_body(body: bytes) -> tuple[str, str, str]:
    """(user_id, message_id, text) of a webhook request, or ChannelError `bad_request`."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ChannelError("bad_request", "The body must be a JSON object.") from None
    if not isinstance(data, dict):
        raise ChannelError("bad_request", "The body must be a JSON object.")
    user_id = check_id("user_id", data.get("user_id"))
    message_id = check_id("message_id", data.get("message_id"))
    text = data.get("text")
    if not isinstance(text, str):
        raise ChannelError("bad_request", "`text` must be a string.")
    if malformed(text):
        raise ChannelError("bad_request", MALFORMED)
    return user_id, message_id, text


def parse_fetch_query(target: str) -> tuple[str, int]:
    """(user_id, after) of `/webhook/messages?user_id=...&after=N` as sent (percent-encoded,
    UTF-8), or ChannelError `bad_request`. `after` is 0 when absent."""
    _, _, query = target.partition("?")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict", max_num_fields=8)
    except ValueError:  # not UTF-8 once decoded, or too many fields
        raise ChannelError("bad_request", "The query must be `user_id=...&after=N`.") from None
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        found.setdefault(name, []).append(value)
    user_ids = found.get("user_id", [])
    if len(user_ids) != 1:
        raise ChannelError("bad_request", "`user_id` is required in the query, once.")
    user_id = check_id("user_id", user_ids[0])
    afters = found.get("after", ["0"])
    after = afters[0]
    if (
        len(afters) != 1
        or not after.isascii()
        or not after.isdigit()
        or len(after) > MAX_AFTER_DIGITS
    ):
        raise ChannelError("bad_request", "`after` must be a `seq` (a whole number), once.")
    return user_id, int(after)


class Waiting:
    """The messages waiting for a sync-mode relay, one value per user in the store:
    `{"last": 7, "messages": [{"seq": 6, ...}, {"seq": 7, ...}]}` (wire messages with their seq).

    Every change is a read-modify-write under `store.lock("webhook_waiting:" + user_id)`, so
    instances sharing a Redis store never give two messages one seq nor lose one's append (and
    Redis fences the write: one made after the lock was lost is refused). `last`, the highest
    seq given, stays when every message is acknowledged, so seqs keep rising for the user.
    Reads take no lock (the value is read whole) unless there is something to move from the
    legacy queue. Nothing here holds the engine's user lock, so a message may be added from
    inside a turn (an OAuth callback resuming a conversation).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, user_id: str, messages: Sequence[dict[str, Any]]) -> None:
        if not messages:
            return
        async with self.store.lock(f"{WAITING}:{user_id}"):
            last, waiting = await self._load(user_id)
            for message in messages:
                last += 1
                waiting.append({"seq": last, **message})
            await self._save(user_id, last, waiting)

    async def read(self, user_id: str) -> tuple[int, list[dict[str, Any]]]:
        """(the last seq given to the user, the messages waiting, by seq)."""
        raw = await self.store.get(WAITING, user_id)
        if raw is not None:
            return _decode(raw)
        queued = await self.store.drain(LEGACY_QUEUE, user_id)
        if not queued:
            return 0, []
        try:
            async with self.store.lock(f"{WAITING}:{user_id}"):
                last, waiting = await self._load(user_id)
                for message in queued:
                    last += 1
                    waiting.append({"seq": last, **json.loads(message)})
                await self._save(user_id, last, waiting)
        except BaseException:
            await self._requeue(user_id, queued)
            raise
        return last, waiting

    async def acknowledge(self, user_id: str, through: int) -> None:
        """Delete the messages with `seq <= through`."""
        async with self.store.lock(f"{WAITING}:{user_id}"):
            last, waiting = await self._load(user_id)
            kept = [message for message in waiting if message["seq"] > through]
            if len(kept) != len(waiting):
                await self._save(user_id, last, kept)

    async def _load(self, user_id: str) -> tuple[int, list[dict[str, Any]]]:
        """Under the user's lock: the value; when it was never written, what an earlier
        version queued for the user (`LEGACY_QUEUE`) is moved into it first."""
        raw = await self.store.get(WAITING, user_id)
        if raw is not None:
            return _decode(raw)
        queued = await self.store.drain(LEGACY_QUEUE, user_id)
        if not queued:
            return 0, []
        waiting = [{"seq": seq, **json.loads(m)} for seq, m in enumerate(queued, start=1)]
        try:
            await self._save(user_id, len(waiting), waiting)
        except BaseException:
            await self._requeue(user_id, queued)
            raise
        return len(waiting), waiting

    async def _save(self, user_id: str, last: int, waiting: list[dict[str, Any]]) -> None:
        await self.store.put(WAITING, user_id, to_json({"last": last, "messages": waiting}))

    async def _requeue(self, user_id: str, queued: list[bytes]) -> None:
        """Drained legacy messages whose move failed go back, so none is lost."""
        for message in queued:
            await self.store.push(LEGACY_QUEUE, user_id, message)


def _decode(raw: bytes) -> tuple[int, list[dict[str, Any]]]:
    data = json.loads(raw)
    return int(data["last"]), list(data["messages"])


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
        self.waiting = Waiting(store)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/webhook", self.receive)
        # No HEAD: a fetch acknowledges, and a HEAD answer would drop what it returns.
        app.router.add_get("/webhook/messages", self.fetch, allow_head=False)

    async def deliver_later(self, user_id: str, messages: Sequence[Outbound]) -> None:
        if self.poster is not None:
            await self.poster.enqueue(user_id, messages)
            return
        await self.waiting.add(user_id, [message.to_wire() for message in messages])

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
                status, payload, delivered = await self._turn(
                    User(user_id, self.name), message_id, text
                )
            except ChannelError as exc:
                return json_error(503, exc.code, str(exc))
            answer = to_json([status, payload])
            await self.store.put(SEEN, key, answer, ttl=self.settings.idempotency_ttl)
            # The waiting messages of this answer are delivered: a repeat of this message id
            # gets them again from the answer kept above, so they no longer wait.
            if delivered:
                await self.waiting.acknowledge(user_id, delivered)
        return web.json_response(payload, status=status)

    async def fetch(self, request: web.Request) -> web.Response:
        """`GET /webhook/messages?user_id=...&after=N`: what waits for the user (sync mode)
        with `seq > N`, after acknowledging what has `seq <= N`. Signed over
        `GET /webhook/messages?...` as sent."""
        if not self.config.secret:
            return json_error(503, "not_configured", NOT_CONFIGURED)
        try:
            self._authenticate(request, request_payload(request.method, request.raw_path))
        except ChannelError as exc:
            return json_error(401, "unauthorized", str(exc))
        try:
            user_id, after = parse_fetch_query(request.raw_path)
        except ChannelError as exc:
            return json_error(400, exc.code, str(exc))
        last, waiting = await self.waiting.read(user_id)
        if after > last:
            # Acknowledging seqs not given yet would delete messages before anyone saw them.
            return json_error(
                400, "bad_request", f"`after` is past the last seq given to this user ({last})."
            )
        if waiting and waiting[0]["seq"] <= after:
            await self.waiting.acknowledge(user_id, after)
        return web.json_response({"messages": [m for m in waiting if m["seq"] > after]})

    def _authenticate(self, request: web.Request, payload: bytes) -> None:
        check_signature(
            self.config.secret,
            request.headers.get(TIMESTAMP_HEADER),
            request.headers.get(SIGNATURE_HEADER),
            payload,
            window=self.settings.webhook_window,
        )

    async def _turn(
        self, user: User, message_id: str, text: str
    ) -> tuple[int, dict[str, Any], int]:
        """(status, payload, the highest seq of the waiting messages it holds, or 0)."""
        if self.poster is not None:
            return await self._turn_async(self.poster, user, message_id, text)
        out = await self.turns.handle(user, text, message_id=message_id, deliver=None, once=True)
        # Read after the turn: what a restart's recovery delivered while this message waited
        # for the user's lock is in it, and comes first, as it was said first.
        _, earlier = await self.waiting.read(user.id)
        messages = earlier + [m.to_wire() for m in out]
        return 200, {"messages": messages}, earlier[-1]["seq"] if earlier else 0

    async def _turn_async(
        self, poster: CallbackPoster, user: User, message_id: str, text: str
    ) -> tuple[int, dict[str, Any], int]:
        delivered = 0

        async def deliver(message: Outbound) -> None:
            nonlocal delivered
            delivered += 1
            await poster.enqueue(user.id, (message,))

        out = await self.turns.handle(user, text, message_id=message_id, deliver=deliver, once=True)
        await poster.enqueue(user.id, out[delivered:])
        return 202, {"accepted": True}, 0
