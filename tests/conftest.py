"""Fixtures shared by the whole suite."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest_plugins = ["tests.support.hang_report"]

BotFactory = Callable[..., Any]


def write_bot(root: Path, dialogs: dict[str, str], config: dict[str, Any] | None = None) -> Path:
    """A bot folder: config.yaml and one file per dialog; returns the config path."""
    (root / "dialogs").mkdir(parents=True, exist_ok=True)
    for name, text in dialogs.items():
        (root / "dialogs" / f"{name}.yaml").write_text(textwrap.dedent(text))
    data = {"dialogs": ["dialogs/"], "store": {"url": "sqlite:///var/parley.db"}}
    data |= config or {}
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
async def make_bot(tmp_path: Path) -> AsyncIterator[BotFactory]:
    """`await make_bot(dialogs={"name": YAML}, config={...})` opens a real bot on a SQLite file."""
    from runtime.bot import Bot
    from runtime.config import load_config

    opened: list[Bot] = []

    async def factory(dialogs: dict[str, str], config: dict[str, Any] | None = None) -> Bot:
        path = write_bot(tmp_path, dialogs, config)
        bot = await Bot.open(load_config(path, env={}))
        opened.append(bot)
        return bot

    yield factory
    for bot in opened:
        await bot.close()
