"""Async webhook mode: every message POSTed to `channels.webhook.callback_url`, signed.

Each message is first written to the store (namespace `webhook_callback`), then sent; it is
deleted only once the receiver answered 2xx. A user's messages go out in order, batched when
several are waiting, one request at a time per user; a failed attempt (a transport error or any
non-2xx status) is retried after a delay that doubles up to a ceiling, for as long as the server
lives. On start, what an earlier run left undelivered is sent again.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

import httpx2

from channels.signing import signed_headers
from channels.wire import to_json
from runtime.engine.messages import Outbound
from runtime.errors import StoreError
from runtime.store.base import Store

log = logging.getLogger("parley.channels")

PENDING = "webhook_callback"


class CallbackPoster:
    def __init__(
        self,
        store: Store,
        *,
        url: str,
        secret: str,
        timeout: float,
        first_delay: float,
        max_delay: float,
    ) -> None:
        self.store = store
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._queues: dict[str, deque[tuple[str, dict[str, Any]]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._sequence = itertools.count()
        self._http: httpx2.AsyncClient | None = None

    def __len__(self) -> int:
        """Messages not yet delivered."""
        return sum(len(q) for q in self._queues.values())

    async def start(self) -> int:
        """Open the HTTP client and queue again what an earlier run left undelivered; returns
        how many messages that is."""
        self._http = httpx2.AsyncClient(timeout=self.timeout)
        found = [(key, raw) async for key, raw in self.store.scan(PENDING)]
        for key, raw in sorted(found):
            record = json.loads(raw)
            self._queue(record["user_id"], key, record["message"])
        return len(found)

    async def enqueue(self, user_id: str, messages: Sequence[Outbound]) -> None:
        """Store, then send in the background."""
        for message in messages:
            wire = message.to_wire()
            key = f"{time.time_ns():020d}.{next(self._sequence):08d}"
            record = {"user_id": user_id, "message": wire}
            await self.store.put(PENDING, key, to_json(record))
            self._queue(user_id, key, wire)

    async def close(self) -> None:
        """Stop sending; what is undelivered stays stored for the next start."""
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._workers.clear()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _queue(self, user_id: str, key: str, wire: dict[str, Any]) -> None:
        self._queues.setdefault(user_id, deque()).append((key, wire))
        if user_id not in self._workers and self._http is not None:
            self._workers[user_id] = asyncio.create_task(self._work(user_id))

    async def _work(self, user_id: str) -> None:
        queue = self._queues[user_id]
        delay = self.first_delay
        try:
            while queue:
                batch = list(queue)
                if await self._post(user_id, [wire for _, wire in batch]):
                    for _ in batch:
                        queue.popleft()
                    await self._forget([key for key, _ in batch])
                    delay = self.first_delay
                else:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_delay)
        finally:
            self._workers.pop(user_id, None)
            if not queue:
                self._queues.pop(user_id, None)

    async def _forget(self, keys: list[str]) -> None:
        try:
            for key in keys:
                await self.store.delete(PENDING, key)
        except StoreError:
            log.exception("delivered webhook callbacks could not be forgotten: a restart resends")

    async def _post(self, user_id: str, messages: list[dict[str, Any]]) -> bool:
        body = to_json({"user_id": user_id, "messages": messages})
        headers = {"Content-Type": "application/json", **signed_headers(self.secret, body)}
        assert self._http is not None, "CallbackPoster.start() opens the client"
        try:
            response = await self._http.post(self.url, content=body, headers=headers)
        except httpx2.HTTPError as exc:
            log.warning("webhook callback to %s failed: %s", self.url, type(exc).__name__)
            return False
        if response.is_success:
            return True
        log.warning("webhook callback to %s answered %d", self.url, response.status_code)
        return False
