"""The shared store: Redis, so that several bot instances serve the same users.

Keys: ``parley:{ns}:{key}`` for values (expiring with PX), ``parley.queue:{ns}:{key}`` for
queues (lists) and ``parley.lock:{key}`` for locks; the prefix is configurable.

Fencing: a holder paused (GC, SIGSTOP, partition) past the lock's timeout loses the lock, and
another instance may take the user over meanwhile. So `put`, `take` and `delete` made while the
task holds locks of this store go through one Lua script that writes only if every held lock
still holds this holder's token, and raise `LockLost` otherwise: a stale holder cannot overwrite
what the new one wrote. Queue appends and drains (message delivery) are not fenced.

Round trips: a turn is two. `lock(key, read=...)` takes the lock and reads the records it names
in one Lua script; `put_many(..., release=True)` writes the turn's records, fenced, and releases
the lock in another. The lock is renewed by a timer that starts a task only for a hold that
lasts a third of the timeout (most turns end long before).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from runtime.errors import LockLost, StoreError
from runtime.store import KeyLocks, check_namespace, check_value

log = logging.getLogger(__name__)

SCAN_BATCH = 500
# Seconds Redis has to answer one command (connecting included) before the call fails with a
# StoreError: a hung Redis must not hang a turn. Kept by asyncio.timeout around each round trip
# rather than redis-py's socket_timeout, whose asyncio.wait_for starts a task per command.
COMMAND_TIMEOUT = 5.0
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

# Take a lock and read records. KEYS: the lock, then the records. ARGV: the token, the lock's
# timeout in ms. Returns nil when the lock is someone else's, else {1, value or nil, ...}.
LOCK_AND_READ = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return false
end
local found = {1}
for i = 2, #KEYS do
  found[i] = redis.call('GET', KEYS[i])
end
return found
"""

# Puts under locks, and the innermost lock's release with them. KEYS: the n held locks, then
# the records. ARGV: n, the n tokens, the expiry in ms ('' for none), '1' to release the
# innermost lock, then one value per record. Returns i when lock i is no longer ours (nothing is
# written), else 0.
FENCED_PUTS = """
local n = tonumber(ARGV[1])
for i = 1, n do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then
    return i
  end
end
local px, release = ARGV[n + 2], ARGV[n + 3]
for j = n + 1, #KEYS do
  local value = ARGV[j + 3]
  if px == '' then
    redis.call('SET', KEYS[j], value)
  else
    redis.call('SET', KEYS[j], value, 'PX', px)
  end
end
if release == '1' then
  redis.call('DEL', KEYS[n])
end
return 0
"""

# KEYS: the lock. ARGV: the token, and for a renewal the timeout in ms. 1 when done, else 0.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
SCRIPTS = {
    "fenced_write": FENCED_WRITE,
    "lock_and_read": LOCK_AND_READ,
    "fenced_puts": FENCED_PUTS,
    "renew": RENEW,
    "release": RELEASE,
}
# Seconds between two tries for a lock another process holds.
RETRY = 0.02


@dataclass(eq=False, slots=True)
class _Held:
    """A lock this task holds: its Redis key and the token that proves it is still ours."""

    store: RedisStore
    key: str
    name: str
    token: bytes
    released: bool = False  # the block is over (a task outliving it writes unfenced)
    freed: bool = False  # the lock was released in Redis with the block's last writes


# The locks held by the current task (inherited by tasks it starts, which is why a released
# lock is marked so: a task outliving the lock writes unfenced, as it would have before).
_HELD: ContextVar[tuple[_Held, ...]] = ContextVar("parley_redis_held_locks", default=())


