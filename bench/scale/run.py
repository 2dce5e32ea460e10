"""Many WebSocket users on one `parley serve`, a few of them talking (by hand).

    .venv/bin/python -m bench.scale.run [--users 20000] [--active 1000] [--seconds 60]
                                        [--pause 2 10] [--workers 4] [--server-nofile N]

One `parley serve` (the installed command, a SQLite store) runs pinned to CPU 0 on a bot folder
made for the run: the Salesforce template ``create_lead`` installed, the ``salesforce``
integration in mode ``pre_authorized`` on the sandbox org, connected once by running ``parley
integrations authorize salesforce`` (so no user signs in). The sandbox org runs in a process of
its own; it, this process and the clients are pinned to CPU 1 when there is one.

The clients are WORKERS processes, each holding its share of the USERS sockets from a source
address of its own (127.0.0.2, 127.0.0.3, ...: the ephemeral ports of one address would run out
first). Each user asks ``POST /api/sessions`` for a token, opens ``/ws?token=...`` and reads
its greeting; a task reads whatever the socket receives, so that pings are answered. Once
everyone is connected, the ACTIVE users (the first of each worker) hold create_lead's whole
conversation again and again for SECONDS, each message after a pause drawn uniformly from PAUSE
seconds: "create a lead", last name, first name, company, email, "skip" the phone, "skip" the
job title, and the lead is created in the sandbox org. Every answer is checked against what the
template says, and the leads are counted in the org at the end, so a server that stops doing
the work fails the run instead of looking fast. The others stay connected and quiet; at the
end, those still connected are counted.

Printed: connections asked and held, the time it took to connect everyone, the server's
resident memory before and after (and so per connection), the active users' turns with the
p50/p99/max time from a message sent to the last answer of its turn, turns/s, the server's CPU
(from /proc/PID/stat) while connecting and while the active users talk, and the goals: 20,000
held with <= 20 KiB each, p99 <= 20 ms.

`parley serve` raises its soft limit of open files to the hard one; the run prints both as the
server set them. A connection that fails is classified: the server out of open files (it
resets or refuses connections, or says so in its log, with its descriptors at the limit), the
client's ephemeral ports (EADDRNOTAVAIL) or the client's own open files, and the run prints
"limit met: WHICH at COUNT connections". A worker stops trying after a few failures. When the
server met its limit, a few idle users hang up before the talking starts, so that the server
has descriptors left for its calls to Salesforce. `--server-nofile N` starts the server with
both limits at N, to meet that limit on purpose.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import errno
import gc
import json
import multiprocessing
import os
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp

from bench.sandbox_bot import authorize, bot_env, letters, parley_command, write_bot
from runtime.cli.loop import run as run_loop
from sandbox.testing import SandboxOrg, tail

USERS_GOAL = 20_000
MEMORY_GOAL_KIB = 20.0
P99_GOAL_MS = 20.0

CONNECT_CONCURRENCY = 32  # connections being opened at once, per worker
MAX_FAILURES = 20  # a worker stops opening connections after this many failed
RELEASE = 64  # idle users who hang up when the server met its limit of open files
SLOW_MS = 100.0  # a turn over this is counted, with when it was sent
ANSWER_TIMEOUT = 30.0  # one turn: a failsafe
START_TIMEOUT = 60.0
SERVER_FDS_SPARE = 64  # a server this close to its soft limit is out of open files

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Niklaus")
COMPANIES = ("Acme Robotics", "Initech", "Globex", "Umbrella Corp", "Hooli", "Vandelay Imports")
PROGRESS = "Creating the lead in Salesforce…"
CREATE = 6  # the script's message that makes the bot create the lead


class UnexpectedReply(Exception):
    pass


class BenchFailed(Exception):
    """The bench could not run (a process did not start, a worker died)."""


# -- the conversation -------------------------------------------------------------------------


def script(number: int) -> list[tuple[str, str | re.Pattern[str]]]:
    """create_lead's whole conversation, lead `number`: (what the user says, what the bot
    answers last; a pattern for the lead created)."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = "Q" + letters(number, 9)
    company = COMPANIES[number % len(COMPANIES)]
    return [
        ("create a lead", "What is the lead's last name?"),
        (last, f'And {last}\'s first name? (or "skip")'),
        (first, f"Which company does {first} {last} work for?"),
        (company, 'Their email address? (say "skip" if you don\'t have it)'),
        (f"{first.lower()}.{last.lower()}@example.com", 'A phone number? (or "skip")'),
        ("skip", f'What is {last}\'s job title? (or "skip")'),
        (
            "skip",
            re.compile(r"Lead 00Q\w{15} " + re.escape(f"created for {first} {last} of {company}.")),
        ),
    ]


