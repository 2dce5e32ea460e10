"""Replay a transcript over the webhook of a real `parley serve` process (spec/channels.md).

    async with parley_server(tmp_path, dialogs=[ROOT / "dialogs" / "order_pizza.yaml"]) as server:
        result = await replay_over_webhook(path, server)
    assert result.passed, result.render()

`parley_server` writes a bot folder (a config.yaml naming the dialogs, a SQLite store in its
``var/``, the webhook on in sync mode with a fresh secret) and runs the installed
``parley serve --port PORT`` there, on a free port of 127.0.0.1, until the block ends.

`replay_over_webhook` replays a transcript file with the replay loop and matching code of
`parley test` (`runtime.transcripts.replay.Replay`), and `WebhookPeer` carries its steps: a
`user` step is a signed ``POST /webhook`` whose answer holds what the bot said, and
`restart: server` kills the process with SIGKILL (no shutdown: nothing is flushed or closed on
the way out) and starts it again on the same SQLite file and port.

The webhook shows what the bot says and nothing else, so a step that needs more fails the
replay, never skipped: `expect` fails at its line (the conversation's state is not on the
wire), and so do `authorize` and `deny` (after an authorization the resumed conversation's
messages wait in the store for ``GET /webhook/messages``, which this replayer does not read).
`fixtures` and `stubs` act inside the bot's process: a transcript with any fails before it
starts.

A transcript's `user_id` is used as the webhook's ``user_id``, as is: a second replay of it on
the same server continues the first one's conversation. Without one, each replay is a new user.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import yaml

from bench.sandbox_bot import parley_command
from channels.signing import signed_headers
from runtime.engine.messages import Outbound, error
from runtime.errors import DefinitionError
from runtime.intents import IntentResult
from runtime.transcripts.loader import default_name, load_transcript
from runtime.transcripts.model import Transcript
from runtime.transcripts.replay import Replay, StepError
from runtime.transcripts.report import Failure, Result
from tests.channels.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = (ROOT / "dialogs",)  # the repository's own bot
START_TIMEOUT = 60.0  # seconds for a started server to answer /healthz: a failsafe
STOP_TIMEOUT = 20.0  # seconds for a server to end after SIGTERM, before SIGKILL
STEP_TIMEOUT = 30.0  # a step's limit: a round trip to another process, a failsafe
POLL = 0.05  # seconds between /healthz tries
LOG_TAIL = 30  # lines of the server's output shown when it fails

NO_STATE = (
    "`expect` reads the conversation's state, which the webhook does not show: a transcript "
    "replayed over the wire can check only what the bot says"
)
NO_AUTHORIZATION = (
    "`{kind}` is not replayed over the webhook: the resumed conversation's messages would come "
    "from GET /webhook/messages, which this replayer does not read; replay this transcript in "
    "process (parley test)"
)
NO_FIXTURES = (
    "`fixtures` set up the bot's own process, which a replay over the webhook does not reach"
)
NO_STUBS = (
    "stub {name!r}: stubs answer service nodes inside the bot's own process; over the webhook "
    "the real service is called"
)


class ServerFailed(Exception):
    """`parley serve` did not start or stopped answering; the message ends with its output."""


class ParleyServer:
    """`parley serve` in the bot folder `root`, listening on 127.0.0.1:`port`, as a process
    that can be killed and started again."""

    def __init__(self, root: Path, port: int, secret: str, env: Mapping[str, str]) -> None:
        self.root = root
        self.port = port
        self.secret = secret  # the webhook's
        self.env = dict(env)
        self.url = f"http://127.0.0.1:{port}"
        self.process: asyncio.subprocess.Process | None = None
        self.exits: list[int] = []  # the return code of each process that ended, in order
        self.starts = 0

    @property
    def log(self) -> Path:
        """What the running (or last) process wrote, stdout and stderr together."""
        return self.root / f"serve-{self.starts}.log"

    def tail(self) -> str:
        """The last lines of `log`, indented, after a newline; "" when it is empty."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()[-LOG_TAIL:]
        except OSError:
            return ""
        return "".join(f"\n    {line}" for line in lines)

    async def start(self) -> None:
        """Start the process and return once it answers /healthz; raises `ServerFailed`."""
        if self.process is not None:
            raise ServerFailed(f"expected a stopped server, got one running (pid {self.pid})")
        self.starts += 1
        command = [parley_command(), "serve", "--config", str(self.root / "config.yaml")]
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command,
                "--port",
                str(self.port),
                cwd=self.root,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env=self.env,
            )
        await self._until_healthy(self.process)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def kill(self) -> None:
        """SIGKILL: the process ends at once, without shutting anything down."""
        process = self._take()
        if process.returncode is None:
            process.kill()
        self.exits.append(await process.wait())

    async def restart(self) -> None:
        """Kill the process (SIGKILL) and start a new one on the same folder and port."""
        await self.kill()
        await self.start()

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if the process has not ended after STOP_TIMEOUT seconds."""
        if self.process is None:
            return
        process = self._take()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
        self.exits.append(await process.wait())

    def _take(self) -> asyncio.subprocess.Process:
        if self.process is None:
            raise ServerFailed("expected a running server, got none")
        process, self.process = self.process, None
        return process

    async def _until_healthy(self, process: asyncio.subprocess.Process) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        async with httpx2.AsyncClient(timeout=2.0) as http:
            while True:
                if process.returncode is not None:
                    self.process = None
                    self.exits.append(process.returncode)
                    raise ServerFailed(
                        f"parley serve exited with {process.returncode} before answering "
                        f"/healthz:{self.tail()}"
                    )
                try:
                    if (await http.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx2.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    await self.kill()
                    raise ServerFailed(
                        f"parley serve did not answer /healthz within {START_TIMEOUT:g} s:"
                        f"{self.tail()}"
                    )
                await asyncio.sleep(POLL)


@asynccontextmanager
async def parley_server(
    root: Path,
    *,
    dialogs: Sequence[Path] = DIALOGS,
    config: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[ParleyServer]:
    """`parley serve` over a bot folder written at `root`: `dialogs` (files or folders), a
    SQLite store in ``root/var``, the webhook in sync mode with a fresh secret. `config` adds
    or replaces top-level keys of config.yaml (but not ``channels.webhook``); `env` is the
    process's environment (default: this one's). The server is stopped when the block ends."""
    webhook = {"enabled": True, "secret": secrets.token_urlsafe(24), "mode": "sync"}
    data: dict[str, Any] = {
        "dialogs": [str(Path(d).resolve()) for d in dialogs],
        "server": {"host": "127.0.0.1"},
        "store": {"url": "sqlite:///var/parley.db"},
        "secrets": {"key": secrets.token_urlsafe(32)},
    }
    data |= config or {}
    data["channels"] = {**data.get("channels", {}), "webhook": webhook}
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(yaml.safe_dump(data))
    server = ParleyServer(root, free_port(), webhook["secret"], os.environ if env is None else env)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def from_wire(data: Mapping[str, Any]) -> Outbound:
    """A bot message read back from its JSON on the wire (spec/channels.md). A button's value
    or URL is kept as its second half; transcripts check only the labels."""
    if data.get("type") == "error":
        return error(str(data.get("code", "")), str(data.get("message", "")))
    buttons = tuple(
        (str(b.get("label", "")), str(b.get("value", b.get("url", ""))))
        for b in data.get("buttons", ())
    )
    return Outbound(
        type=str(data.get("type", "")),
        text=str(data.get("text", "")),
        buttons=buttons,
        profile=str(data.get("profile", "")),
        provider=str(data.get("provider", "")),
        url=str(data.get("url", "")),
        session=str(data.get("session", "")),
        reply_to=data.get("reply_to"),
    )


class WebhookPeer:
    """A replay's peer (`runtime.transcripts.replay.Peer`): one user of `server`'s webhook."""

    def __init__(self, server: ParleyServer, user_id: str, http: httpx2.AsyncClient) -> None:
        self.server = server
        self.user_id = user_id
        self.http = http
        self._ids = f"wire-{secrets.token_hex(4)}"  # message ids of this replay: never repeated
        self._sent = 0

    async def start(self, dialog: str) -> list[Outbound]:
        raise StepError(NO_FIXTURES)

    async def say(self, text: str) -> list[Outbound]:
        self._sent += 1
        message = {"user_id": self.user_id, "message_id": f"{self._ids}-{self._sent}", "text": text}
        body = json.dumps(message).encode()
        headers = {"Content-Type": "application/json", **signed_headers(self.server.secret, body)}
        try:
            response = await self.http.post(
                f"{self.server.url}/webhook", content=body, headers=headers
            )
        except httpx2.HTTPError as exc:
            raise StepError(
                f"POST /webhook failed ({type(exc).__name__}: {exc}); the server's output:"
                f"{self.server.tail()}"
            ) from exc
        if response.status_code != 200:
            raise StepError(f"POST /webhook answered {response.status_code}: {response.text}")
        return [from_wire(m) for m in response.json()["messages"]]

    async def authorize(self, link: Outbound, *, allow: bool) -> list[Outbound]:
        raise StepError(NO_AUTHORIZATION.format(kind="authorize" if allow else "deny"))

    async def restart(self) -> None:
        try:
            await self.server.restart()
        except ServerFailed as exc:
            raise StepError(f"the server did not come back after SIGKILL: {exc}") from exc

    async def state(self) -> Mapping[str, Any]:
        raise StepError(NO_STATE)

    def intent(self, text: str) -> IntentResult:
        raise StepError(NO_STATE)


def wire_refusals(transcript: Transcript) -> tuple[Failure, ...]:
    """A failure for each part of `transcript` that sets up the bot's own process (fixtures,
    stubs): a replay over the webhook cannot."""
    fixtures = transcript.fixtures
    refused = []
    if fixtures.entities or fixtures.globals or fixtures.dialog is not None:
        refused.append(Failure(transcript.file, fixtures.line, NO_FIXTURES))
    for stub in transcript.stubs:
        name = f"{stub.dialog}.{stub.node}" if stub.dialog else stub.node
        refused.append(Failure(transcript.file, stub.line, NO_STUBS.format(name=name)))
    return tuple(refused)


async def replay_over_webhook(
    path: str | Path, server: ParleyServer, *, step_timeout: float = STEP_TIMEOUT
) -> Result:
    """Replay the transcript file at `path` over `server`'s webhook: its `Result`, as
    `parley test` reports it (a mistake in the file, too, is a failed result)."""
    file = str(path)
    try:
        transcript = load_transcript(path)
    except DefinitionError as exc:
        return Result(file, default_name(file), tuple(map(Failure.of, exc.problems)))
    refused = wire_refusals(transcript)
    if refused:
        return Result(transcript.file, transcript.name, refused)
    user = transcript.user_id or f"wire-{secrets.token_hex(6)}"
    async with httpx2.AsyncClient(timeout=step_timeout) as http:
        peer = WebhookPeer(server, user, http)
        return await Replay(peer, transcript, step_timeout=step_timeout).run()
