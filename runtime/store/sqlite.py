"""The embedded store: one SQLite file in WAL mode, reached through one aiosqlite connection.

SQLite serves one process. Its `lock` is an asyncio lock of this process, so two bot processes
sharing one file would not keep a user's turns apart: run several instances on Redis instead.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from runtime.errors import StoreError
from runtime.store import KeyLocks, check_namespace, check_value

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    expires_at REAL,
    PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_key ON queue (ns, key, seq);
"""
UPSERT = (
    "INSERT INTO kv (ns, key, value, expires_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"
)
SCAN_PAGE = 500
SWEEP_EVERY = 60.0  # seconds between purges of every expired value
CACHE_SIZE = 50_000  # conversations kept in memory, most recently used
CACHED = frozenset({"conv"})  # namespaces only this process writes (see the class docstring)


class SQLiteStore:
    """The Store protocol on a SQLite file (created with its folder when missing).

    Every statement runs in autocommit mode, so each one is its own transaction: `take` and
    `drain` are single DELETE ... RETURNING statements and therefore atomic. Expired values are
    invisible at once and purged lazily (on read, and in a sweep at most once a minute).

    Values of the namespaces in `cached` (conversation states) are also kept in a bounded
    write-through cache, so a turn reads its state without a round trip to SQLite's thread.
    That is sound because one process owns the file; other namespaces (tokens, which
    `parley integrations authorize` may write from another process) are always read from disk.
    """

    def __init__(self, path: str | Path, *, cached: frozenset[str] = CACHED) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._locks = KeyLocks()
        self._next_sweep = 0.0
        self._cached = cached
        self._batch: list[tuple[tuple[Any, ...], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._in_flight = 0  # puts out at SQLite's thread right now
        self._topics: dict[str, set[asyncio.Queue[bytes]]] = {}
        self._cache: OrderedDict[tuple[str, str], tuple[bytes, float | None]] = OrderedDict()

    async def open(self) -> None:
        if self._db is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {self.path}: {exc.strerror}") from exc
        if self.path.exists() and not self.path.is_file():
            # Checked here: aiosqlite's worker outlives a failed connect and may then call into
            # a closed event loop.
            raise StoreError(f"cannot open {self.path}: it is not a file")
        with self._errors(f"cannot open {self.path}"):
            db = await aiosqlite.connect(self.path, isolation_level=None)
            try:
                await db.execute("PRAGMA journal_mode = WAL")
                await db.execute("PRAGMA synchronous = NORMAL")
                await db.execute("PRAGMA busy_timeout = 5000")
                await db.executescript(SCHEMA)
            except BaseException:
                await db.close()
                raise
        self._db = db
        await self._sweep()

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.shield(self._writer)
        if self._db is not None:
            db, self._db = self._db, None
            self._cache.clear()
            await db.close()

    def _remember(self, ns: str, key: str, value: bytes, expires_at: float | None) -> None:
        if ns in self._cached:
            self._cache[(ns, key)] = (value, expires_at)
            self._cache.move_to_end((ns, key))
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _forget(self, ns: str, key: str) -> None:
        self._cache.pop((ns, key), None)

    async def get(self, ns: str, key: str) -> bytes | None:
        check_namespace(ns)
        now = time.time()
        hit = self._cache.get((ns, key))
        if hit is not None and (hit[1] is None or hit[1] > now):
            self._cache.move_to_end((ns, key))
            return hit[0]
        row = await self._one("SELECT value, expires_at FROM kv WHERE ns = ? AND key = ?", ns, key)
        if row is None:
            return None
        value, expires_at = row
        if expires_at is not None and expires_at <= now:
            await self._run(
                "DELETE FROM kv WHERE ns = ? AND key = ? AND expires_at <= ?", ns, key, now
            )
            return None
        self._remember(ns, key, bytes(value), expires_at)
        return bytes(value)

    async def put(self, ns: str, key: str, value: bytes, ttl: float | None = None) -> None:
        check_namespace(ns)
        check_value(value)
        expires_at = None if ttl is None else time.time() + ttl
        self._forget(ns, key)
        await self._write((ns, key, bytes(value), expires_at))
        self._remember(ns, key, bytes(value), expires_at)
        if time.monotonic() >= self._next_sweep:
            await self._sweep()

    async def _write(self, row: tuple[Any, ...]) -> None:
        """Group commit: while a write is out at SQLite's thread, further puts gather into one
        batch that a writer task sends in a single round trip, so concurrent turns share the
        hop; a put with nothing in flight goes straight out. aiosqlite runs statements in the
        order they were sent, and a batch is written row by row, so the last put of a key
        wins as it would one by one."""
        db = self._connection
        if self._in_flight:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._batch.append((row, done))
            if self._writer is None or self._writer.done():
                self._writer = asyncio.create_task(self._write_batches())
            await done
            return
        self._in_flight += 1
        try:
            with self._errors(f"SQLite store {self.path}"):
                await db.executemany(UPSERT, [row])
        finally:
            self._in_flight -= 1

    async def _write_batches(self) -> None:
        while self._batch:
            batch, self._batch = self._batch, []
            self._in_flight += 1
            try:
                with self._errors(f"SQLite store {self.path}"):
                    await self._connection.executemany(UPSERT, [row for row, _ in batch])
            except StoreError as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
            finally:
                self._in_flight -= 1

    async def take(self, ns: str, key: str) -> bytes | None:
        check_namespace(ns)
        now = time.time()
        self._forget(ns, key)
        row = await self._one(
            "DELETE FROM kv WHERE ns = ? AND key = ? RETURNING value, expires_at", ns, key
        )
        if row is None or (row[1] is not None and row[1] <= now):
            return None
        return bytes(row[0])

    async def delete(self, ns: str, key: str) -> None:
        check_namespace(ns)
        self._forget(ns, key)
        await self._run("DELETE FROM kv WHERE ns = ? AND key = ?", ns, key)

    async def push(self, ns: str, key: str, value: bytes) -> None:
        check_namespace(ns)
        check_value(value)
        sql = "INSERT INTO queue (ns, key, value) VALUES (?, ?, ?)"
        await self._run(sql, ns, key, bytes(value))

    async def drain(self, ns: str, key: str) -> list[bytes]:
        check_namespace(ns)
        rows = await self._all(
            "DELETE FROM queue WHERE ns = ? AND key = ? RETURNING seq, value", ns, key
        )
        # SQLite does not promise RETURNING's row order.
        return [bytes(value) for _, value in sorted(rows)]

    async def publish(self, topic: str, message: bytes) -> None:
        """In this process only: SQLite serves one process."""
        for queue in self._topics.get(topic, ()):
            queue.put_nowait(bytes(message))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[bytes]]:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._topics.setdefault(topic, set()).add(queue)

        async def messages() -> AsyncIterator[bytes]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._topics[topic].discard(queue)

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """Mutual exclusion in this process, waiters served first come, first served."""
        return self._locks.hold(key)

    async def scan(self, ns: str) -> AsyncIterator[tuple[str, bytes]]:
        check_namespace(ns)
        after: str | None = None
        while True:
            rows = await self._all(
                "SELECT key, value FROM kv WHERE ns = ? AND (? IS NULL OR key > ?) "
                "AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?",
                ns,
                after,
                after,
                time.time(),
                SCAN_PAGE,
            )
            for key, value in rows:
                yield key, bytes(value)
            if len(rows) < SCAN_PAGE:
                return
            after = rows[-1][0]

    async def _sweep(self) -> None:
        self._next_sweep = time.monotonic() + SWEEP_EVERY
        await self._run("DELETE FROM kv WHERE expires_at <= ?", time.time())

    @property
    def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError(f"the SQLite store {self.path} is not open: call open() first")
        return self._db

    async def _run(self, sql: str, *params: Any) -> None:
        await self._all(sql, *params)

    async def _all(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        db = self._connection
        with self._errors(f"SQLite store {self.path}"):
            return [tuple(row) for row in await db.execute_fetchall(sql, params)]

    async def _one(self, sql: str, *params: Any) -> tuple[Any, ...] | None:
        rows = await self._all(sql, *params)
        return rows[0] if rows else None

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{what}: {exc}") from exc