def matches(expected: str | re.Pattern[str], text: str) -> bool:
    if isinstance(expected, str):
        return text == expected
    return expected.fullmatch(text) is not None


# -- the server and the org ---------------------------------------------------------------------


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _proc_field(pid: int, name: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise BenchFailed(f"no {name} in /proc/{pid}/status")


def open_files_limits(pid: int) -> tuple[str, str]:
    """(soft, hard) "Max open files" of a process, as /proc/PID/limits writes them."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return soft, hard
    raise BenchFailed(f"no 'Max open files' in /proc/{pid}/limits")


@dataclass
class Server:
    """`parley serve` as a process of its own."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User and system CPU time the server process has used, every thread included."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        return int(_proc_field(self.pid, "VmRSS").split()[0])

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def said_out_of_files(self) -> bool:
        text = self.log.read_text(errors="replace")
        return "Too many open files" in text or "EMFILE" in text


def _server_preexec(nofile: int | None) -> None:
    _pin(0)
    if nofile is not None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))


async def start_server(config: Path, port: int, nofile: int | None) -> Server:
    log = config.parent / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [parley_command(), "serve", "--config", str(config), "--port", str(port)],
            cwd=config.parent,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=bot_env(),
            preexec_fn=lambda: _server_preexec(nofile),
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    async with aiohttp.ClientSession() as http:
        while True:
            if process.poll() is not None:
                raise BenchFailed(f"parley serve exited with {process.returncode}:{tail(log)}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{server.url}/healthz") as response:
                    if response.status == 200:
                        return server
            if time.monotonic() > deadline:
                stop_server(server)
                raise BenchFailed(f"parley serve did not answer /healthz:{tail(log)}")
            await asyncio.sleep(0.1)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(40)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# -- the clients, in worker processes -----------------------------------------------------------


@dataclass
class WorkerSpec:
    index: int
    url: str
    source: str  # the address the worker's sockets are bound to
    users: int
    active: int
    pause: tuple[float, float]
    connect_timeout: float
    seed: int


@dataclass
class Connected:
    """What a worker reports once it has tried to connect its users."""

    held: int
    failures: Counter[str]
    not_tried: int
    started: float  # time.monotonic() of its first attempt
    finished: float  # ... and when its last one ended
    timeline: list[float]  # time.monotonic() of each connection held, in order
    first_failure: float | None
    nofile: tuple[int, int]
    errors: list[str]  # greetings that were not one


@dataclass
class Talked:
    """What a worker reports after the active phase."""

    latencies: list[float]
    steps: list[int]
    sent_at: list[float]
    turns: int
    checked: int  # bot messages checked against the script
    created: int  # conversations that ended with the lead created
    unexpected: list[str]
    idle: int
    idle_held: int
    active_held: int
    stray: int  # messages idle users received (none expected)
    cpu_seconds: float  # the worker's CPU time during the phase


@dataclass
class User:
    number: int
    ws: aiohttp.ClientWebSocketResponse
    inbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    reader: asyncio.Task[None] | None = None

    @property
    def held(self) -> bool:
        return not self.ws.closed and self.reader is not None and not self.reader.done()

    async def read(self) -> None:
        async for frame in self.ws:
            if frame.type is aiohttp.WSMsgType.TEXT:
                self.inbox.put_nowait(json.loads(frame.data))


