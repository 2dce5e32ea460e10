"""`parley serve` as a process: SIGTERM in the middle of a turn lets the turn finish, be stored
and answered, closes the socket with 1001 (going away), and a restart on the same SQLite file
continues the conversation. The first run is on uvloop (the default), the restart on asyncio's
own loop (`--loop asyncio`)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiohttp import WSMsgType, web

from tests.channels.conftest import WAIT, Chat, free_port, new_session, until

ROOT = Path(__file__).resolve().parents[2]

BOOKING = """
dialog: booking
intents: [book a room]
nodes:
  - id: name
    type: entity
    entity_type: string
    prompt: Your name?
  - id: save
    type: service
    request:
      method: POST
      url: "{{ globals.api }}/save"
      json: {name: "{{ entities.name }}"}
    next: saved
  - id: saved
    type: message
    text: "Saved {{ nodes.save.response.body.id }} for {{ entities.name }}."
  - id: day
    type: entity
    entity_type: string
    prompt: Which day?
  - id: done
    type: message
    text: "See you on {{ entities.day }}, {{ entities.name }}."
"""


class SlowService:
    """Answers /save only when released, so a turn can be caught in flight."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    async def save(self, request: web.Request) -> web.Response:
        self.calls += 1
        self.arrived.set()
        await self.release.wait()
        return web.json_response({"id": "S-1"}, status=201)


async def start_parley(
    config: Path, port: int, loop: str = "uvloop", *options: str
) -> asyncio.subprocess.Process:
    """`parley serve --port PORT [OPTIONS]`, checked to run on `loop`: the config names no
    port, so its public_url follows."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "runtime.cli",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
        *options,
        cwd=config.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), WAIT)).decode()
        assert line, (await process.stderr.read()).decode() if process.stderr else "no output"
        if " is listening on " in line:
            assert line.rstrip().endswith(f"({loop} event loop)"), line
        if line.startswith("Web chat: "):
            assert line.strip() == f"Web chat: http://127.0.0.1:{port}/"
            return process


def write_bot(folder: Path, dialog: str, api: str) -> Path:
    """A bot folder with `dialog`, a SQLite store and `globals.api`; its config.yaml."""
    (folder / "dialogs").mkdir()
    (folder / "dialogs" / "booking.yaml").write_text(dialog)
    config = folder / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "dialogs": ["dialogs/"],
                "server": {"host": "127.0.0.1"},
                "store": {"url": "sqlite:///var/parley.db"},
                "globals": {"api": api.rstrip("/")},
            }
        )
    )
    return config


def refuses_connections(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


async def test_sigterm_mid_turn_finishes_the_turn_then_a_restart_continues(
    tmp_path, aiohttp_server
):
    service = SlowService()
    flight = await booking_in_flight(tmp_path, aiohttp_server, service)
    config, port, url, process, token, chat = (
        flight.config, flight.port, flight.url, flight.process, flight.token, flight.chat
    )  # fmt: skip
    try:
        process.send_signal(signal.SIGTERM)
        await until(lambda: refuses_connections(port), "the server stops listening")
        service.release.set()
        saved, asked = await chat.receive(), await chat.receive()
        assert (saved["text"], saved["reply_to"]) == ("Saved S-1 for Ada.", "c-ada")
        assert asked["text"] == "Which day?"
        closing = await chat.ws.receive(timeout=WAIT)
        assert (closing.type, closing.data) == (WSMsgType.CLOSE, 1001)
    finally:
        await chat.close()
    assert await asyncio.wait_for(process.wait(), WAIT) == 0
    assert process.stderr is not None
    assert "Traceback" not in (await process.stderr.read()).decode()

    process = await start_parley(config, port, "asyncio", "--loop", "asyncio")
    chat = await Chat.open(url, token, greeted=False, origin=url)
    try:
        assert (await chat.say("Friday"))["text"] == "See you on Friday, Ada."
    finally:
        await chat.close()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    assert service.calls == 1


VERIFIED_BOOKING = BOOKING.replace(
    """      json: {name: "{{ entities.name }}"}
    next: saved""",
    """      json: {name: "{{ entities.name }}"}
    verify:
      url: "{{ globals.api }}/saved"
      query: {name: "{{ entities.name }}"}
      found: response.body.found
      response: {status: 201, body: {id: "{{ response.body.id }}"}}
    next: saved""",
)


class StoringService(SlowService):
    """Stores each /save at once and then holds its answer: the record exists, the bot has
    not heard so."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    async def save(self, request: web.Request) -> web.Response:
        self.names.append((await request.json())["name"])
        return await super().save(request)

    async def saved(self, request: web.Request) -> web.Response:
        name = request.query["name"]
        if name in self.names:
            return web.json_response({"found": True, "id": f"S-{self.names.index(name) + 1}"})
        return web.json_response({"found": False})


