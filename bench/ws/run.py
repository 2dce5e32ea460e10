"""WebSocket turns per second of `parley serve`, against a raw aiohttp echo server (by hand).

    .venv/bin/python -m bench.ws.run [--clients 32] [--turns 500] [--rounds 3] [--idle 1000]
                                     [--loop auto|uvloop|asyncio]

Each server runs alone in a process pinned to CPU 0; this process, pinned to CPU 1 when there is
one, drives it over loopback with CLIENTS concurrent WebSocket clients:

* parley: every client is a user of its own (a token from POST /api/sessions) holding the same
  four-turn conversation again and again, each turn answered by one message; conversation state
  is durable, in a SQLite file. Every answer is checked against the script, so a server that
  stops doing the work fails instead of looking fast.
* echo: a bare aiohttp WebSocket handler that sends every frame back, driven by the same clients
  with frames of the same size.

Both servers run on the same event loop: the one `parley serve` uses (uvloop when installed),
or the one --loop names.

Rows: ROUNDS rounds, each the echo server then Parley at full load (every client sends its next
message as soon as the answer arrives), interleaved so that other load on the machine falls on
both alike; the ratio is of the two medians. Then Parley paced at half its own median rate,
where the goal is p99 <= 5 ms. The goal at full load is Parley at >= 0.5x the echo server's
turns per second. Last, memory per idle connection: the server's resident memory before and
after IDLE more sockets are opened.
"server CPU µs/turn" is the server process's CPU time per turn, which other load on the machine
does not move the way it moves turns/s. "driver CPU" is this process's share of one core during
a row: near 100% means the clients, not the server, set the pace of that row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import aiohttp

from runtime.cli.loop import CHOICES
from runtime.cli.loop import run as run_loop

THROUGHPUT_GOAL = 0.5
P99_GOAL_MS = 5.0

DIALOG = """
dialog: visit
description: Register a visitor
intents: [register a visitor]
nodes:
  - id: name
    type: entity
    entity_type: string
    prompt: What is the visitor's name?
  - id: company
    type: entity
    entity_type: string
    prompt: Which company is {{ entities.name }} from?
  - id: people
    type: entity
    entity_type: number
    prompt: How many people are coming?
  - id: done
    type: message
    text: "Registered {{ entities.name }} of {{ entities.company }}, {{ entities.people }} people."