def classify(exc: BaseException) -> str:
    """Why a connection failed, in words the table uses."""
    code = getattr(exc, "errno", None)
    os_error = getattr(exc, "os_error", None)
    if os_error is not None:
        code = os_error.errno
    if code == errno.EADDRNOTAVAIL:
        return "client: no ephemeral port left (EADDRNOTAVAIL)"
    if code in (errno.EMFILE, errno.ENFILE):
        return "client: out of open files (EMFILE)"
    if code == errno.ECONNREFUSED:
        return "server refused the connection"
    if code in (errno.ECONNRESET, errno.EPIPE) or isinstance(
        exc,
        ConnectionResetError  # aiohttp's "Cannot write to closing transport" among them
        | BrokenPipeError
        | aiohttp.ServerDisconnectedError
        | aiohttp.ClientPayloadError,
    ):
        return "server reset the connection"
    if isinstance(exc, aiohttp.WSServerHandshakeError | aiohttp.ClientResponseError):
        return f"server answered {exc.status}"
    if isinstance(exc, TimeoutError):
        return "server did not answer in time"
    if isinstance(exc, UnexpectedReply):
        return "unexpected greeting"
    return f"{type(exc).__name__}: {exc}"


async def _connect(http: aiohttp.ClientSession, url: str, number: int, timeout: float) -> User:
    async with asyncio.timeout(timeout):
        async with http.post(f"{url}/api/sessions") as response:
            if response.status != 200:
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)
            token = (await response.json())["token"]
        ws_url = url.replace("http://", "ws://") + f"/ws?token={token}"
        ws = await http.ws_connect(ws_url, autoping=True, max_msg_size=0)
        try:
            greeting = await ws.receive()
            if greeting.type is not aiohttp.WSMsgType.TEXT:
                raise UnexpectedReply(f"expected a greeting, got {greeting.type.name}")
            message = json.loads(greeting.data)
            if message.get("type") != "message" or "reply_to" in message:
                raise UnexpectedReply(f"expected the greeting, got {message}")
        except BaseException:
            await ws.close()
            raise
    user = User(number, ws)
    user.reader = asyncio.create_task(user.read())
    return user


