"""The embedded store: one SQLite file in WAL mode, reached through two connections.

Puts, nearly all of them conversation states, are the hot path: one per turn. They are written
on the event loop's own thread through a plain `sqlite3` connection, in group commits: the puts
made during one pass of the event loop are committed together, in one transaction, right after
it. A commit in WAL mode with synchronous=NORMAL is a write into the WAL file with no fsync
(some 15 microseconds, shared by the batch, plus 2 to 5 per row), and a put still returns only
once its row is committed, so what it stored outlives the process (a power cut may still take
the last commits, as synchronous=NORMAL allows). Sending each put to aiosqlite's worker thread
instead (a queue hop, a cross-thread wake-up and GIL hand-offs, and a commit per row) cost about
45 microseconds of CPU per turn in `bench/ws`'s engine turns (32 users); the group commit costs
12 to 19, most of it SQLite's work on the row and the turn's wait for the commit. That
connection never checkpoints, as a checkpoint's fsync would stall the loop: checkpoints run on
the other connection's thread, in the background.

Everything else (reads that miss the cache, take, delete, the queues, scans and sweeps) goes
through one aiosqlite connection, whose worker thread keeps SQLite off the event loop.

SQLite serves one process. Its `lock` is an asyncio lock of this process, so two bot processes
sharing one file would not keep a user's turns apart: run several instances on Redis instead.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, suppress
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import aiosqlite

from runtime.errors import StoreError
from runtime.store import KeyLocks, check_namespace, check_value

log = logging.getLogger(__name__)

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
# A put over a row known to hold the same expiry (the cache says so) sets only the value, which
# leaves the expiry index alone: half an UPSERT's cost. A row it misses is written by UPSERT.
REWRITE = "UPDATE kv SET value = ?3 WHERE ns = ?1 AND key = ?2 AND expires_at IS ?4"
SCAN_PAGE = 500
SWEEP_EVERY = 60.0  # seconds between purges of every expired value
CACHE_SIZE = 50_000  # conversations kept in memory, most recently used
DEFER_SECONDS = 0.5  # at most, between a put of a deferred namespace and its commit
CHECKPOINT_EVERY = 1.0  # seconds, at most, between a put and the next WAL checkpoint ...
CHECKPOINT_ROWS = 250  # ... or sooner after this many rows (a row dirties at most ~3 pages)
WAL_FRAMES = 1000  # a longer WAL is checkpointed again with puts held back, so that it restarts
BUSY_TIMEOUT_MS = 5000
COARSE_TTL = 600.0  # seconds: from this TTL on, expiry times are rounded up (see `expiry`)


def expiry(now: float, ttl: float) -> float:
    """When a value put at `now` with `ttl` expires: `now + ttl`, rounded up to a grain of 1% of
    the TTL (an hour at most) once the TTL is COARSE_TTL or longer.

    A conversation's state (TTL 30 days) is written every turn; with its expiry rounded to the
    hour, successive writes keep the same expiry and SQLite leaves the expiry index alone,
    which is about a third of a write's cost. A value lives at least `ttl` and at most 1% more.
    """
    if ttl < COARSE_TTL:
        return now + ttl
    grain = min(3600.0, ttl / 100)
    return math.ceil((now + ttl) / grain) * grain


def _write_rows(writer: sqlite3.Connection, batch: list[tuple[tuple[Any, ...], bool, Any]]) -> None:
    """The batch's rows in order, in runs: REWRITE runs (sent again as UPSERT when a row was
    missed: gone, or with another expiry) and UPSERT runs."""
    for rewrite, run in groupby(batch, key=itemgetter(1)):
        rows = [row for row, _, _ in run]
        if rewrite and writer.executemany(REWRITE, rows).rowcount == len(rows):
            continue
        writer.executemany(UPSERT, rows)


class SQLiteStore:
    """The Store protocol on a SQLite file (created with its folder when missing).

    Everything but puts runs on aiosqlite's thread in autocommit mode, so each statement is
    its own transaction: `take` and `drain` are single DELETE ... RETURNING statements and
    therefore atomic. Expired values are invisible at once and purged lazily (on read, and in
    a sweep at most once a minute).

    Puts are group-committed on the event loop's thread (see the module docstring): `put`
    queues its row, the first put of a pass of the loop schedules a flush with `call_soon`,
    and the flush commits every queued row in one transaction (BEGIN IMMEDIATE, executemany,
    COMMIT) and then wakes the puts; when it fails, it rolls back and every put of the batch
    raises the StoreError. Rows are written in the order they were put, so the last put of a
    key wins. A statement that writes the kv table on aiosqlite's thread (take, delete, the
    purges) first flushes the puts queued before it, so it is not overtaken by them; and the
    two connections never contend for SQLite's write lock (see `_change`). The WAL is
    checkpointed (PASSIVE) on aiosqlite's thread in a background task, a second after a put
    at the latest, or after CHECKPOINT_ROWS rows; when writes outran the checkpoints and the
    WAL passed WAL_FRAMES pages, a second checkpoint runs with puts held back so that it
    catches up and the WAL starts over. `close` commits the queued puts, waits for the
    checkpoint and truncates the WAL.

    Values of the namespaces in `cached` (the bot's conversation states and histories, which
    only this process writes) are also kept in a bounded
    write-through cache, so a turn reads its state without a round trip to SQLite's thread.
    That is sound because one process owns the file; other namespaces (tokens, which
    `parley integrations authorize` may write from another process) are always read from disk.
    A put forgets its key before the write and remembers the value after it; a read that
    missed the cache fills it only if nothing was written or forgotten meanwhile, and take and
    delete forget their key again once their statement has run, so the cache never holds a
    value the file no longer has.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        cached: frozenset[str] = frozenset(),
        deferred: frozenset[str] = frozenset(),
    ) -> None:
        if not deferred <= cached:
            raise StoreError("a deferred namespace must be cached too: its reads come from memory")
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._writer: sqlite3.Connection | None = None  # the event loop thread's, for puts
        self._loop: asyncio.AbstractEventLoop | None = None
        self._locks = KeyLocks()
        self._next_sweep = 0.0
        self._cached = cached
        self._deferred = deferred
        # Puts of deferred namespaces not yet queued for a commit: the last value of each key.
        self._later: dict[tuple[str, str], tuple[bytes, float | None]] = {}
        self._later_handle: asyncio.TimerHandle | None = None
        self._pending: list[tuple[tuple[Any, ...], bool, asyncio.Future[None]]] = []
        self._flush_handle: asyncio.Handle | None = None
        self._held = False  # puts wait while a checkpoint catches up with the WAL
        self._rows = 0  # rows committed since the last checkpoint began
        self._next_checkpoint = 0.0
        self._checkpointer: asyncio.Task[None] | None = None
        self._generation = 0  # counts commits and forgotten keys (see `get`)
        self._changing = 0  # statements that write, out at aiosqlite's thread (see `_change`)
        self._puts_waiting: asyncio.Event | None = None  # set once puts put off are committed
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
                await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                await db.executescript(SCHEMA)
                writer = sqlite3.connect(self.path, isolation_level=None)
                try:
                    writer.execute("PRAGMA synchronous = NORMAL")
                    writer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                    writer.execute("PRAGMA wal_autocheckpoint = 0")
                except BaseException:
                    writer.close()
                    raise
            except BaseException:
                await db.close()
                raise
        self._db, self._writer = db, writer
        self._loop = asyncio.get_running_loop()
        self._rows = 0
        self._next_checkpoint = time.monotonic() + CHECKPOINT_EVERY
        await self._sweep()

    async def close(self) -> None:
        """Commit the puts still queued, then close both connections (the WAL is emptied)."""
        db, writer = self._db, self._writer
        if db is None or writer is None:
            return
        self._write_later()
        self._flush()
        if self._puts_waiting is not None:
            self._puts_waiting.set()
            self._puts_waiting = None
        self._db = self._writer = None  # from here on, new calls fail: the store is closed
        self._cache.clear()
        try:
            writer.close()
            if self._checkpointer is not None:
                await asyncio.shield(self._checkpointer)
            with suppress(sqlite3.Error):  # everything is committed: this only tidies up
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await db.close()

    def _remember(self, ns: str, key: str, value: bytes, expires_at: float | None) -> None:
        if ns in self._cached:
            self._cache[(ns, key)] = (value, expires_at)
            self._cache.move_to_end((ns, key))
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _forget(self, ns: str, key: str) -> tuple[bytes, float | None] | None:
        """Drop the cached value (returned, if any) and count the change (see `get`)."""
        self._generation += 1
        return self._cache.pop((ns, key), None)

    def _in_memory(self, ns: str, key: str, now: float) -> tuple[bool, bytes | None]:
        """(True, the value) when memory knows the record, else (False, None)."""
        hit = self._cache.get((ns, key))
        if hit is not None and (hit[1] is None or hit[1] > now):
            self._cache.move_to_end((ns, key))
            return True, hit[0]
        later = self._later.get((ns, key)) if self._later else None
        if later is not None:  # deferred, and no longer in the cache
            return True, later[0] if later[1] is None or later[1] > now else None
        return False, None

    async def get_many(self, keys: Sequence[tuple[str, str]]) -> list[bytes | None]:
        """`get` of each (ns, key); those memory does not know are read in one query."""
        now = time.time()
        values: list[bytes | None] = []
        missing: dict[tuple[str, str], list[int]] = {}  # record -> its places in `keys`
        for i, (ns, key) in enumerate(keys):
            check_namespace(ns)
            known, value = self._in_memory(ns, key, now)
            values.append(value)
            if not known:
                missing.setdefault((ns, key), []).append(i)
        if len(missing) == 1:
            ((record, places),) = missing.items()
            value = await self.get(*record)
            for i in places:
                values[i] = value
        elif missing:
            generation = self._generation
            where = " OR ".join(["(ns = ? AND key = ?)"] * len(missing))
            found = await self._all(
                f"SELECT ns, key, value, expires_at FROM kv WHERE {where}",
                *(part for record in missing for part in record),
            )
            for ns, key, value, expires_at in found:
                if expires_at is not None and expires_at <= now:
                    continue  # expired: the sweep deletes it
                if generation == self._generation:
                    self._remember(ns, key, bytes(value), expires_at)
                for i in missing[(ns, key)]:
                    values[i] = bytes(value)
        return values

    async def get(self, ns: str, key: str) -> bytes | None:
        check_namespace(ns)
        now = time.time()
        known, value = self._in_memory(ns, key, now)
        if known:
            return value
        generation = self._generation
        row = await self._one("SELECT value, expires_at FROM kv WHERE ns = ? AND key = ?", ns, key)
        if row is None:
            return None
        value, expires_at = row
        if expires_at is not None and expires_at <= now:
            await self._change(
                "DELETE FROM kv WHERE ns = ? AND key = ? AND expires_at <= ?", ns, key, now
            )
            return None
        if generation == self._generation:
            # Else a put was committed or a key forgotten while the SELECT was out: what it
            # read may be older than what the cache would then hold, so it is not kept.
            self._remember(ns, key, bytes(value), expires_at)
        return bytes(value)

    async def put(self, ns: str, key: str, value: bytes, ttl: float | None = None) -> None:
        """Queue the row for the next group commit and return once it is committed.

        One a turn, so written out in one piece: the cache entry is forgotten before the write
        and remembered after it; the row is a REWRITE when the cache held it with this expiry."""
        await self.put_many(((ns, key, value),), ttl)

    async def put_many(
        self,
        entries: Sequence[tuple[str, str, bytes]],
        ttl: float | None = None,
        *,
        release: bool = False,
    ) -> None:
        """`put` of every entry, in the same group commit (`release` changes nothing: the lock
        is this process's, released at the end of its block)."""
        rows = []
        for ns, key, value in entries:
            check_namespace(ns)
            if type(value) is not bytes:
                check_value(value)
                value = bytes(value)
            rows.append((ns, key, value))
        expires_at = None if ttl is None else expiry(time.time(), ttl)
        loop = self._loop
        if self._writer is None or loop is None:
            raise StoreError(f"the SQLite store {self.path} is not open: call open() first")
        if self._deferred:
            rows = self._defer(rows, expires_at, loop)
            if not rows:
                return
        done = loop.create_future()
        for ns, key, value in rows:
            hit = self._forget(ns, key)
            self._pending.append(
                ((ns, key, value, expires_at), hit is not None and hit[1] == expires_at, done)
            )
        if self._flush_handle is None and not self._held:
            self._flush_handle = loop.call_soon(self._flush_soon)
        await done
        if self._db is None:  # closed while this put waited; its rows are committed
            return
        for ns, key, value in rows:
            self._remember(ns, key, value, expires_at)
        if time.monotonic() >= self._next_sweep:
            await self._sweep()

    def _flush_soon(self) -> None:
        self._flush_handle = None
        if self._held:
            return  # the checkpoint that holds the puts back calls again once it is done
        if self._changing:
            # A statement that writes is out at aiosqlite's thread: the last one back flushes.
            if self._puts_waiting is None:
                self._puts_waiting = asyncio.Event()
            return
        self._flush()

    def _flush(self) -> None:
        """Commit every queued put in one transaction, on this thread, and wake the puts.

        Synchronous (a write into the WAL, without an fsync), so a statement sent to aiosqlite
        after a flush runs after the rows it wrote."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        writer = self._writer
        try:
            if writer is None:
                raise StoreError(f"the SQLite store {self.path} is not open: call open() first")
            try:
                writer.execute("BEGIN IMMEDIATE")
                _write_rows(writer, batch)
                writer.execute("COMMIT")
            except sqlite3.Error as exc:
                if writer.in_transaction:
                    with suppress(sqlite3.Error):
                        writer.execute("ROLLBACK")
                raise StoreError(f"SQLite store {self.path}: {exc}") from exc
        except StoreError as exc:
            for _, _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        self._generation += 1
        for _, _, done in batch:
            if not done.done():
                done.set_result(None)
        self._rows += len(batch)
        due = self._rows >= CHECKPOINT_ROWS or time.monotonic() >= self._next_checkpoint
        if due and self._checkpointer is None and self._db is not None and self._loop is not None:
            self._checkpointer = self._loop.create_task(self._checkpoint(self._db))

    async def _checkpoint(self, db: aiosqlite.Connection) -> None:
        """Copy the WAL into the database file on aiosqlite's thread, puts going on meanwhile.

        The WAL starts over only after a checkpoint that caught up with every commit; under a
        steady stream of puts a PASSIVE one rarely does, so once the WAL is long, a second
        one runs with the puts held back (they queue, and are committed right after it)."""
        self._rows = 0
        try:
            with self._errors(f"checkpoint of {self.path}"):
                rows = await db.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
                ((_, frames, _),) = rows
                if frames > WAL_FRAMES:
                    self._held = True
                    try:
                        await db.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
                    finally:
                        self._held = False
                        if self._pending and self._flush_handle is None and self._loop:
                            self._flush_handle = self._loop.call_soon(self._flush_soon)
        except StoreError as exc:
            log.warning("%s (tried again later)", exc)
        finally:
            self._next_checkpoint = time.monotonic() + CHECKPOINT_EVERY
            self._checkpointer = None

    def _defer(
        self,
        rows: list[tuple[str, str, bytes]],
        expires_at: float | None,
        loop: asyncio.AbstractEventLoop,
    ) -> list[tuple[str, str, bytes]]:
        """Keep the rows of deferred namespaces in memory until the next deferred write (at
        most DEFER_SECONDS away); the other rows, to be written now."""
        now_rows = []
        for ns, key, value in rows:
            if ns in self._deferred:
                self._generation += 1  # a read out at the file meanwhile must not cache its row
                self._later[(ns, key)] = (value, expires_at)
                self._remember(ns, key, value, expires_at)
            else:
                now_rows.append((ns, key, value))
        if self._later and self._later_handle is None:
            self._later_handle = loop.call_later(DEFER_SECONDS, self._write_later)
        return now_rows

    def _write_later(self) -> asyncio.Future[None] | None:
        """Queue the deferred rows for the next group commit; the future of their commit."""
        if self._later_handle is not None:
            self._later_handle.cancel()
            self._later_handle = None
        loop = self._loop
        if not self._later or loop is None:
            return None
        later, self._later = self._later, {}
        done: asyncio.Future[None] = loop.create_future()
        done.add_done_callback(_log_failed_deferred)
        for (ns, key), (value, expires_at) in later.items():
            self._generation += 1
            self._pending.append(((ns, key, value, expires_at), False, done))
        if self._flush_handle is None and not self._held:
            self._flush_handle = loop.call_soon(self._flush_soon)
        return done

    async def _written_later(self, ns: str) -> None:
        """Before a statement reads or changes `ns` on disk: its deferred rows, committed."""
        if ns in self._deferred and self._later:
            done = self._write_later()
            if done is not None:
                await asyncio.shield(done)

    async def take(self, ns: str, key: str) -> bytes | None:
        check_namespace(ns)
        await self._written_later(ns)
        now = time.time()
        self._forget(ns, key)
        rows = await self._change(
            "DELETE FROM kv WHERE ns = ? AND key = ? RETURNING value, expires_at", ns, key
        )
        self._forget(ns, key)  # a put committed while the DELETE was out may have cached it
        row = rows[0] if rows else None
        if row is None or (row[1] is not None and row[1] <= now):
            return None
        return bytes(row[0])

    async def delete(self, ns: str, key: str) -> None:
        check_namespace(ns)
        await self._written_later(ns)
        self._forget(ns, key)
        await self._change("DELETE FROM kv WHERE ns = ? AND key = ?", ns, key)
        self._forget(ns, key)  # a put committed while the DELETE was out may have cached it

    async def push(self, ns: str, key: str, value: bytes) -> None:
        check_namespace(ns)
        check_value(value)
        sql = "INSERT INTO queue (ns, key, value) VALUES (?, ?, ?)"
        await self._change(sql, ns, key, bytes(value), after_puts=False)

    async def drain(self, ns: str, key: str) -> list[bytes]:
        check_namespace(ns)
        rows = await self._change(
            "DELETE FROM queue WHERE ns = ? AND key = ? RETURNING seq, value",
            ns,
            key,
            after_puts=False,
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

    def lock(
        self, key: str, *, read: Sequence[tuple[str, str]] = ()
    ) -> AbstractAsyncContextManager[list[bytes | None]]:
        """Mutual exclusion in this process, waiters served first come, first served; the
        records `read` are read once it is held (from memory, for the cached namespaces)."""
        return _LockAndRead(self, key, read)

    async def scan(self, ns: str) -> AsyncIterator[tuple[str, bytes]]:
        check_namespace(ns)
        await self._written_later(ns)
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
        await self._change("DELETE FROM kv WHERE expires_at <= ?", time.time())

    @property
    def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError(f"the SQLite store {self.path} is not open: call open() first")
        return self._db

    async def _change(
        self, sql: str, *params: Any, after_puts: bool = True
    ) -> list[tuple[Any, ...]]:
        """Run a statement that writes on aiosqlite's thread, never while a flush could run.

        The two connections never wait for each other's write lock, as SQLite's busy handler
        sleeps a millisecond or more (on the event loop, when the flush is the one waiting):
        a flush due while such statements are out is put off until the last one is back,
        and statements that come meanwhile wait for that flush, so puts are not starved.
        With `after_puts` (statements on the kv table), the puts queued before the statement
        are committed before it is sent, so it is not overtaken by them."""
        while self._puts_waiting is not None or (after_puts and self._pending and self._changing):
            if self._puts_waiting is None:
                self._puts_waiting = asyncio.Event()
            await self._puts_waiting.wait()
        if after_puts:
            self._flush()
        self._changing += 1
        try:
            return await self._all(sql, *params)
        finally:
            self._changing -= 1
            if not self._changing and self._puts_waiting is not None:
                waiting, self._puts_waiting = self._puts_waiting, None
                if not self._held:
                    self._flush()
                waiting.set()

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


def _log_failed_deferred(done: asyncio.Future[None]) -> None:
    if not done.cancelled() and (exc := done.exception()) is not None:
        log.error("deferred rows could not be written: %s", exc)


class _LockAndRead:
    """What `SQLiteStore.lock` returns: a plain class, as `KeyLocks.hold`'s, because a
    generator-based context manager costs a few microseconds more on every turn."""

    __slots__ = ("_hold", "_read", "_store")

    def __init__(self, store: SQLiteStore, key: str, read: Sequence[tuple[str, str]]) -> None:
        self._store = store
        self._hold = store._locks.hold(key)
        self._read = read

    async def __aenter__(self) -> list[bytes | None]:
        await self._hold.__aenter__()
        try:
            return await self._store.get_many(self._read) if self._read else []
        except BaseException:
            await self._hold.__aexit__(None, None, None)
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        await self._hold.__aexit__(*exc_info)