@dataclass
class InFlight:
    """`parley serve` on a booking bot, and a user whose "Ada" is at the service, held there."""

    service: SlowService
    config: Path
    port: int
    url: str
    process: asyncio.subprocess.Process
    token: str
    chat: Chat


async def booking_in_flight(
    tmp_path: Path, aiohttp_server: Any, service: SlowService, dialog: str = BOOKING
) -> InFlight:
    api = web.Application()
    api.router.add_post("/save", service.save)
    if isinstance(service, StoringService):
        api.router.add_get("/saved", service.saved)
    api_server = await aiohttp_server(api)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = write_bot(tmp_path, dialog, str(api_server.make_url("")))
    process = await start_parley(config, port)
    token = (await new_session(url))["token"]
    chat = await Chat.open(url, token, origin=url)
    try:
        assert (await chat.say("book a room"))["text"] == "Your name?"
        await chat.send("Ada", "c-ada")
        await asyncio.wait_for(service.arrived.wait(), WAIT)
    except BaseException:
        await chat.close()
        raise
    return InFlight(service, config, port, url, process, token, chat)


async def test_sigkill_with_a_post_out_is_found_out_at_restart_and_told_unasked(
    tmp_path, aiohttp_server
):
    """Killed while a POST is out (stored by the service, unanswered): the restarted server
    runs verify by itself, and the user's next connection hears the outcome without writing."""
    service = StoringService()
    flight = await booking_in_flight(tmp_path, aiohttp_server, service, VERIFIED_BOOKING)
    config, port, url, process, token, chat = (
        flight.config, flight.port, flight.url, flight.process, flight.token, flight.chat
    )  # fmt: skip
    try:
        process.kill()  # SIGKILL: nothing is saved or closed on the way out
        await process.wait()
    finally:
        await chat.close()

    process = await start_parley(config, port)
    chat = await Chat.open(url, token, greeted=False, origin=url)
    try:
        saved, asked = await chat.receive(), await chat.receive()
        assert saved["text"] == "Saved S-1 for Ada."
        assert asked["text"] == "Which day?"
        assert (await chat.say("Friday"))["text"] == "See you on Friday, Ada."
    finally:
        await chat.close()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    assert service.names == ["Ada"]  # never sent twice
    assert process.stderr is not None
    assert "Traceback" not in (await process.stderr.read()).decode()


async def test_sigusr1_writes_what_every_task_waits_for_and_serving_goes_on(
    tmp_path, aiohttp_server
):
    # An operator's view of a turn that does not finish: the chain of awaits down to the
    # service call it waits for, on stderr, while the server keeps serving.
    service = SlowService()
    flight = await booking_in_flight(tmp_path, aiohttp_server, service)
    process, chat = flight.process, flight.chat
    try:
        process.send_signal(signal.SIGUSR1)
        service.release.set()
        assert (await chat.receive())["text"] == "Saved S-1 for Ada."
        assert (await chat.receive())["text"] == "Which day?"
    finally:
        await chat.close()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    assert process.stderr is not None
    dump = (await process.stderr.read()).decode()
    assert "asyncio tasks" in dump
    chain = [line.strip() for line in dump.splitlines() if line.startswith("    ")]
    assert any("runtime/engine/engine.py" in line and "in handle" in line for line in chain)
    # and below the turn's outermost frame, where it waits (the call, or saving its note)
    deeper = ("runtime/engine/service.py", "runtime/engine/executor.py", "runtime/store/")
    assert any(any(part in line for part in deeper) for line in chain), dump
