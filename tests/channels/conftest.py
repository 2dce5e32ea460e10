"""Real servers on 127.0.0.1 for the channel tests, and small real clients to drive them.

* `serve_bot`: `await serve_bot(dialogs={...}, config={...}, settings=...)` runs the bot's whole
  aiohttp server on a free port (its `public_url` is that port, so OAuth callbacks find it) over
  a SQLite file in tmp_path, and returns a `Served`.
* `sandbox_org`: the sandbox Salesforce-compatible org, for per-user authorizations.
* `Chat`: a WebSocket client that speaks the wire format of spec/channels.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx2
import pytest
from aiohttp import web

from channels.server import app_runner, create_app, open_bot
from channels.settings import ChannelSettings
from runtime.bot import Bot
from runtime.config import load_config
from sandbox.server import RunningSandbox, run_sandbox
from tests.conftest import write_bot

WAIT = 20.0  # a failsafe against a hung test, never a measured duration

NOTE_DIALOG = """
dialog: note
intents: [take a note]
nodes:
  - id: what
    type: entity
    entity_type: string
    prompt: What should I note?
  - id: done
    type: message
    text: "Noted: {{ entities.what }}."
"""

LEAD_DIALOG = """
dialog: new_lead
intents: [create a lead]
nodes:
  - id: last_name
    type: entity
    entity_type: string
    prompt: What is the lead's last name?
  - id: company
    type: entity
    entity_type: string
    prompt: Which company does {{ entities.last_name }} work for?
  - id: create
    type: service
    auth: crm
    request:
      method: POST
      url: "{{ auth.crm.instance_url }}/services/data/v60.0/sobjects/Lead/"
      json:
        LastName: "{{ entities.last_name }}"
        Company: "{{ entities.company }}"
    next:
      - when: response.status == 201
        to: created
      - to: failed
  - id: created
    type: message
    text: "Lead {{ nodes.create.response.body.id }} created for {{ entities.company }}."
    next: end
  - id: failed
    type: message
    text: "The CRM refused the lead ({{ nodes.create.response.status }})."
"""


def crm_config(sb: RunningSandbox) -> dict[str, Any]:
    """An auth profile `crm` on the sandbox org, per user; the built-in Salesforce one off."""
    return {
        "auth_profiles": {
            "crm": {
                "identity_provider": "Sandbox CRM",
                "client_id": sb.client_id,
                "client_secret": sb.client_secret,
                "authorization_url": sb.authorize_url,
                "token_url": sb.token_url,
                "scope": "api refresh_token",
                "mode": "per_user",
            }
        },
        "integrations": {"salesforce": {"enabled": False}},
    }


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://", 1) + "/ws"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    bot: Bot
    app: web.Application
    runner: web.AppRunner
    root: Path

    @property
    def ws_url(self) -> str:
        return ws_url(self.url)

    async def stop(self) -> None:
        await self.runner.cleanup()
        await self.bot.close()


ServeBot = Callable[..., Awaitable[Served]]


async def start_served(
    root: Path,
    dialogs: dict[str, str],
    config: dict[str, Any] | None = None,
    settings: ChannelSettings | None = None,
) -> Served:
    """The bot of `dialogs` and `config` in `root`, served on a free port of 127.0.0.1; the
    caller stops it (`Served.stop`)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    data = {"server": {"host": "127.0.0.1", "port": port, "public_url": url}}
    data |= config or {}
    settings = settings or ChannelSettings()
    bot, metrics = await open_bot(load_config(write_bot(root, dialogs, data), env={}), settings)
    app = create_app(bot, settings, metrics=metrics)
    runner = app_runner(app)  # as `parley serve` runs it
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return Served(url, bot, app, runner, root)


@pytest.fixture
async def serve_bot(tmp_path: Path) -> AsyncIterator[ServeBot]:
    running: list[Served] = []

    async def start(
        dialogs: dict[str, str],
        config: dict[str, Any] | None = None,
        settings: ChannelSettings | None = None,
        root: Path | None = None,
    ) -> Served:
        root = root or tmp_path / f"bot{len(running)}"
        served = await start_served(root, dialogs, config, settings)
        running.append(served)
        return served

    yield start
    for served in running:
        if served.runner.server is not None:
            await served.stop()


