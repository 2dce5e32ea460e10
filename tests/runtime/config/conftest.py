"""Fixtures for the config tests: a config.yaml written to the current folder, then loaded."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from runtime.config import Config, load_config
from runtime.errors import ConfigError


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, so messages name the file as `config.yaml:LINE:`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def load(in_tmp: Path) -> Callable[..., Config]:
    """`load(YAML, env={})`: the Config read from ./config.yaml holding YAML."""

    def read(text: str, env: dict[str, str] | None = None) -> Config:
        (in_tmp / "config.yaml").write_text(textwrap.dedent(text))
        return load_config("config.yaml", env=env or {})

    return read


@pytest.fixture
def problems(in_tmp: Path) -> Callable[..., list[str]]:
    """`problems(YAML, env={})`: every message load_config reports for YAML."""

    def read(text: str, env: dict[str, str] | None = None) -> list[str]:
        (in_tmp / "config.yaml").write_text(textwrap.dedent(text))
        with pytest.raises(ConfigError) as caught:
            load_config("config.yaml", env=env or {})
        return caught.value.messages

    return read
