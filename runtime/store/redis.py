"""The shared store: Redis, so that several bot instances serve the same users.

Keys: ``parley:{ns}:{key}`` for values (expiring with PX), ``parley.queue:{ns}:{key}`` for
queues (lists) and ``parley.lock:{key}`` for locks; the prefix is configurable.

Fencing: a holder paused (GC, SIGSTOP, partition) past the lock's timeout loses the lock, and
another instance may take the user over meanwhile. So `put`, `take` and `delete` made while the
task holds locks of this store go through one Lua script that writes only if every held lock
still holds this holder's token, and raise `LockLost` otherwise: a stale holder cannot overwrite
what the new one wrote. Queue appends and drains (message delivery) are not fenced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock
from redis.commands.core import AsyncScript
from redis.exceptions import LockError, RedisError

from runtime.errors import LockLost, StoreError
from runtime.store import KeyLocks, check_namespace, check_value

log = logging.getLogger(__name__)

SCAN_BATCH = 500
# Seconds a user's lock outlives an instance that died holding it: the wait before another
# instance answers that user. Renewed every third of it while held, so a live holder keeps it.
LOCK_TIMEOUT = 3.0

# A write under locks. KEYS: the n held locks, then the record. ARGV: n, the n tokens, the
# operation, its arguments. Returns {0, i} when lock i is no longer ours (nothing is written:
# it expired, and may be someone else's now), else {1, the operation's result}.
FENCED_WRITE = """
local n = tonumber(ARGV[1])
for i = 1, n do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then
    return {0, i}
  end
end
local key, op = KEYS[n + 1], ARGV[n + 2]
if op == 'set' and ARGV[n + 4] then
  redis.call('SET', key, ARGV[n + 3], 'PX', ARGV[n + 4])
elseif op == 'set' then
  redis.call('SET', key, ARGV[n + 3])
elseif op == 'del' then
  redis.call('DEL', key)
elseif op == 'getdel' then
  return {1, redis.call('GETDEL', key)}
else
  return redis.error_reply('unknown fenced operation ' .. op)
end
return {1, false}
"""


@dataclass(eq=False, slots=True)
class _Held:
    """A lock this task holds: its Redis key and the token that proves it is still ours."""

    store: RedisStore
    key: str
    name: str
    token: bytes
    released: bool = False


# The locks held by the current task (inherited by tasks it starts, which is why a released
# lock is marked so: a task outliving the lock writes unfenced, as it would have before).
_HELD: ContextVar[tuple[_Held, ...]] = ContextVar("parley_redis_held_locks", default=())


class RedisStore:
    """The Store protocol on Redis (6.2 or later, for GETDEL).

    `lock` is a Redis lock, so two instances process one user's messages one at a time; it
    expires after `lock_timeout` seconds if its holder dies, and is renewed while held.
    Within one process, waiters for a key queue first come, first served before reaching Redis.
    `put`, `take` and `delete` inside `lock` are fenced: refused with `LockLost` once a held lock
    has expired (one round trip still, a script instead of the command).
    """

    def __init__(
        self, url: str, *, prefix: str = "parley", lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.lock_timeout = lock_timeout
        self._redis: aioredis.Redis | None = None
        self._locks = KeyLocks()
        self._fenced_write: AsyncScript | None = None

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
            fenced_write = client.register_script(FENCED_WRITE)
            await client.script_load(FENCED_WRITE)  # so that the first fenced write is one trip
        except RedisError as exc:
            await client.aclose()
            raise StoreError(f"cannot reach Redis at {where}: {exc}") from exc
        self._redis = client
        self._fenced_write = fenced_write

    async def close(self) -> None:
        if self._redis is not None:
            client, self._redis = self._redis, None
            await client.aclose()

    async def get(self, ns: str, key: str) -> bytes | None:
        with self._errors():
            return cast(bytes | None, await self._client.get(self._value_key(ns, key)))

    async def put(self, ns: str, key: str, value: bytes, ttl: float | None = None) -> None:
        check_value(value)
        name = self._value_key(ns, key)
        if ttl is not None and ttl <= 0:
            await self.delete(ns, key)
            return
        px = None if ttl is None else max(1, math.ceil(ttl * 1000))
        if held := self._held():
            await self._fenced(held, name, "set", value, *([] if px is None else [px]))
            return
        with self._errors():
            await self._client.set(name, value, px=px)

    async def put_many(
        self, entries: Sequence[tuple[str, str, bytes]], ttl: float | None = None
    ) -> None:
        """The puts in one pipeline: one round trip (each fenced, under a lock)."""
        for _, _, value in entries:
            check_value(value)
        names = [(self._value_key(ns, key), value) for ns, key, value in entries]
        if ttl is not None and ttl <= 0:
            for ns, key, _ in entries:
                await self.delete(ns, key)
            return
        px = None if ttl is None else max(1, math.ceil(ttl * 1000))
        held = self._held()
        client = self._client
        with self._errors():
            async with client.pipeline(transaction=False) as pipe:
                for name, value in names:
                    if held:
                        script = self._fenced_write or client.register_script(FENCED_WRITE)
                        keys = [h.name for h in held] + [name]
                        argv: list[Any] = [len(held), *(h.token for h in held), "set", value]
                        if px is not None:
                            argv.append(px)
                        await script(keys=keys, args=argv, client=pipe)
                    else:
                        pipe.set(name, value, px=px)
                answers = await pipe.execute()
        if held:
            for done, result in answers:
                if not done:
                    raise LockLost(held[int(result) - 1].key)

    async def take(self, ns: str, key: str) -> bytes | None:
        name = self._value_key(ns, key)
        if held := self._held():
            return await self._fenced(held, name, "getdel")
        with self._errors():
            return cast(bytes | None, await self._client.getdel(name))

    async def delete(self, ns: str, key: str) -> None:
        name = self._value_key(ns, key)
        if held := self._held():
            await self._fenced(held, name, "del")
            return
        with self._errors():
            await self._client.delete(name)

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
            (name.decode()[start:], cast(bytes, value))
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
            held = _Held(self, key, str(lock.name), cast(bytes, lock.local.token))
            _HELD.set((*_HELD.get(), held))
            renewer = asyncio.create_task(self._renew(lock, key))
            try:
                yield
            finally:
                held.released = True
                _HELD.set(tuple(h for h in _HELD.get() if h is not held))
                renewer.cancel()
                await asyncio.wait([renewer])
                await self._release(lock, key)

    def _held(self) -> list[_Held]:
        """This store's locks held by the current task, outermost first."""
        return [h for h in _HELD.get() if h.store is self and not h.released]

    async def _fenced(self, held: list[_Held], name: str, op: str, *args: Any) -> Any:
        """`op` on the record `name`, only if every lock in `held` is still ours: LockLost if
        one is not (nothing written). One round trip, as the plain command."""
        client = self._client
        script = self._fenced_write or client.register_script(FENCED_WRITE)
        keys = [h.name for h in held] + [name]
        argv = [len(held), *(h.token for h in held), op, *args]
        with self._errors():
            done, result = await script(keys=keys, args=argv, client=client)
        if not done:
            raise LockLost(held[int(result) - 1].key)
        return result

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
