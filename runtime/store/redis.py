"""The shared store: Redis, so that several bot instances serve the same users.

Keys: ``parley:{ns}:{key}`` for values (expiring with PX), ``parley.queue:{ns}:{key}`` for
queues (lists) and ``parley.lock:{key}`` for locks; the prefix is configurable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from runtime.errors import StoreError
from runtime.store import KeyLocks, check_namespace, check_value

log = logging.getLogger(__name__)

SCAN_BATCH = 500
# Seconds a user's lock outlives an instance that died holding it: the wait before another
# instance answers that user. Renewed every third of it while held, so a live holder keeps it.
LOCK_TIMEOUT = 5.0


class RedisStore:
    """The Store protocol on Redis (6.2 or later, for GETDEL).

    `lock` is a Redis lock, so two instances process one user's messages one at a time; it
    expires after `lock_timeout` seconds if its holder dies, and is renewed while held.
    Within one process, waiters for a key queue first come, first served before reaching Redis.
    """

    def __init__(
        self, url: str, *, prefix: str = "parley", lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.lock_timeout = lock_timeout
        self._redis: aioredis.Redis | None = None
        self._locks = KeyLocks()

    async def open(self) -> None:
        if self._redis is not None:
            return
        where = _redacted(self.url)
        try:
            client = aioredis.from_url(self.url)
        except ValueError as exc:
            raise StoreError(f"bad Redis URL {where}: {exc}") from exc
        try:
            await client.ping()
        except RedisError as exc:
            await client.aclose()
            raise StoreError(f"cannot reach Redis at {where}: {exc}") from exc
        self._redis = client

    async def close(self) -> None:
        if self._redis is not None:
            client, self._redis = self._redis, None
            await client.aclose()

    async def get(self, ns: str, key: str) -> bytes | None:
        with self._errors():
            return await self._client.get(self._value_key(ns, key))

    async def put(self, ns: str, key: str, value: bytes, ttl: float | None = None) -> None:
        check_value(value)
        name = self._value_key(ns, key)
        with self._errors():
            if ttl is None:
                await self._client.set(name, value)
            elif ttl <= 0:
                await self._client.delete(name)
            else:
                await self._client.set(name, value, px=max(1, math.ceil(ttl * 1000)))

    async def take(self, ns: str, key: str) -> bytes | None:
        with self._errors():
            return await self._client.getdel(self._value_key(ns, key))

    async def delete(self, ns: str, key: str) -> None:
        with self._errors():
            await self._client.delete(self._value_key(ns, key))

    async def push(self, ns: str, key: str, value: bytes) -> None:
        check_value(value)
        with self._errors():
            await self._client.rpush(self._queue_key(ns, key), value)

    async def drain(self, ns: str, key: str) -> list[bytes]:
        name = self._queue_key(ns, key)
        with self._errors():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.lrange(name, 0, -1)
                pipe.delete(name)
                values, _ = await pipe.execute()
        return list(values)

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """Mutual exclusion across every process on this Redis."""
        return self._hold(key)

    async def scan(self, ns: str) -> AsyncIterator[tuple[str, bytes]]:
        start = len(self._value_key(ns, ""))
        pattern = f"{_glob_escape(self.prefix)}:{_glob_escape(ns)}:*"
        seen: set[bytes] = set()  # SCAN may return a key more than once
        batch: list[bytes] = []
        with self._errors():
            async for name in self._client.scan_iter(match=pattern, count=SCAN_BATCH):
                if name not in seen:
                    seen.add(name)
                    batch.append(name)
                if len(batch) >= SCAN_BATCH:
                    for found in await self._values(batch, start):
                        yield found
                    batch = []
            for found in await self._values(batch, start):
                yield found

    async def _values(self, names: list[bytes], start: int) -> list[tuple[str, bytes]]:
        if not names:
            return []
        values = await self._client.mget(names)
        return [
            (name.decode()[start:], value)
            for name, value in zip(names, values, strict=True)
            if value is not None
        ]

    @asynccontextmanager
    async def _hold(self, key: str) -> AsyncIterator[None]:
        async with self._locks.hold(key):
            lock = self._client.lock(
                f"{self.prefix}.lock:{key}",
                timeout=self.lock_timeout,
                sleep=0.02,
                blocking=True,
                thread_local=False,
            )
            with self._errors():
                await lock.acquire()
            renewer = asyncio.create_task(self._renew(lock, key))
            try:
                yield
            finally:
                renewer.cancel()
                await asyncio.wait([renewer])
                await self._release(lock, key)

    async def _renew(self, lock: Lock, key: str) -> None:
        while True:
            await asyncio.sleep(self.lock_timeout / 3)
            try:
                await lock.reacquire()
            except (LockError, RedisError) as exc:
                log.warning("the Redis lock for %r could not be renewed: %s", key, exc)
                return

    async def _release(self, lock: Lock, key: str) -> None:
        try:
            await lock.release()
        except LockError:
            log.warning("the Redis lock for %r expired while held; another may have run", key)
        except RedisError as exc:
            log.warning("the Redis lock for %r could not be released: %s", key, exc)

    async def publish(self, topic: str, message: bytes) -> None:
        with self._errors():
            await self._client.publish(self._topic(topic), bytes(message))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[bytes]]:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        with self._errors():
            await pubsub.subscribe(self._topic(topic))

        async def messages() -> AsyncIterator[bytes]:
            while True:
                with self._errors():
                    message = await pubsub.get_message(timeout=None)
                if message is not None and message["type"] == "message":
                    yield message["data"]

        try:
            yield messages()
        finally:
            with contextlib.suppress(RedisError, ConnectionError):
                await pubsub.unsubscribe()
            await pubsub.aclose()

    def _topic(self, topic: str) -> str:
        return f"{self.prefix}.topic:{topic}"

    @property
    def _client(self) -> aioredis.Redis:
        if self._redis is None:
            raise StoreError(f"the Redis store {_redacted(self.url)} is not open: call open()")
        return self._redis

    def _value_key(self, ns: str, key: str) -> str:
        check_namespace(ns)
        return f"{self.prefix}:{ns}:{key}"

    def _queue_key(self, ns: str, key: str) -> str:
        check_namespace(ns)
        return f"{self.prefix}.queue:{ns}:{key}"

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except RedisError as exc:
            raise StoreError(f"Redis store {_redacted(self.url)}: {exc}") from exc


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\^" else c for c in text)


def _redacted(url: str) -> str:
    """The URL without its password, fit for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