@pytest.fixture
async def sandbox_org(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    async with run_sandbox(port=0, db=tmp_path / "sandbox.db") as sb:
        yield sb


async def new_session(url: str, token: str | None = None) -> dict[str, str]:
    async with httpx2.AsyncClient() as http:
        body = {"token": token} if token else {}
        response = await http.post(f"{url}/api/sessions", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())


@dataclass
class Chat:
    """One WebSocket of one user."""

    ws: aiohttp.ClientWebSocketResponse
    http: aiohttp.ClientSession
    sent: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)
    greeting: dict[str, Any] | None = None

    @classmethod
    async def open(cls, url: str, token: str, *, greeted: bool = True, **kwargs: Any) -> Chat:
        """A socket to the server at `url` (http://host:port) for the user of `token`.

        `greeted`: the user is new, so the server greets them first; the greeting is read
        (into `greeting`) before this returns. False for a user who has spoken before, or a
        socket that is refused."""
        http = aiohttp.ClientSession()
        try:
            ws = await http.ws_connect(f"{ws_url(url)}?token={token}", **kwargs)
        except BaseException:
            await http.close()
            raise
        chat = cls(ws, http)
        if greeted:
            greeting = await chat.receive()
            assert greeting["type"] == "message" and "reply_to" not in greeting, greeting
            chat.greeting, chat.seen = greeting, []
        return chat

    async def send(self, text: Any, message_id: str | None = None) -> str:
        self.sent += 1
        message_id = message_id or f"c-{self.sent}"
        await self.ws.send_str(json.dumps({"type": "message", "id": message_id, "text": text}))
        return message_id

    async def receive(self) -> dict[str, Any]:
        frame = await self.ws.receive(timeout=WAIT)
        assert frame.type is aiohttp.WSMsgType.TEXT, f"expected a message, got {frame!r}"
        message = json.loads(frame.data)
        self.seen.append(message)
        return message

    async def say(self, text: str) -> dict[str, Any]:
        """Send `text` and return the one message that answers it."""
        message_id = await self.send(text)
        answer = await self.receive()
        assert answer.get("reply_to") == message_id, answer
        return answer

    async def close(self) -> None:
        await self.ws.close()
        await self.http.close()


@pytest.fixture
async def chats() -> AsyncIterator[Callable[..., Awaitable[Chat]]]:
    """`await chats(served, token)` opens a Chat that is closed after the test."""
    opened: list[Chat] = []

    async def open_chat(served: Served, token: str, **kwargs: Any) -> Chat:
        chat = await Chat.open(served.url, token, **kwargs)
        opened.append(chat)
        return chat

    yield open_chat
    for chat in opened:
        await chat.close()


async def until(condition: Callable[[], Any], what: str) -> None:
    """Wait for a condition another task or process brings about (bounded, never asserted on
    time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        await asyncio.sleep(0.01)


SECRET = "webhook-secret-for-tests"


def sign(body: bytes, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Signs as a relay would, written out here rather than borrowed from the server."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Parley-Timestamp": stamp, "X-Parley-Signature": f"sha256={mac}"}


async def post_hook(
    served: Served, payload: Any, *, secret: str = SECRET, timestamp: int | None = None
) -> httpx2.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **sign(body, secret=secret, timestamp=timestamp)}
    async with httpx2.AsyncClient() as http:
        return await http.post(f"{served.url}/webhook", content=body, headers=headers)


def sign_request(
    method: str, target: str, *, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Signs a request without a body over `METHOD TARGET`, the path and query as sent."""
    return sign(f"{method} {target}".encode(), secret=secret, timestamp=timestamp)


async def fetch_hook(served: Served, user_id: str, after: int = 0) -> httpx2.Response:
    """`GET /webhook/messages?user_id=...&after=...`, signed over its percent-encoded target."""
    target = "/webhook/messages?" + urlencode({"user_id": user_id, "after": after})
    async with httpx2.AsyncClient() as http:
        return await http.get(served.url + target, headers=sign_request("GET", target))


class Receiver:
    """The relay's callback endpoint: checks signatures, fails when told, records the rest."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.got: list[dict[str, Any]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        body = await request.read()
        stamp = request.headers["X-Parley-Timestamp"]
        mac = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        assert request.headers["X-Parley-Signature"] == f"sha256={mac.hexdigest()}"
        assert abs(time.time() - int(stamp)) < 300
        if self.failures:
            self.failures -= 1
            return web.json_response({"error": "busy"}, status=503)
        self.got.append(json.loads(body))
        return web.json_response({"ok": True})

    def texts(self) -> list[str]:
        return [m.get("text") or m.get("message") for batch in self.got for m in batch["messages"]]


@pytest.fixture
async def receiver(aiohttp_server):
    async def start(failures: int = 0) -> Receiver:
        found = Receiver(failures)
        app = web.Application()
        app.router.add_post("/hook", found.handle)
        server = await aiohttp_server(app)
        found.url = str(server.make_url("/hook"))
        return found

    return start


def async_config(url: str) -> dict[str, Any]:
    return {"channels": {"webhook": {"secret": SECRET, "mode": "async", "callback_url": url}}}