"""
SCRIPT = [
    ("register a visitor", "What is the visitor's name?"),
    ("Ada", "Which company is Ada from?"),
    ("Acme", "How many people are coming?"),
    ("3", "Registered Ada of Acme, 3 people."),
]


class UnexpectedReply(Exception):
    pass


# -- the servers, each in a process of its own -------------------------------------------------


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def _serve_parley(loop: str, root: str, ready: Any, stop: Any) -> None:
    _pin(0)
    from aiohttp import web

    from channels.server import create_app, open_bot, settle_heap
    from channels.settings import ChannelSettings
    from runtime.config import load_config

    async def main() -> None:
        settings = ChannelSettings(rate_limit=10**9)
        bot, metrics = await open_bot(load_config(Path(root) / "config.yaml", env={}), settings)
        app = create_app(bot, settings, metrics=metrics)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        settle_heap()  # as `parley serve` does
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.send(runner.addresses[0][1])
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
        await runner.cleanup()
        await bot.close()

    run_loop(main(), loop)


def _serve_echo(loop: str, ready: Any, stop: Any) -> None:
    _pin(0)
    from aiohttp import WSMsgType, web

    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for frame in ws:
            if frame.type is WSMsgType.TEXT:
                await ws.send_str(frame.data)
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/ws", echo)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.send(runner.addresses[0][1])
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
        await runner.cleanup()

    run_loop(main(), loop)


@dataclass
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User and system CPU time the server process has used, every thread included."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc: memory cannot be measured here")


@contextmanager
def running(target: Callable[..., None], *args: Any) -> Iterator[Server]:
    context = multiprocessing.get_context("spawn")
    ready_recv, ready_send = context.Pipe(duplex=False)
    stop = context.Event()
    process = context.Process(target=target, args=(*args, ready_send, stop), daemon=True)
    process.start()
    try:
        if not ready_recv.poll(60):
            raise RuntimeError("the server did not start within 60 s")
        port = ready_recv.recv()
        assert process.pid is not None
        yield Server(f"http://127.0.0.1:{port}", process.pid)
    finally:
        stop.set()
        process.join(30)
        if process.is_alive():
            process.kill()


def make_bot(folder: Path) -> Path:
    (folder / "dialogs").mkdir(parents=True)
    (folder / "dialogs" / "visit.yaml").write_text(DIALOG)
    config = {
        "dialogs": ["dialogs/"],
        "store": {"url": "sqlite:///var/parley.db"},
        "integrations": {"salesforce": {"enabled": False}},
        "secrets": {"key": "bench-only-key"},
        "channels": {"webhook": {"enabled": False}},
    }
    (folder / "config.yaml").write_text(json.dumps(config))
    return folder


# -- the clients -------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    clients: int
    turns: int
    seconds: float
    latencies: list[float]
    driver_cpu: float  # this process's CPU time over the run's wall time
    server_cpu: float  # the server's CPU seconds during the run

    @property
    def server_us(self) -> float:
        """Server CPU time per turn: unlike turns/s, not moved by other load on the machine."""
        return 1e6 * self.server_cpu / self.turns

    @property
    def per_second(self) -> float:
        return self.turns / self.seconds

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _token(http: aiohttp.ClientSession, url: str) -> str:
    async with http.post(f"{url}/api/sessions") as response:
        return str((await response.json())["token"])


async def _open(http: aiohttp.ClientSession, server: Server, parley: bool) -> Any:
    ws_url = server.url.replace("http://", "ws://") + "/ws"
    if not parley:
        return await http.ws_connect(ws_url, max_msg_size=0)
    ws_url += f"?token={await _token(http, server.url)}"
    ws = await http.ws_connect(ws_url, max_msg_size=0)
    greeting = json.loads(await ws.receive_str())  # a new user's first connection is greeted
    if greeting.get("type") != "message" or "reply_to" in greeting:
        raise UnexpectedReply(f"expected the greeting, got {greeting}")
    return ws


async def _client(
    http: aiohttp.ClientSession,
    server: Server,
    parley: bool,
    turns: int,
    interval: float,
    offset: float,
    latencies: list[float],
    start_line: asyncio.Event,
) -> None:
    ws = await _open(http, server, parley)
    await start_line.wait()
    next_send = time.perf_counter() + offset
    try:
        for n in range(turns):
            said, expected = SCRIPT[n % len(SCRIPT)]
            frame = json.dumps({"type": "message", "id": f"c-{n}", "text": said})
            if interval:
                next_send += interval
                delay = next_send - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            sent = time.perf_counter()
            await ws.send_str(frame)
            answer = await ws.receive_str()
            latencies.append(time.perf_counter() - sent)
            if parley:
                text = json.loads(answer).get("text")
                if text != expected:
                    raise UnexpectedReply(f"expected {expected!r}, got {answer}")
            elif answer != frame:
                raise UnexpectedReply(f"the echo server answered {answer!r}")
    finally:
        await ws.close()


async def drive(
    name: str, server: Server, parley: bool, clients: int, turns: int, rate: float = 0.0
) -> Run:
    """`clients` concurrent clients, `turns` turns each; `rate` > 0 paces them (turns/s)."""
    interval = clients / rate if rate else 0.0
    latencies: list[float] = []
    start_line = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        tasks = [
            asyncio.create_task(
                _client(
                    http,
                    server,
                    parley,
                    turns,
                    interval,
                    i * interval / clients,
                    latencies,
                    start_line,
                )
            )
            for i in range(clients)
        ]
        await asyncio.sleep(0.5)  # let every client connect before the clock starts
        started, cpu, served = time.perf_counter(), time.process_time(), server.cpu_seconds()
        start_line.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - started
        cpu, served = time.process_time() - cpu, server.cpu_seconds() - served
    return Run(name, clients, clients * turns, seconds, latencies, cpu / seconds, served)


async def idle_memory(server: Server, parley: bool, count: int) -> float:
    """KiB of server memory per idle open WebSocket."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        warm = [await _open(http, server, parley) for _ in range(50)]  # first-use allocations
        await asyncio.sleep(0.5)
        before = server.rss_kib()
        sockets = []
        for _ in range(count):
            sockets.append(await _open(http, server, parley))
        await asyncio.sleep(1.0)
        after = server.rss_kib()
        for ws in warm + sockets:
            await ws.close()
    return (after - before) / count