class Worker:
    def __init__(self, spec: WorkerSpec, pipe: Connection) -> None:
        self.spec = spec
        self.pipe = pipe
        self.random = random.Random(spec.seed)
        self.users: list[User] = []
        self.active_users: list[User] = []
        self.idle_users: list[User] = []

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=0, local_addr=(self.spec.source, 0), force_close=False
        )
        async with aiohttp.ClientSession(connector=connector) as http:
            self.pipe.send("ready")
            while True:
                command, *args = await asyncio.to_thread(self.pipe.recv)
                if command == "connect":
                    self.pipe.send(await self.connect_all(http))
                elif command == "release":
                    self.pipe.send(await self.release(args[0]))
                elif command == "talk":
                    self.pipe.send(await self.talk(*args))
                elif command == "close":
                    await self.close()
                    self.pipe.send("closed")
                    return

    async def connect_all(self, http: aiohttp.ClientSession) -> Connected:
        spec = self.spec
        failures: Counter[str] = Counter()
        timeline: list[float] = []
        errors: list[str] = []
        first_failure: float | None = None
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        tried = 0
        slots: list[User | None] = [None] * spec.users

        async def one(position: int) -> None:
            nonlocal tried, first_failure
            async with gate:
                if sum(failures.values()) >= MAX_FAILURES:
                    return
                tried += 1
                number = spec.index * 1_000_000 + position
                try:
                    user = await _connect(http, spec.url, number, spec.connect_timeout)
                except Exception as exc:
                    reason = classify(exc)
                    failures[reason] += 1
                    if first_failure is None:
                        first_failure = time.monotonic()
                    if isinstance(exc, UnexpectedReply) and len(errors) < 5:
                        errors.append(str(exc))
                    return
                slots[position] = user
                timeline.append(time.monotonic())

        started = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(spec.users)))
        finished = time.monotonic()
        # the users keep their place: the first `active` of them talk, if connected
        self.users = [u for u in slots if u is not None]
        self.active_users = [u for u in slots[: spec.active] if u is not None]
        self.idle_users = [u for u in slots[spec.active :] if u is not None]
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)
        return Connected(
            held=len(self.users),
            failures=failures,
            not_tried=spec.users - tried,
            started=started,
            finished=finished,
            timeline=timeline,
            first_failure=first_failure,
            nofile=(int(nofile[0]), int(nofile[1])),
            errors=errors,
        )

    async def release(self, count: int) -> int:
        """Up to `count` idle users hang up (the last connected); how many did."""
        keep = max(0, len(self.idle_users) - count)
        leaving, self.idle_users = self.idle_users[keep:], self.idle_users[:keep]
        for user in leaving:
            await user.ws.close()
            self.users.remove(user)
        return len(leaving)

    async def talk(self, until: float) -> Talked:
        # This worker's thousands of sockets are long-lived: out of its garbage collector's
        # way, so that a full pass here (a pause of 100-200 ms) is not counted as the server's.
        gc.collect()
        gc.freeze()
        cpu = time.process_time()
        latencies: list[float] = []
        steps: list[int] = []  # which message of the script each latency is of
        sent_at: list[float] = []  # time.monotonic() when it was sent
        unexpected: list[str] = []
        counts = Counter[str]()

        async def converse(user: User, serial: int) -> None:
            lead = user.number * 1000
            while True:
                for step, (said, expected) in enumerate(script(lead)):
                    pause = self.random.uniform(*self.spec.pause)
                    if time.monotonic() + pause >= until:
                        return
                    await asyncio.sleep(pause)
                    frame = json.dumps({"type": "message", "id": f"m-{serial}", "text": said})
                    serial += 1
                    sent, sent_mono = time.perf_counter(), time.monotonic()
                    await user.ws.send_str(frame)
                    try:
                        async with asyncio.timeout(ANSWER_TIMEOUT):
                            while True:
                                answer = await user.inbox.get()
                                counts["checked"] += 1
                                text = str(answer.get("text", ""))
                                if answer.get("type") == "message" and matches(expected, text):
                                    break
                                if answer.get("type") == "message" and text == PROGRESS:
                                    continue  # a slow call: its progress message, then the end
                                raise UnexpectedReply(
                                    f"user {user.number} said {said!r}, expected "
                                    f"{getattr(expected, 'pattern', expected)!r}, got {answer}"
                                )
                    except TimeoutError:
                        raise UnexpectedReply(
                            f"user {user.number} said {said!r}: no answer in {ANSWER_TIMEOUT:g} s"
                        ) from None
                    latencies.append(time.perf_counter() - sent)
                    steps.append(step)
                    sent_at.append(sent_mono)
                    counts["turns"] += 1
                counts["created"] += 1
                lead += 1

        async def guarded(user: User) -> None:
            try:
                await converse(user, 0)
            except (UnexpectedReply, aiohttp.ClientError, ConnectionError) as exc:
                unexpected.append(str(exc) or type(exc).__name__)

        await asyncio.gather(*(guarded(u) for u in self.active_users))
        stray = sum(u.inbox.qsize() for u in self.idle_users)
        return Talked(
            latencies=latencies,
            steps=steps,
            sent_at=sent_at,
            turns=counts["turns"],
            checked=counts["checked"],
            created=counts["created"],
            unexpected=unexpected,
            idle=len(self.idle_users),
            idle_held=sum(u.held for u in self.idle_users),
            active_held=sum(u.held for u in self.active_users),
            stray=stray,
            cpu_seconds=time.process_time() - cpu,
        )

    async def close(self) -> None:
        for start in range(0, len(self.users), 500):
            await asyncio.gather(
                *(u.ws.close() for u in self.users[start : start + 500]),
                return_exceptions=True,
            )
        for user in self.users:
            if user.reader is not None:
                user.reader.cancel()


def _worker_main(spec: WorkerSpec, pipe: Connection) -> None:
    _pin(1)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with contextlib.suppress(EOFError, BrokenPipeError, KeyboardInterrupt):  # the parent left
        run_loop(Worker(spec, pipe).run())


@dataclass
class WorkerProcess:
    process: multiprocessing.process.BaseProcess
    pipe: Connection

    def answer(self, timeout: float) -> Any:
        if not self.pipe.poll(timeout):
            raise BenchFailed(f"a client worker gave no answer within {timeout:g} s")
        return self.pipe.recv()


