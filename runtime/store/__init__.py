"""Where conversations and their companions (OAuth states, tokens, outboxes) are kept.

``open_store(url, root)`` picks the backend from ``store.url``:

    sqlite:///var/parley.db     a file relative to the bot's root (one process)
    sqlite:////srv/parley.db    a file at an absolute path
    redis://host:6379/0         Redis (also rediss:// and unix://), shared by several instances
"""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from runtime.errors import ConfigError, StoreError
from runtime.store.base import Store

__all__ = ["KeyLocks", "Store", "check_namespace", "check_value", "open_store", "store_url_problem"]

_EXPECTED = (
    "expected sqlite:///RELATIVE/PATH.db, sqlite:////ABSOLUTE/PATH.db or redis://HOST:PORT/DB"
)
_REDIS_SCHEMES = ("redis", "rediss", "unix")


def open_store(
    url: str,
    root: Path,
    *,
    cached: frozenset[str] = frozenset(),
    deferred: frozenset[str] = frozenset(),
) -> Store:
    """The store `url` names, not yet opened; a relative SQLite path is taken from `root`.
    SQLite keeps the values of the namespaces in `cached`, which only this process writes, in
    memory too, and writes those of `deferred` (a subset) up to half a second after their put,
    several puts of a key in one row; Redis, shared by processes, does neither."""
    try:
        kind, target = _target(url, root)
    except ValueError as exc:
        raise ConfigError([f"store.url: {exc}"]) from None
    if kind == "sqlite":
        from runtime.store.sqlite import SQLiteStore

        return SQLiteStore(target, cached=cached, deferred=deferred)
    from runtime.store.redis import RedisStore

    return RedisStore(str(target))


def store_url_problem(url: str) -> str | None:
    """Why `url` names no store, or None when it names one (nothing is opened)."""
    try:
        _target(url, Path("."))
    except ValueError as exc:
        return str(exc)
    return None


def _target(url: str, root: Path) -> tuple[str, Path | str]:
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    if not separator:
        raise ValueError(f"{_EXPECTED}, got no scheme")
    if scheme == "sqlite":
        if not rest.startswith("/"):
            raise ValueError(f"a SQLite URL takes no host: {_EXPECTED}")
        path = Path(rest[1:])
        if not rest[1:] or rest.endswith("/"):
            raise ValueError(f"a SQLite URL needs a file name: {_EXPECTED}")
        return "sqlite", path if path.is_absolute() else root / path
    if scheme in _REDIS_SCHEMES:
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - urlsplit checks the port only when it is read
        except ValueError:
            raise ValueError(f"the Redis URL has a bad port: {_EXPECTED}") from None
        database = parts.path.strip("/") if scheme != "unix" else ""
        if database and not database.isdigit():
            raise ValueError(f"a Redis database is a number, got {database!r}: {_EXPECTED}")
        return "redis", url
    raise ValueError(f"unknown store scheme {scheme!r}: {_EXPECTED}")


def check_namespace(ns: str) -> None:
    """Namespaces are plain words: a ':' would make Redis keys of two namespaces collide."""
    if not ns or ":" in ns:
        raise StoreError(f"a store namespace is a non-empty word without ':', got {ns!r}")


def check_value(value: object) -> None:
    """Values are opaque bytes: the caller encodes its own data."""
    if not isinstance(value, bytes | bytearray | memoryview):
        raise StoreError(f"a stored value is bytes, got {type(value).__name__}")


class KeyLocks:
    """One FIFO lock per key in this process, forgotten once nobody holds or awaits it.

    So a million users who each spoke once leave nothing behind. A key that is held maps to
    the futures of its waiters, in order; the lock passes straight from one holder to the next.
    An uncontended hold costs a dict entry and no future: half an asyncio.Lock made per key.
    """

    def __init__(self) -> None:
        self._waiters: dict[str, deque[asyncio.Future[None]]] = {}

    def __len__(self) -> int:
        return len(self._waiters)

    def hold(self, key: str) -> _Held:
        """`async with locks.hold(key):` holds the key's lock for the block."""
        return _Held(self._waiters, key)


class _Held:
    """The context manager `KeyLocks.hold` returns: a plain class, because a generator-based
    one costs a few microseconds more, twice a turn."""

    __slots__ = ("_key", "_waiters")

    def __init__(self, waiters: dict[str, deque[asyncio.Future[None]]], key: str) -> None:
        self._waiters = waiters
        self._key = key

    async def __aenter__(self) -> None:
        queue = self._waiters.get(self._key)
        if queue is None:
            self._waiters[self._key] = deque()
            return
        mine = asyncio.get_running_loop().create_future()
        queue.append(mine)
        try:
            await mine
        except BaseException:
            if mine.done() and not mine.cancelled():  # handed over, then cancelled: pass it on
                self._release()
            raise  # else `mine` is cancelled: the release that reaches it skips it

    async def __aexit__(self, *exc_info: object) -> None:
        self._release()

    def _release(self) -> None:
        queue = self._waiters[self._key]
        while queue:
            following = queue.popleft()
            if not following.done():
                following.set_result(None)
                return
        del self._waiters[self._key]
