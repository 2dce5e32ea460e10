"""Where conversations and their companions (OAuth states, tokens, outboxes) are kept.

``open_store(url, root)`` picks the backend from ``store.url``:

    sqlite:///var/parley.db     a file relative to the bot's root (one process)
    sqlite:////srv/parley.db    a file at an absolute path
    redis://host:6379/0         Redis (also rediss:// and unix://), shared by several instances
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from runtime.errors import ConfigError
from runtime.store.base import Store

__all__ = ["KeyLocks", "Store", "check_namespace", "check_value", "open_store", "store_url_problem"]

_EXPECTED = (
    "expected sqlite:///RELATIVE/PATH.db, sqlite:////ABSOLUTE/PATH.db or redis://HOST:PORT/DB"
)
_REDIS_SCHEMES = ("redis", "rediss", "unix")


def open_store(url: str, root: Path) -> Store:
    """The store `url` names, not yet opened; a relative SQLite path is taken from `root`."""
    try:
        kind, target = _target(url, root)
    except ValueError as exc:
        raise ConfigError([f"store.url: {exc}"]) from None
    if kind == "sqlite":
        from runtime.store.sqlite import SQLiteStore

        return SQLiteStore(target)
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
        raise ValueError(f"a store namespace is a non-empty word without ':', got {ns!r}")


def check_value(value: object) -> None:
    """Values are opaque bytes: the caller encodes its own data."""
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"a stored value is bytes, got {type(value).__name__}")


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class KeyLocks:
    """One FIFO asyncio lock per key in this process, forgotten once nobody holds or awaits it.

    So a million users who each spoke once leave nothing behind.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def hold(self, key: str) -> _Held:
        """`async with locks.hold(key):` holds the key's lock for the block."""
        return _Held(self._entries, key)


class _Held:
    """The context manager `KeyLocks.hold` returns: a plain class, because a generator-based
    one costs a few microseconds more, twice a turn."""

    __slots__ = ("_entries", "_entry", "_key")

    def __init__(self, entries: dict[str, _Entry], key: str) -> None:
        self._entries = entries
        self._key = key

    async def __aenter__(self) -> None:
        entry = self._entries.get(self._key)
        if entry is None:
            entry = self._entries[self._key] = _Entry()
        self._entry = entry
        entry.users += 1
        try:
            await entry.lock.acquire()
        except BaseException:
            self._leave()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self._entry.lock.release()
        self._leave()

    def _leave(self) -> None:
        entry = self._entry
        entry.users -= 1
        if not entry.users:
            del self._entries[self._key]