async def ask_all(workers: list[WorkerProcess], timeout: float, *command: Any) -> list[Any]:
    """Send `command` to every worker, then wait for their answers."""
    for worker in workers:
        worker.pipe.send(command)
    return [await asyncio.to_thread(worker.answer, timeout) for worker in workers]


# -- the run ------------------------------------------------------------------------------------


@dataclass
class ScaleResult:
    users: int
    active: int
    seconds: float
    pause: tuple[float, float]
    workers: int
    held: int  # connections held once everyone had been tried
    failures: dict[str, int]
    not_tried: int
    limit: str | None  # which limit stopped the connections, if one did
    first_failure_at: int | None  # connections held when the first one failed
    connect_seconds: float
    connect_cpu: float  # server CPU seconds while connecting
    rss_before_kib: int
    rss_after_kib: int
    server_nofile_started: tuple[str, str]
    server_nofile: tuple[str, str]  # as the server set it
    server_fds: int  # the server's open files once everyone was connected
    client_nofile: tuple[int, int]
    released: int
    talk_seconds: float
    talk_cpu: float  # server CPU seconds while the active users talked
    driver_cpu: float  # the workers' CPU seconds while the active users talked
    latencies: list[float]
    steps: list[int]  # which message of the script each latency is of (6: the lead created)
    sent_at: list[float]  # seconds into the active phase each was sent
    turns: int
    checked: int
    created: int
    leads_in_org: int
    unexpected: list[str]
    idle: int
    idle_held: int
    active_held: int
    stray: int
    greeting_errors: list[str]

    @property
    def kib_per_connection(self) -> float:
        return (self.rss_after_kib - self.rss_before_kib) / self.held if self.held else 0.0

    def _of(self, step: int | None) -> list[float]:
        if step is None:
            return self.latencies
        return [x for x, s in zip(self.latencies, self.steps, strict=True) if s == step]

    def percentile_ms(self, q: float, step: int | None = None) -> float:
        """The `q` quantile of the turns' latency (of the script's message `step` only)."""
        ordered = sorted(self._of(step))
        if not ordered:
            return float("nan")
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def max_ms(self, step: int | None = None) -> float:
        return 1000 * max(self._of(step), default=float("nan"))

    def slow(self, ms: float) -> tuple[int, int]:
        """Turns that took over `ms`, and in how many distinct seconds of the phase they were
        sent (a few seconds: the server stalled; many: it is slow throughout)."""
        times = [t for x, t in zip(self.latencies, self.sent_at, strict=True) if x * 1000 > ms]
        return len(times), len({int(t) for t in times})

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.talk_seconds if self.talk_seconds else 0.0

    @property
    def memory_goal_met(self) -> bool:
        return self.held >= USERS_GOAL and self.kib_per_connection <= MEMORY_GOAL_KIB

    @property
    def latency_goal_met(self) -> bool:
        return bool(self.latencies) and self.percentile_ms(0.99) <= P99_GOAL_MS

    @property
    def problems(self) -> list[str]:
        """What went wrong with the work itself (not a limit met, not a goal missed)."""
        out = [f"unexpected: {u}" for u in self.unexpected[:5]]
        out += [f"greeting: {e}" for e in self.greeting_errors[:5]]
        if self.active and self.held and not self.turns:
            out.append("the active users did no turn")
        if self.idle_held != self.idle:
            out.append(f"{self.idle - self.idle_held} idle users were disconnected")
        if self.stray:
            out.append(f"idle users received {self.stray} messages")
        if self.leads_in_org < self.created:
            out.append(f"{self.created} leads said created, {self.leads_in_org} in the org")
        return out


def _limit_met(result: dict[str, Any], server: Server, soft: str) -> str | None:
    failures: dict[str, int] = result["failures"]
    if not failures:
        return None
    client = [reason for reason in failures if reason.startswith("client: ")]
    if client:
        return client[0].removeprefix("client: ")
    fds = result["server_fds"]
    near = soft.isdigit() and fds >= int(soft) - SERVER_FDS_SPARE
    if near or server.said_out_of_files():
        return f"server out of open files (RLIMIT_NOFILE {soft}, {fds} open)"
    return "server: " + ", ".join(sorted(failures)) + " (cause not found)"


