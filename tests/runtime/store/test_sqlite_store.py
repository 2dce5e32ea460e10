"""What only the SQLite store promises: its file, WAL, lazy purging and clear failures."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from runtime.engine.engine import OWN_NAMESPACES
from runtime.errors import StoreError
from runtime.store import open_store
from runtime.store.sqlite import DEFER_SECONDS, SQLiteStore, expiry


def rows(path: Path, ns: str) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [key for (key,) in db.execute("SELECT key FROM kv WHERE ns = ? ORDER BY key", (ns,))]


def values(path: Path, ns: str) -> dict[str, bytes]:
    """What a connection of its own (another process, say) finds in the file."""
    with closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT key, value FROM kv WHERE ns = ?", (ns,)))


def expiries(path: Path, ns: str) -> dict[str, float | None]:
    with closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT key, expires_at FROM kv WHERE ns = ?", (ns,)))


def alter(path: Path, sql: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute(sql)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    """An open store on `tmp_path / "s.db"`, closed after the test."""
    opened = SQLiteStore(tmp_path / "s.db", cached=OWN_NAMESPACES)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


async def test_open_creates_the_missing_folders_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "var" / "deep" / "parley.db"
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    try:
        await store.put("conv", "u1", b"state")
    finally:
        await store.close()
    assert path.is_file()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_an_expired_value_is_purged_when_read(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "store.db", cached=OWN_NAMESPACES)
    await store.open()
    try:
        await store.put("conv", "gone", b"x", ttl=0.1)
        await store.put("conv", "kept", b"y")
        await asyncio.sleep(0.3)
        assert rows(tmp_path / "store.db", "conv") == ["gone", "kept"]
        assert await store.get("conv", "gone") is None
        assert rows(tmp_path / "store.db", "conv") == ["kept"]
    finally:
        await store.close()


async def test_expired_values_are_swept_when_the_store_opens(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    await store.put("conv", "gone", b"x", ttl=0.1)
    await store.close()
    await asyncio.sleep(0.3)
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    await store.close()
    assert rows(path, "conv") == []


async def test_a_folder_in_place_of_the_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "store.db").mkdir()
    with pytest.raises(StoreError, match=r"cannot open .*store\.db: it is not a file"):
        await SQLiteStore(tmp_path / "store.db", cached=OWN_NAMESPACES).open()


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "store.db").write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError, match="not a database"):
        await SQLiteStore(tmp_path / "store.db", cached=OWN_NAMESPACES).open()


async def test_using_a_store_before_open_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"not open: call open\(\) first"):
        await SQLiteStore(tmp_path / "store.db", cached=OWN_NAMESPACES).get("conv", "u1")


async def test_concurrent_puts_are_all_durable_and_the_last_of_a_key_wins(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db", cached=OWN_NAMESPACES)
    await store.open()
    await asyncio.gather(
        *(store.put("conv", f"user-{i}", f"state {i}".encode()) for i in range(200)),
        *(store.put("conv", "shared", str(i).encode()) for i in range(50)),
    )
    await store.close()
    reopened = SQLiteStore(tmp_path / "s.db", cached=OWN_NAMESPACES)
    await reopened.open()
    try:
        assert await reopened.get("conv", "user-0") == b"state 0"
        assert await reopened.get("conv", "user-199") == b"state 199"
        assert len([key async for key, _ in reopened.scan("conv")]) == 201
        assert await reopened.get("conv", "shared") == b"49"
    finally:
        await reopened.close()


async def test_puts_are_committed_to_the_file_when_they_return(
    tmp_path: Path, store: SQLiteStore
) -> None:
    path = tmp_path / "s.db"
    other = sqlite3.connect(path)  # a connection of its own, as another process would have
    sql = "SELECT value FROM kv WHERE ns = 'conv' AND key = ?"

    async def user(i: int) -> None:
        for turn in range(5):
            state = f"state {i}.{turn}".encode()
            await store.put("conv", f"user-{i}", state)
            assert other.execute(sql, (f"user-{i}",)).fetchone() == (state,)

    try:
        await asyncio.gather(*(user(i) for i in range(100)))
        assert values(path, "conv") == {f"user-{i}": f"state {i}.4".encode() for i in range(100)}
    finally:
        other.close()


async def test_a_failed_batch_fails_every_put_in_it_and_writes_none(
    tmp_path: Path, store: SQLiteStore
) -> None:
    path = tmp_path / "s.db"
    await store.put("conv", "a", b"1")
    alter(
        path,
        "CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    # Concurrent puts share one transaction: one bad row fails them all.
    results = await asyncio.gather(
        *(store.put("conv", f"k{i}", b"x") for i in range(10)),
        store.put("conv", "poison", b"x"),
        return_exceptions=True,
    )
    assert all(isinstance(r, StoreError) and "refused" in str(r) for r in results), results
    assert rows(path, "conv") == ["a"]
    assert await store.get("conv", "a") == b"1"
    assert await store.get("conv", "k0") is None
    alter(path, "DROP TRIGGER refuse")
    await store.put("conv", "k0", b"y")  # the transaction was rolled back: writes go on
    assert values(path, "conv") == {"a": b"1", "k0": b"y"}


async def test_a_put_is_not_overtaken_by_a_delete_or_take_made_after_it(
    tmp_path: Path, store: SQLiteStore
) -> None:
    path = tmp_path / "s.db"
    await store.put("conv", "u1", b"old")
    await asyncio.gather(store.put("conv", "u1", b"new"), store.delete("conv", "u1"))
    assert await store.get("conv", "u1") is None
    assert rows(path, "conv") == []

    await store.put("conv", "u2", b"old")
    _, taken = await asyncio.gather(store.put("conv", "u2", b"new"), store.take("conv", "u2"))
    assert taken == b"new"
    assert await store.get("conv", "u2") is None
    assert rows(path, "conv") == []


async def test_a_rewrite_sets_the_value_and_keeps_the_row_and_its_expiry(
    tmp_path: Path, store: SQLiteStore
) -> None:
    path = tmp_path / "s.db"
    await store.put("conv", "u1", b"v1", ttl=30 * 86400)
    first = expiries(path, "conv")["u1"]
    await store.put("conv", "u1", b"v2", ttl=30 * 86400)  # same expiry grain: value only
    assert (values(path, "conv"), expiries(path, "conv")) == ({"u1": b"v2"}, {"u1": first})
    await store.put("conv", "u1", b"v3", ttl=60)  # another expiry: the whole row
    assert values(path, "conv") == {"u1": b"v3"}
    assert expiries(path, "conv")["u1"] < first


async def test_a_rewrite_of_a_row_gone_behind_the_cache_writes_it_again(
    tmp_path: Path, store: SQLiteStore
) -> None:
    path = tmp_path / "s.db"
    await store.put("conv", "u1", b"v1", ttl=3600)
    await store.put("conv", "u2", b"w1", ttl=3600)
    # Rows the cache believes in, gone or changed in the file (as a sweep or another tool might):
    alter(path, "DELETE FROM kv WHERE key = 'u1'")
    alter(path, "UPDATE kv SET expires_at = expires_at + 1 WHERE key = 'u2'")
    await asyncio.gather(
        store.put("conv", "u1", b"v2", ttl=3600), store.put("conv", "u2", b"w2", ttl=3600)
    )
    assert values(path, "conv") == {"u1": b"v2", "u2": b"w2"}
    # u2's expiry was written again: on the 36 s grain of a one-hour TTL, not the +1
    assert expiries(path, "conv")["u2"] % 36 == 0


async def test_a_read_racing_a_put_leaves_no_older_value_cached(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    await store.put("conv", "u1", b"v1")
    await store.close()
    store = SQLiteStore(path, cached=OWN_NAMESPACES)  # an empty cache: the next get reads the file
    await store.open()
    try:
        for turn in range(2, 20):
            store._cache.clear()
            await asyncio.gather(
                store.get("conv", "u1"), store.put("conv", "u1", f"v{turn}".encode())
            )
            assert await store.get("conv", "u1") == f"v{turn}".encode()
    finally:
        await store.close()


async def test_close_commits_the_puts_still_waiting(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    puts = [asyncio.create_task(store.put("conv", f"user-{i}", b"x")) for i in range(100)]
    await asyncio.sleep(0)  # every put is queued; the commit would come in the next pass
    assert rows(path, "conv") == []
    await store.close()
    async with asyncio.timeout(10):  # a guard against puts left waiting forever
        await asyncio.gather(*puts)  # none of them failed
    reopened = SQLiteStore(path, cached=OWN_NAMESPACES)
    await reopened.open()
    try:
        assert len([key async for key, _ in reopened.scan("conv")]) == 100
    finally:
        await reopened.close()


async def test_the_wal_stays_small_under_a_stream_of_puts(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    wal = tmp_path / "s.db-wal"
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    largest = 0

    async def user(i: int) -> None:
        nonlocal largest
        for turn in range(1000):
            await store.put("conv", f"user-{i}-{turn % 50}", os.urandom(200))
            largest = max(largest, wal.stat().st_size)

    try:
        await asyncio.gather(*(user(i) for i in range(20)))
    finally:
        await store.close()
    # 20,000 puts fill some 60 MB of WAL when it is never checkpointed, and keep growing when
    # checkpoints never catch up; SQLite's own threshold is 1000 pages (4 MB).
    assert largest < 12 * 2**20, largest
    assert not wal.exists() or wal.stat().st_size == 0  # close() emptied it


async def test_puts_and_queue_writes_never_wait_for_each_others_lock(tmp_path: Path) -> None:
    """Waiting for SQLite's write lock sleeps a millisecond or more, on the event loop when
    the flush of the puts is the one waiting: the store never lets its two connections meet
    there. With no waiting allowed at all, any such meeting is an error."""
    path = tmp_path / "s.db"
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    assert store._writer is not None
    store._writer.execute("PRAGMA busy_timeout = 0")
    await store._connection.execute("PRAGMA busy_timeout = 0")

    async def user(i: int) -> list[bytes]:
        drained = []
        for turn in range(30):
            await store.put("conv", f"user-{i}", f"{turn}".encode())
            await store.push("outbox", f"user-{i}", f"{turn}".encode())
            if turn % 3 == 2:
                drained += await store.drain("outbox", f"user-{i}")
            if turn % 10 == 9:
                await store.delete("conv", f"gone-{i}")
        return drained

    try:
        results = await asyncio.gather(*(user(i) for i in range(20)))
        assert all(d == [f"{t}".encode() for t in range(30)] for d in results)
        assert values(path, "conv") == {f"user-{i}": b"29" for i in range(20)}
    finally:
        await store.close()


def test_long_ttls_expire_on_a_coarse_grain_short_ones_exactly() -> None:
    now = 1_700_000_123.4
    assert expiry(now, 0.2) == now + 0.2
    assert expiry(now, 599) == now + 599
    month = 30 * 86400
    # Writes a few seconds apart keep one expiry: SQLite's expiry index is left alone.
    assert expiry(now, month) == expiry(now + 5, month) == expiry(now + 60, month)
    for ttl in (600, 3600, 86400, month):
        for t in (now, now + 17.3, now + 3599.9):
            assert t + ttl <= expiry(t, ttl) <= t + ttl * 1.01


async def test_only_the_namespaces_given_as_cached_are_kept_in_memory(tmp_path: Path) -> None:
    # A bot's store caches what only its process writes (OWN_NAMESPACES: conversations and
    # histories), never tokens, which `parley integrations authorize` writes from another.
    path = tmp_path / "bot.db"
    store = open_store(f"sqlite:///{path}", tmp_path, cached=OWN_NAMESPACES)
    await store.open()
    try:
        for ns in ("conv", "hist", "tok"):
            await store.put(ns, "u1", b"old")
        alter(path, "UPDATE kv SET value = x'6e6577'")  # b"new", behind the store's back
        assert [await store.get(ns, "u1") for ns in ("conv", "hist", "tok")] == [
            b"old",
            b"old",
            b"new",
        ]
    finally:
        await store.close()


async def test_a_deferred_namespace_is_written_a_moment_later_and_read_meanwhile(
    tmp_path: Path,
) -> None:
    # The bot defers its histories (DEFERRABLE): read from memory at once, in the file within
    # DEFER_SECONDS, several puts of a key in one row; a take, a delete, a scan or close
    # writes them first.
    path = tmp_path / "bot.db"
    store = SQLiteStore(path, cached=frozenset({"conv", "hist"}), deferred=frozenset({"hist"}))
    await store.open()
    try:
        await store.put_many([("conv", "u1", b"state"), ("hist", "u1", b"h1")])
        assert values(path, "conv") == {"u1": b"state"}  # committed before put_many returned
        assert values(path, "hist") == {}
        await store.put("hist", "u1", b"h2")
        assert await store.get("hist", "u1") == b"h2"
        await asyncio.sleep(DEFER_SECONDS + 0.5)
        assert values(path, "hist") == {"u1": b"h2"}
        await store.put("hist", "u1", b"h3")
        assert [key async for key, _ in store.scan("hist")] == ["u1"]
        assert values(path, "hist") == {"u1": b"h3"}
        await store.put("hist", "u1", b"h4")
        assert await store.take("hist", "u1") == b"h4"
        assert await store.get("hist", "u1") is None
        await store.put("hist", "u2", b"kept at close")
    finally:
        await store.close()
    assert values(path, "hist") == {"u2": b"kept at close"}


def test_a_deferred_namespace_must_be_cached(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="must be cached"):
        SQLiteStore(tmp_path / "s.db", deferred=frozenset({"hist"}))


async def test_records_a_lock_reads_are_read_from_the_file_in_one_query_after_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.db"
    first = SQLiteStore(path, cached=OWN_NAMESPACES)
    await first.open()
    await first.put("conv", "u1", b"state", ttl=60)
    await first.put("hist", "u1", b"history", ttl=60)
    await first.put("conv", "u2", b"gone", ttl=60)
    await first.close()
    alter(path, "UPDATE kv SET expires_at = 1 WHERE key = 'u2'")  # expired meanwhile
    store = SQLiteStore(path, cached=OWN_NAMESPACES)
    await store.open()
    queries: list[str] = []
    execute = store._connection.execute_fetchall

    async def counted(sql: str, *args: object) -> object:
        queries.append(sql)
        return await execute(sql, *args)

    store._connection.execute_fetchall = counted  # type: ignore[method-assign]
    try:
        read = [("conv", "u1"), ("hist", "u1"), ("conv", "u2"), ("hist", "u2")]
        async with store.lock("user:u1", read=read) as values:
            assert values == [b"state", b"history", None, None]
        assert len(queries) == 1  # the four misses, one query
        async with store.lock("user:u1", read=read[:2]) as values:
            assert values == [b"state", b"history"]
        assert len(queries) == 1  # now in memory
    finally:
        del store._connection.execute_fetchall
        await store.close()