class RedisStore:
    """The Store protocol on Redis (6.2 or later, for GETDEL).

    `lock` is a Redis lock, so two instances process one user's messages one at a time; it
    expires after `lock_timeout` seconds if its holder dies, and is renewed while held.
    Within one process, waiters for a key queue first come, first served before reaching Redis.
    `put`, `put_many`, `take` and `delete` inside `lock` are fenced: refused with `LockLost` once
    a held lock has expired (one round trip still, a script instead of the command).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "parley",
        lock_timeout: float = LOCK_TIMEOUT,
        command_timeout: float = COMMAND_TIMEOUT,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.lock_timeout = lock_timeout
        self.command_timeout = command_timeout
        self._redis: aioredis.Redis | None = None
        self._locks = KeyLocks()
        self._scripts: dict[str, AsyncScript] = {}

    async def open(self) -> None:
        if self._redis is not None:
            return
        where = _redacted(self.url)
        try:
            client = aioredis.from_url(  # options in the URL's query string win
                self.url, socket_timeout=None, socket_connect_timeout=self.command_timeout
            )
        except ValueError as exc:
            raise StoreError(f"bad Redis URL {where}: {exc}") from exc
        try:
            async with asyncio.timeout(self.command_timeout):
                await client.ping()
                scripts = {name: client.register_script(text) for name, text in SCRIPTS.items()}
                for text in SCRIPTS.values():  # so that each script's first use is one trip
                    await client.script_load(text)
        except (RedisError, TimeoutError) as exc:
            await client.aclose()
            why = f"no answer within {self.command_timeout:g} s" if not str(exc) else exc
            raise StoreError(f"cannot reach Redis at {where}: {why}") from exc
        self._redis = client
        self._scripts = scripts

    async def close(self) -> None:
        if self._redis is not None:
            client, self._redis = self._redis, None
            await client.aclose()

    async def get(self, ns: str, key: str) -> bytes | None:
        async with self._trip():
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
        async with self._trip():
            await self._client.set(name, value, px=px)

    async def put_many(
        self,
        entries: Sequence[tuple[str, str, bytes]],
        ttl: float | None = None,
        *,
        release: bool = False,
    ) -> None:
        """The puts in one round trip: one fenced script under locks (which also releases the
        innermost lock when `release`), else a pipeline."""
        for _, _, value in entries:
            check_value(value)
        names = [self._value_key(ns, key) for ns, key, _ in entries]
        if ttl is not None and ttl <= 0:
            for ns, key, _ in entries:
                await self.delete(ns, key)
            return
        px = None if ttl is None else max(1, math.ceil(ttl * 1000))
        if held := self._held():
            keys = [h.name for h in held] + names
            args: list[Any] = [len(held), *(h.token for h in held), "" if px is None else px]
            args += ["1" if release else "0", *(value for _, _, value in entries)]
            async with self._trip():
                lost = await self._script("fenced_puts")(keys=keys, args=args)
            if lost:
                raise LockLost(held[int(lost) - 1].key)
            if release:
                held[-1].freed = True
            return
        async with self._trip(), self._client.pipeline(transaction=False) as pipe:
            for name, (_, _, value) in zip(names, entries, strict=True):
                pipe.set(name, value, px=px)
            await pipe.execute()

    async def take(self, ns: str, key: str) -> bytes | None:
        name = self._value_key(ns, key)
        if held := self._held():
            return await self._fenced(held, name, "getdel")
        async with self._trip():
            return cast(bytes | None, await self._client.getdel(name))

    async def delete(self, ns: str, key: str) -> None:
        name = self._value_key(ns, key)
        if held := self._held():
            await self._fenced(held, name, "del")
            return
        async with self._trip():
            await self._client.delete(name)

    async def push(self, ns: str, key: str, value: bytes) -> None:
        check_value(value)
        async with self._trip():
            await self._client.rpush(self._queue_key(ns, key), value)

    async def drain(self, ns: str, key: str) -> list[bytes]:
        name = self._queue_key(ns, key)
        async with self._trip(), self._client.pipeline(transaction=True) as pipe:
            pipe.lrange(name, 0, -1)
            pipe.delete(name)
            values, _ = await pipe.execute()
        return list(values)

    def lock(
        self, key: str, *, read: Sequence[tuple[str, str]] = ()
    ) -> AbstractAsyncContextManager[list[bytes | None]]:
        """Mutual exclusion across every process on this Redis; the records `read` are read in
        the round trip that takes the lock."""
        return self._hold(key, read)

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
    async def _hold(
        self, key: str, read: Sequence[tuple[str, str]]
    ) -> AsyncIterator[list[bytes | None]]:
        async with self._locks.hold(key):
            name = f"{self.prefix}.lock:{key}"
            held = _Held(self, key, name, secrets.token_hex(16).encode())
            values = await self._acquire(held, [self._value_key(ns, k) for ns, k in read])
            _HELD.set((*_HELD.get(), held))
            renewal = _Renewal(self, held)
            try:
                yield values
            finally:
                held.released = True
                _HELD.set(tuple(h for h in _HELD.get() if h is not held))
                await renewal.stop()
                if not held.freed:
                    await self._release(held)

    async def _acquire(self, held: _Held, names: list[str]) -> list[bytes | None]:
        """Take the lock (waiting while another process holds it) and read `names` with it."""
        script = self._script("lock_and_read")
        keys = [held.name, *names]
        args: list[bytes | int] = [held.token, self._timeout_ms]
        while True:
            async with self._trip():
                found = await script(keys=keys, args=args)
            if found is not None:  # [1, then each value: a missing record is nil]
                return [cast(bytes | None, value) for value in found[1:]]
            await asyncio.sleep(RETRY)

    @property
    def _timeout_ms(self) -> int:
        return max(1, math.ceil(self.lock_timeout * 1000))

    def _script(self, name: str) -> AsyncScript:
        if not self._scripts:
            raise StoreError(f"the Redis store {_redacted(self.url)} is not open: call open()")
        return self._scripts[name]

    def _held(self) -> list[_Held]:
        """This store's locks held by the current task, outermost first."""
        return [h for h in _HELD.get() if h.store is self and not h.released]

    async def _fenced(self, held: list[_Held], name: str, op: str, *args: Any) -> Any:
        """`op` on the record `name`, only if every lock in `held` is still ours: LockLost if
        one is not (nothing written). One round trip, as the plain command."""
        keys = [h.name for h in held] + [name]
        argv = [len(held), *(h.token for h in held), op, *args]
        async with self._trip():
            done, result = await self._script("fenced_write")(keys=keys, args=argv)
        if not done:
            raise LockLost(held[int(result) - 1].key)
        return result

    async def _renew(self, held: _Held) -> bool:
        """Extend the lock's life; False (and a warning) when it is no longer ours."""
        try:
            async with self._trip():
                renewed = await self._script("renew")(
                    keys=[held.name], args=[held.token, self._timeout_ms]
                )
        except StoreError as exc:
            log.warning("the Redis lock for %r could not be renewed: %s", held.key, exc)
            return False
        if not renewed:
            log.warning("the Redis lock for %r expired while held; another may run", held.key)
        return bool(renewed)

    async def _release(self, held: _Held) -> None:
        try:
            async with self._trip():
                released = await self._script("release")(keys=[held.name], args=[held.token])
        except StoreError as exc:
            log.warning("the Redis lock for %r could not be released: %s", held.key, exc)
            return
        if not released:
            log.warning("the Redis lock for %r expired while held; another may have run", held.key)

    async def publish(self, topic: str, message: bytes) -> None:
        async with self._trip():
            await self._client.publish(self._topic(topic), bytes(message))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[bytes]]:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        async with self._trip():
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

    def _trip(self) -> _Trip:
        """`async with self._trip():` around one round trip: its errors are StoreErrors, and
        so is Redis not answering within `command_timeout`."""
        return _Trip(self)