def _held_at(connected: list[Connected], moment: float) -> int:
    return sum(bisect.bisect_right(c.timeline, moment) for c in connected)


async def _warm_up(url: str) -> None:
    """One whole conversation, checked, before anything is measured."""
    async with aiohttp.ClientSession() as http:
        user = await _connect(http, url, 999_999_999, START_TIMEOUT)
        try:
            for said, expected in script(999_999_999):
                await user.ws.send_str(json.dumps({"type": "message", "text": said}))
                while True:
                    answer = await asyncio.wait_for(user.inbox.get(), ANSWER_TIMEOUT)
                    if matches(expected, str(answer.get("text"))):
                        break
                    if answer.get("text") != PROGRESS:
                        raise BenchFailed(f"warm-up: said {said!r}, got {answer}")
        finally:
            await user.ws.close()


def _spawn(spec: WorkerSpec) -> WorkerProcess:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_worker_main, args=(spec, theirs), daemon=True)
    process.start()
    theirs.close()
    return WorkerProcess(process, ours)


@contextlib.contextmanager
def _workers(specs: list[WorkerSpec]) -> Iterator[list[WorkerProcess]]:
    workers: list[WorkerProcess] = []
    try:
        for spec in specs:
            workers.append(_spawn(spec))
        yield workers
    finally:
        for worker in workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


async def run_scale(args: argparse.Namespace) -> ScaleResult:
    """The whole run; every process it starts is stopped when it returns or fails. This
    process runs on CPU 1 meanwhile."""
    with _pinned(1):
        return await _run_scale(args)


@contextlib.contextmanager
def _pinned(cpu: int) -> Iterator[None]:
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    was = os.sched_getaffinity(0)
    _pin(cpu)
    try:
        yield
    finally:
        os.sched_setaffinity(0, was)


async def _run_scale(args: argparse.Namespace) -> ScaleResult:
    with tempfile.TemporaryDirectory(prefix="parley-scale-bench-") as tmp:
        root = Path(tmp)
        org = SandboxOrg(root / "org", ["--api-limit", str(10**9)])
        try:
            await org.start()
            assert org.process is not None
            if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
                os.sched_setaffinity(org.process.pid, {1})
            port = free_port()
            config = write_bot(
                root / "bot",
                org=org,
                port=port,
                store="sqlite:///var/parley.db",
                webhook_secret=None,
                key=secrets.token_urlsafe(32),
                # active users write faster than a person when --pause is short
                extra={"conversation": {"rate_limit": {"messages": 1000, "per_seconds": 1}}},
            )
            await authorize(config, org)
            server = await start_server(config, port, args.server_nofile)
            try:
                return await _measure(args, server, org)
            finally:
                stop_server(server)
        finally:
            await org.stop()


