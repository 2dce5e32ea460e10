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
