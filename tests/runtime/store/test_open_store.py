"""open_store: a store.url to an unopened store of the right kind, or a ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.errors import ConfigError
from runtime.store import Store, open_store, store_url_problem
from runtime.store.redis import RedisStore
from runtime.store.sqlite import SQLiteStore
from tests.runtime.store.backends import REDIS_URL


async def test_a_relative_sqlite_path_is_taken_from_the_root(tmp_path: Path) -> None:
    store = open_store("sqlite:///var/parley.db", tmp_path)
    assert isinstance(store, SQLiteStore) and isinstance(store, Store)
    await store.open()
    try:
        await store.put("conv", "u1", b"x")
    finally:
        await store.close()
    assert (tmp_path / "var" / "parley.db").is_file()


def test_an_absolute_sqlite_path_is_kept(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/abs.db", Path("/elsewhere"))
    assert isinstance(store, SQLiteStore)
    assert store.path == tmp_path / "abs.db"


async def test_a_redis_url_opens_a_redis_store() -> None:
    store = open_store(REDIS_URL, Path("."))
    assert isinstance(store, RedisStore) and isinstance(store, Store)
    await store.open()
    try:
        assert await store.get("conv", "nobody-has-this-key") is None
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mongodb://db:27017", "unknown store scheme 'mongodb'"),
        ("var/parley.db", "got no scheme"),
        ("sqlite://host/parley.db", "takes no host"),
        ("sqlite:///", "needs a file name"),
        ("sqlite:///var/", "needs a file name"),
        ("redis://127.0.0.1:port/0", "bad port"),
        ("redis://127.0.0.1:6379/zero", "a Redis database is a number, got 'zero'"),
    ],
)
def test_a_bad_url_is_a_config_error_naming_store_url(url: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url, Path("."))
    assert caught.value.messages[0].startswith("store.url: ")
    assert reason in caught.value.messages[0]
    assert reason in (store_url_problem(url) or "")


@pytest.mark.parametrize(
    "url",
    ["sqlite:///var/parley.db", "sqlite:////srv/parley.db", "redis://h:6379/2", "rediss://h/0"],
)
def test_good_urls_have_no_problem(url: str) -> None:
    assert store_url_problem(url) is None