async def _measure(args: argparse.Namespace, server: Server, org: SandboxOrg) -> ScaleResult:
    started_with = resource.getrlimit(resource.RLIMIT_NOFILE)
    if args.server_nofile is not None:
        started_with = (args.server_nofile, args.server_nofile)
    await _warm_up(server.url)
    await asyncio.sleep(1.0)
    rss_before = server.rss_kib()
    nofile = open_files_limits(server.pid)
    specs = [
        WorkerSpec(
            index=w,
            url=server.url,
            source=f"127.0.0.{2 + w}",
            users=_share(args.users, args.workers, w),
            active=_share(args.active, args.workers, w),
            pause=(args.pause[0], args.pause[1]),
            connect_timeout=args.connect_timeout,
            seed=w,
        )
        for w in range(args.workers)
    ]
    wait = 120.0 + args.users / 20  # a failsafe
    with _workers(specs) as workers:
        cpu = server.cpu_seconds()
        for worker in workers:  # every worker started, so that they all begin together
            if await asyncio.to_thread(worker.answer, START_TIMEOUT) != "ready":
                raise BenchFailed("a client worker did not start")
        connected: list[Connected] = await ask_all(workers, wait, "connect")
        connect_cpu = server.cpu_seconds() - cpu
        began = min(c.started for c in connected)
        ended = max(c.finished for c in connected)
        held = sum(c.held for c in connected)
        failures: Counter[str] = Counter()
        for c in connected:
            failures.update(c.failures)
        await asyncio.sleep(2.0)
        rss_after = server.rss_kib()
        server_fds = server.open_files()
        first = min((c.first_failure for c in connected if c.first_failure), default=None)
        limit = _limit_met({"failures": failures, "server_fds": server_fds}, server, nofile[0])
        released = 0
        if limit is not None and limit.startswith("server out of open files"):
            for index, worker in enumerate(workers):
                worker.pipe.send(("release", _share(RELEASE, len(workers), index)))
            released = sum([await asyncio.to_thread(w.answer, 60) for w in workers])
        talk_started = time.monotonic()
        cpu = server.cpu_seconds()
        until = talk_started + args.seconds
        talked: list[Talked] = await ask_all(workers, args.seconds + 120, "talk", until)
        talk_seconds = time.monotonic() - talk_started
        talk_cpu = server.cpu_seconds() - cpu
        await ask_all(workers, 120, "close")
    leads = len(await org.leads())
    return ScaleResult(
        users=args.users,
        active=args.active,
        seconds=args.seconds,
        pause=(args.pause[0], args.pause[1]),
        workers=args.workers,
        held=held,
        failures=dict(failures),
        not_tried=sum(c.not_tried for c in connected),
        limit=limit,
        first_failure_at=_held_at(connected, first) if first is not None else None,
        connect_seconds=ended - began,
        connect_cpu=connect_cpu,
        rss_before_kib=rss_before,
        rss_after_kib=rss_after,
        server_nofile_started=(str(started_with[0]), str(started_with[1])),
        server_nofile=nofile,
        server_fds=server_fds,
        client_nofile=connected[0].nofile,
        released=released,
        talk_seconds=talk_seconds,
        talk_cpu=talk_cpu,
        driver_cpu=sum(t.cpu_seconds for t in talked),
        latencies=[x for t in talked for x in t.latencies],
        steps=[x for t in talked for x in t.steps],
        sent_at=[x - talk_started for t in talked for x in t.sent_at],
        turns=sum(t.turns for t in talked),
        checked=sum(t.checked for t in talked),
        created=sum(t.created for t in talked),
        leads_in_org=leads - 1,  # the warm-up's
        unexpected=[u for t in talked for u in t.unexpected],
        idle=sum(t.idle for t in talked),
        idle_held=sum(t.idle_held for t in talked),
        active_held=sum(t.active_held for t in talked),
        stray=sum(t.stray for t in talked),
        greeting_errors=[e for c in connected for e in c.errors],
    )


