"""Helpers for transcript tests: a bot folder on disk, its transcripts, and a replay of them."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from runtime.config import load_config
from runtime.transcripts import Result, Runner, open_replay_bot
from tests.conftest import write_bot

ROOT = Path(__file__).resolve().parents[3]

PIZZA = """
dialog: order_pizza
description: Order a pizza
intents: [order a pizza, I want a pizza]
nodes:
  - id: size
    type: entity
    entity_type: list
    prompt: What size?
    values: [small, large]
  - id: name
    type: entity
    prompt: Your name?
    set:
      greeting: "'Thanks ' ~ entities.name"
  - id: done
    type: message
    text: "{{ vars.greeting }}, a {{ entities.size }} pizza is coming."
"""

LOOKUP = """
dialog: lookup
description: Look up an order
intents: [look up my order]
nodes:
  - id: number
    type: entity
    entity_type: number
    prompt: Which order number?
  - id: fetch
    type: service
    request:
      url: "{{ globals.orders_url }}/orders/{{ entities.number }}"
      timeout: 60
    on_error: unreachable
    next:
      - when: response.status == 200
        to: found
      - to: missing
  - id: found
    type: message
    text: "Order {{ entities.number }} is {{ nodes.fetch.response.body.state }}."
    next: end
  - id: missing
    type: message
    text: "No order {{ entities.number }} (status {{ nodes.fetch.response.status }})."
    next: end
  - id: unreachable
    type: message
    text: The order service is down.
"""

DIALOGS = {"pizza": PIZZA, "lookup": LOOKUP}

Replayer = Callable[..., Awaitable[list[Result]]]


def write_transcripts(folder: Path, transcripts: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in transcripts.items():
        path = folder / f"{name}.transcript.yaml"
        path.write_text(textwrap.dedent(text).lstrip())
        paths.append(path)
    return paths


def bot_folder(root: Path, dialogs: dict[str, str] | None = None, **config: Any) -> Path:
    """A bot's folder with config.yaml; `config` adds top-level keys."""
    config.setdefault("globals", {"orders_url": "http://127.0.0.1:9"})
    write_bot(root, dialogs or DIALOGS, config)
    return root / "config.yaml"


@pytest.fixture
def replay(tmp_path: Path) -> Replayer:
    """`await replay({"name": YAML}, dialogs=..., coverage=False, **runner_options)`: the
    results of replaying those transcripts against a bot built from `dialogs`."""

    async def run(
        transcripts: dict[str, str],
        dialogs: dict[str, str] | None = None,
        *,
        config: dict[str, Any] | None = None,
        sandbox: bool = False,
        on_runner: Callable[[Runner], None] | None = None,
        **options: Any,
    ) -> list[Result]:
        path = bot_folder(tmp_path / "bot", dialogs, **(config or {}))
        files = write_transcripts(tmp_path / "transcripts", transcripts)
        async with open_replay_bot(load_config(path, env={}), sandbox=sandbox) as opened:
            runner = Runner(opened.bot, login=opened.login, **options)
            results = await runner.run([runner.load(f) for f in files])
            if on_runner is not None:
                on_runner(runner)
            return results

    return run


def only(results: list[Result]) -> Result:
    (result,) = results
    return result


@pytest.fixture
async def hanging_server() -> AsyncIterator[str]:
    """The URL of a server on 127.0.0.1 that accepts connections and never answers."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.close()
    await server.wait_closed()