class _Trip:
    """One round trip's guard (a plain class: it runs twice a turn): a deadline, and Redis's
    errors as StoreErrors. redis-py drops a connection whose command was cut short."""

    __slots__ = ("_deadline", "_store")

    def __init__(self, store: RedisStore) -> None:
        self._store = store
        self._deadline = asyncio.timeout(store.command_timeout)

    async def __aenter__(self) -> None:
        await self._deadline.__aenter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        where = _redacted(self._store.url)
        try:
            await self._deadline.__aexit__(kind, exc, tb)  # type: ignore[arg-type]
        except TimeoutError:
            seconds = self._store.command_timeout
            raise StoreError(f"Redis store {where}: no answer within {seconds:g} s") from None
        if isinstance(exc, RedisError):
            raise StoreError(f"Redis store {where}: {exc}") from exc


class _Renewal:
    """Renews a held lock every third of its timeout: a timer, which starts a task only when
    it fires, so that a hold shorter than that (most turns) costs no task."""

    __slots__ = ("_handle", "_held", "_store", "_task")

    def __init__(self, store: RedisStore, held: _Held) -> None:
        self._store = store
        self._held = held
        self._task: asyncio.Task[None] | None = None
        self._handle = asyncio.get_running_loop().call_later(self._every, self._start)

    @property
    def _every(self) -> float:
        return self._store.lock_timeout / 3

    def _start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while not (self._held.released or self._held.freed):
            if not await self._store._renew(self._held):
                return
            await asyncio.sleep(self._every)

    async def stop(self) -> None:
        self._handle.cancel()
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\^" else c for c in text)


def _redacted(url: str) -> str:
    """The URL without its password, fit for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