# -- the table ----------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(r: ScaleResult) -> str:
    rate = r.held / r.connect_seconds if r.connect_seconds else 0.0
    failed = sum(r.failures.values())
    lines = [
        "| measure | value |",
        "| --- | --- |",
        f"| connections asked / held | {r.users:,} / {r.held:,} |",
        f"| connections failed / not tried | {failed:,} / {r.not_tried:,} |",
        f"| time to connect everyone | {r.connect_seconds:.1f} s ({rate:,.0f} connections/s) |",
        f"| server CPU while connecting | {_percent(r.connect_cpu, r.connect_seconds)} |",
        f"| server RSS before / after connecting | {r.rss_before_kib:,} KiB / "
        f"{r.rss_after_kib:,} KiB |",
        f"| server memory per connection | {r.kib_per_connection:.1f} KiB |",
        f"| active users, pause | {r.active:,}, {_pause(r)} s |",
        f"| turns (answers checked) | {r.turns:,} ({r.checked:,}) |",
        f"| leads created (in the org) | {r.created:,} ({r.leads_in_org:,}) |",
        f"| turn latency p50 / p99 / max | {r.percentile_ms(0.5):.1f} / "
        f"{r.percentile_ms(0.99):.1f} / {r.max_ms():.1f} ms |",
        f"| of the turns creating the lead | {r.percentile_ms(0.5, CREATE):.1f} / "
        f"{r.percentile_ms(0.99, CREATE):.1f} / {r.max_ms(CREATE):.1f} ms |",
        f"| turns over {SLOW_MS:g} ms (sent in how many distinct seconds) | "
        f"{r.slow(SLOW_MS)[0]:,} ({r.slow(SLOW_MS)[1]:,}) |",
        f"| turns/s | {r.turns_per_second:,.1f} |",
        f"| server CPU while talking ({r.talk_seconds:.0f} s) | "
        f"{_percent(r.talk_cpu, r.talk_seconds)} |",
        f"| clients' CPU while talking ({r.workers} workers) | "
        f"{_percent(r.driver_cpu, r.talk_seconds)} |",
        f"| idle users still connected at the end | {r.idle_held:,} / {r.idle:,} |",
        f"| active users still connected at the end | {r.active_held:,} |",
        "",
        f"server open files (RLIMIT_NOFILE soft/hard): started with "
        f"{r.server_nofile_started[0]}/{r.server_nofile_started[1]}, as the server set it "
        f"{r.server_nofile[0]}/{r.server_nofile[1]}; {r.server_fds:,} open once connected",
        f"client workers' open files (soft/hard): {r.client_nofile[0]}/{r.client_nofile[1]}",
    ]
    for reason, count in sorted(r.failures.items()):
        lines.append(f"failed connections: {reason}: {count:,}")
    if r.limit is not None:
        lines.append(
            f"limit met: {r.limit} at {r.held:,} connections "
            f"(the first failed with {r.first_failure_at or 0:,} held)"
        )
        if r.released:
            lines.append(
                f"then {r.released} idle users hung up, so that the server has descriptors "
                "for its calls to Salesforce"
            )
    else:
        lines.append("limit met: none")
    lines += [
        f"goal: {USERS_GOAL:,} held with <= {MEMORY_GOAL_KIB:g} KiB each: "
        f"{_met(r.memory_goal_met)} ({r.held:,} held, {r.kib_per_connection:.1f} KiB each)",
        f"goal: p99 <= {P99_GOAL_MS:g} ms: {_met(r.latency_goal_met)} "
        f"({r.percentile_ms(0.99):.1f} ms)",
    ]
    for problem in r.problems:
        lines.append(f"FAILED: {problem}")
    return "\n".join(lines)


def _percent(cpu: float, seconds: float) -> str:
    return f"{100 * cpu / seconds:.0f}% of one core" if seconds else "-"


def _pause(r: ScaleResult) -> str:
    return f"{r.pause[0]:g}-{r.pause[1]:g}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--users", type=int, default=20_000, help="connections (20000)")
    parser.add_argument("--active", type=int, default=1_000, help="of them, talking (1000)")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="how long they talk once all are in (60)"
    )
    parser.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=(2.0, 10.0),
        metavar=("MIN", "MAX"),
        help="seconds before each message, drawn uniformly (2 10)",
    )
    parser.add_argument("--workers", type=int, default=4, help="client processes (4)")
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        help="seconds for one user to connect and be greeted (10)",
    )
    parser.add_argument(
        "--server-nofile",
        type=int,
        default=None,
        metavar="N",
        help="start the server with both limits of open files at N (to meet that limit)",
    )
    args = parser.parse_args(argv)
    for name in ("users", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if not 0 <= args.active <= args.users:
        parser.error("--active must be between 0 and --users")
    if args.workers > 250:
        parser.error("--workers: at most 250 (one source address each, 127.0.0.2-251)")
    if not 0 <= args.pause[0] <= args.pause[1]:
        parser.error("--pause MIN MAX: 0 <= MIN <= MAX")
    if args.seconds <= 0:
        parser.error("--seconds must be more than 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(run_scale(args))
    print(report(result))
    return 1 if result.problems else 0


if __name__ == "__main__":
    # Run as bench.scale.run, not __main__: the workers send back this module's classes.
    from bench.scale.run import main as _main

    raise SystemExit(_main())
