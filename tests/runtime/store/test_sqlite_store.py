"""What only the SQLite store promises: its file, WAL, lazy purging and clear failures."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from runtime.errors import StoreError
from runtime.store.sqlite import SQLiteStore


def rows(path: Path, ns: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [key for (key,) in db.execute("SELECT key FROM kv WHERE ns = ?", (ns,))]


async def test_open_creates_the_missing_folders_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "var" / "deep" / "parley.db"
    store = SQLiteStore(path)
    await store.open()
    try:
        await store.put("conv", "u1", b"state")
    finally:
        await store.close()
    assert path.is_file()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_an_expired_value_is_purged_when_read(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "store.db")
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
    store = SQLiteStore(path)
    await store.open()
    await store.put("conv", "gone", b"x", ttl=0.1)
    await store.close()
    await asyncio.sleep(0.3)
    store = SQLiteStore(path)
    await store.open()
    await store.close()
    assert rows(path, "conv") == []


async def test_a_folder_in_place_of_the_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "store.db").mkdir()
    with pytest.raises(StoreError, match=r"cannot open .*store\.db: it is not a file"):
        await SQLiteStore(tmp_path / "store.db").open()


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "store.db").write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError, match="not a database"):
        await SQLiteStore(tmp_path / "store.db").open()


async def test_using_a_store_before_open_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"not open: call open\(\) first"):
        await SQLiteStore(tmp_path / "store.db").get("conv", "u1")


async def test_concurrent_puts_are_all_durable_and_the_last_of_a_key_wins(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    await store.open()
    await asyncio.gather(
        *(store.put("conv", f"user-{i}", f"state {i}".encode()) for i in range(200)),
        *(store.put("conv", "shared", str(i).encode()) for i in range(50)),
    )
    await store.close()
    reopened = SQLiteStore(tmp_path / "s.db")
    await reopened.open()
    try:
        assert await reopened.get("conv", "user-0") == b"state 0"
        assert await reopened.get("conv", "user-199") == b"state 199"
        assert len([key async for key, _ in reopened.scan("conv")]) == 201
        assert await reopened.get("conv", "shared") == b"49"
    finally:
        await reopened.close()


async def test_a_failed_batch_fails_every_put_in_it(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    await store.open()
    await store.put("conv", "a", b"1")
    await store._connection.execute("DROP TABLE kv")  # the file breaks under the store
    results = await asyncio.gather(
        *(store.put("conv", f"k{i}", b"x") for i in range(10)), return_exceptions=True
    )
    await store.close()
    assert all(isinstance(r, StoreError) for r in results)