# -- the table ---------------------------------------------------------------------------------


def row(run: Run, base: Run | None, base_rate: float | None = None) -> str:
    rate = base.per_second if base else base_rate
    ratio = f"{run.per_second / rate:.2f}x" if rate else "1.00x"
    return (
        f"| {run.name} | {run.clients} | {run.turns:,} | {run.per_second:,.0f} "
        f"| {run.percentile_ms(0.5):.2f} | {run.percentile_ms(0.99):.2f} | {ratio} "
        f"| {run.server_us:.0f} | {run.driver_cpu:.0%} |"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ws.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--turns", type=int, default=500, help="turns per client (500)")
    parser.add_argument(
        "--loop", choices=CHOICES, default="auto", help="both servers' event loop (auto: uvloop)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="full-load rounds of each (3)")
    parser.add_argument("--idle", type=int, default=1000, help="idle sockets for memory (1000)")
    args = parser.parse_args(argv)
    for name in ("clients", "turns", "rounds", "idle"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


async def bench(args: argparse.Namespace) -> int:
    _pin(1)
    with tempfile.TemporaryDirectory(prefix="parley-ws-bench-") as tmp:
        root = make_bot(Path(tmp) / "bot")
        with (
            running(_serve_echo, args.loop) as echo,
            running(_serve_parley, args.loop, str(root)) as parley,
        ):
            await drive("warm-up", parley, True, 4, len(SCRIPT))
            await drive("warm-up", echo, False, 4, len(SCRIPT))
            echoes: list[Run] = []
            fulls: list[Run] = []
            for n in range(1, args.rounds + 1):
                echoes.append(
                    await drive(f"echo (aiohttp), round {n}", echo, False, args.clients, args.turns)
                )
                fulls.append(
                    await drive(f"parley, round {n}", parley, True, args.clients, args.turns)
                )
            echo_rate = median(r.per_second for r in echoes)
            parley_rate = median(r.per_second for r in fulls)
            half = await drive(
                "parley at half load",
                parley,
                True,
                args.clients,
                max(len(SCRIPT), args.turns // 2),
                rate=parley_rate / 2,
            )
            echo_memory = await idle_memory(echo, False, args.idle)
            parley_memory = await idle_memory(parley, True, args.idle)
            db_bytes = (root / "var" / "parley.db").stat().st_size
    print(
        "| server | clients | turns | turns/s | p50 ms | p99 ms | ratio "
        "| server CPU µs/turn | driver CPU |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for echo_run, full in zip(echoes, fulls, strict=True):
        print(row(echo_run, None))
        print(row(full, echo_run))
    print(row(half, None, echo_rate))
    print()
    ratio = parley_rate / echo_rate
    cpu_ratio = median(r.server_us for r in fulls) / median(r.server_us for r in echoes)
    print(
        f"medians of {args.rounds} rounds: echo {echo_rate:,.0f} turns/s, "
        f"parley {parley_rate:,.0f} turns/s; server CPU per turn: parley {cpu_ratio:.1f}x echo's"
    )
    print(f"memory per idle connection: parley {parley_memory:.1f} KiB, echo {echo_memory:.1f} KiB")
    print(f"SQLite file after the run: {db_bytes / 1024:.0f} KiB")
    p99 = half.percentile_ms(0.99)
    print(
        f"goal: parley >= {THROUGHPUT_GOAL}x echo turns/s (medians): {ratio:.2f}x "
        f"({'met' if ratio >= THROUGHPUT_GOAL else 'NOT met'}); "
        f"p99 <= {P99_GOAL_MS:g} ms at half load: {p99:.2f} ms "
        f"({'met' if p99 <= P99_GOAL_MS else 'NOT met'})"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(bench(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
