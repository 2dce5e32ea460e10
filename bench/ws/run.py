"""WebSocket turns per second of `parley serve`, against a raw aiohttp echo server (by hand).

    .venv/bin/python -m bench.ws.run [--clients 32] [--turns 500] [--rounds 3] [--idle 1000]
                                     [--loop auto|uvloop|asyncio]
                                     [--store sqlite|redis] [--redis-url URL] [--instances 1|2]

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

`--store redis` adds, to every round, Parley with its state in Redis (an empty database of its
own, which the bench empties again afterwards) beside the same round's SQLite row; the goal is
REDIS_GOAL times SQLite's median turns per second, and the Redis rows say how many scripts
(EVALSHA, one round trip each) a turn made and the Redis server's CPU per turn. `--instances 2`
adds a row of two `parley serve` processes on that Redis, the clients spread over both (each
gets its session token from one instance and talks over a WebSocket to the other), against the
one instance of the row before it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import aiohttp

from runtime.cli.loop import CHOICES
from runtime.cli.loop import run as run_loop

THROUGHPUT_GOAL = 0.5
REDIS_GOAL = 0.5
P99_GOAL_MS = 5.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"

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


def _serve_parley(loop: str, root: str, cpu: int, ready: Any, stop: Any) -> None:
    _pin(cpu)
    from aiohttp import web

    from channels.server import app_runner, create_app, open_bot, settle_heap
    from channels.settings import ChannelSettings
    from runtime.config import load_config

    async def main() -> None:
        settings = ChannelSettings(rate_limit=10**9)
        bot, metrics = await open_bot(load_config(Path(root) / "config.yaml", env={}), settings)
        app = create_app(bot, settings, metrics=metrics)
        runner = app_runner(app, access_log=None)  # as `parley serve`, without its access log
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


def make_bot(folder: Path, store_url: str = "sqlite:///var/parley.db") -> Path:
    (folder / "dialogs").mkdir(parents=True)
    (folder / "dialogs" / "visit.yaml").write_text(DIALOG)
    config = {
        "dialogs": ["dialogs/"],
        "store": {"url": store_url},
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
    server_cpu: float  # the servers' CPU seconds during the run
    redis: RedisUse | None = None  # what the turns asked of Redis, on the Redis store

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


@dataclass(frozen=True)
class RedisUse:
    scripts: int  # EVALSHA calls: one round trip each
    cpu_seconds: float  # the Redis server's CPU time


class RedisMeter:
    """The Redis server's own counts, read before and after a row: scripts run and CPU."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self.url = url
        self._client = aioredis.from_url(url)

    async def reading(self) -> RedisUse:
        stats = await self._client.info("commandstats")
        cpu = await self._client.info("cpu")
        scripts = int(stats.get("cmdstat_evalsha", {}).get("calls", 0))
        return RedisUse(scripts, float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"]))

    async def key_count(self) -> int:
        return int(await self._client.dbsize())

    async def flush(self) -> None:
        await self._client.flushdb()

    async def close(self) -> None:
        await self._client.aclose()


async def _token(http: aiohttp.ClientSession, url: str) -> str:
    async with http.post(f"{url}/api/sessions") as response:
        return str((await response.json())["token"])


async def _open(http: aiohttp.ClientSession, servers: list[Server], i: int, parley: bool) -> Any:
    """Client `i`'s socket on servers[i]; with several, its session token comes from the next."""
    server = servers[i % len(servers)]
    ws_url = server.url.replace("http://", "ws://") + "/ws"
    if not parley:
        return await http.ws_connect(ws_url, max_msg_size=0)
    issuer = servers[(i + 1) % len(servers)]
    ws_url += f"?token={await _token(http, issuer.url)}"
    ws = await http.ws_connect(ws_url, max_msg_size=0)
    greeting = json.loads(await ws.receive_str())  # a new user's first connection is greeted
    if greeting.get("type") != "message" or "reply_to" in greeting:
        raise UnexpectedReply(f"expected the greeting, got {greeting}")
    return ws


async def _client(
    http: aiohttp.ClientSession,
    servers: list[Server],
    index: int,
    parley: bool,
    turns: int,
    interval: float,
    offset: float,
    latencies: list[float],
    start_line: asyncio.Event,
) -> None:
    ws = await _open(http, servers, index, parley)
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
    name: str,
    servers: Server | list[Server],
    parley: bool,
    clients: int,
    turns: int,
    rate: float = 0.0,
    meter: RedisMeter | None = None,
) -> Run:
    """`clients` concurrent clients, `turns` turns each, spread over `servers`; `rate` > 0
    paces them (turns/s). With `meter`, the row says what the turns asked of Redis."""
    servers = servers if isinstance(servers, list) else [servers]
    interval = clients / rate if rate else 0.0
    latencies: list[float] = []
    start_line = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        tasks = [
            asyncio.create_task(
                _client(
                    http,
                    servers,
                    i,
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
        before = await meter.reading() if meter else None
        started, cpu = time.perf_counter(), time.process_time()
        served = sum(server.cpu_seconds() for server in servers)
        start_line.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        served = sum(server.cpu_seconds() for server in servers) - served
        used = None
        if meter is not None and before is not None:
            after = await meter.reading()
            used = RedisUse(after.scripts - before.scripts, after.cpu_seconds - before.cpu_seconds)
    total = clients * turns
    return Run(name, clients, total, seconds, latencies, cpu / seconds, served, used)


async def idle_memory(server: Server, parley: bool, count: int) -> float:
    """KiB of server memory per idle open WebSocket."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        warm = [await _open(http, [server], 0, parley) for _ in range(50)]  # first-use allocs
        await asyncio.sleep(0.5)
        before = server.rss_kib()
        sockets = []
        for _ in range(count):
            sockets.append(await _open(http, [server], 0, parley))
        await asyncio.sleep(1.0)
        after = server.rss_kib()
        for ws in warm + sockets:
            await ws.close()
    return (after - before) / count


# -- the table ---------------------------------------------------------------------------------

HEADER = (
    "| server | clients | turns | turns/s | p50 ms | p99 ms | ratio "
    "| server CPU µs/turn | driver CPU | Redis scripts/turn | Redis CPU µs/turn |"
)


def row(run: Run, base: Run | None, base_rate: float | None = None) -> str:
    rate = base.per_second if base else base_rate
    ratio = f"{run.per_second / rate:.2f}x" if rate else "1.00x"
    scripts = redis_cpu = "-"
    if run.redis is not None:
        scripts = f"{run.redis.scripts / run.turns:.2f}"
        redis_cpu = f"{1e6 * run.redis.cpu_seconds / run.turns:.0f}"
    return (
        f"| {run.name} | {run.clients} | {run.turns:,} | {run.per_second:,.0f} "
        f"| {run.percentile_ms(0.5):.2f} | {run.percentile_ms(0.99):.2f} | {ratio} "
        f"| {run.server_us:.0f} | {run.driver_cpu:.0%} | {scripts} | {redis_cpu} |"
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
    parser.add_argument(
        "--store",
        choices=("sqlite", "redis"),
        default="sqlite",
        help="redis: Parley on Redis too, beside SQLite in every round",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        metavar="URL",
        help=f"an empty Redis database for --store redis (default {DEFAULT_REDIS_URL}); "
        "the bench empties it again at the end",
    )
    parser.add_argument(
        "--instances",
        type=int,
        choices=(1, 2),
        default=1,
        help="2: also two `parley serve` on that Redis, clients spread over both",
    )
    args = parser.parse_args(argv)
    for name in ("clients", "turns", "rounds", "idle"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.instances == 2 and args.store != "redis":
        parser.error("--instances 2 shares one Redis: add --store redis")
    return args


class BenchUnavailable(Exception):
    """The bench cannot run here; the message says why."""


async def _redis_meter(url: str) -> RedisMeter:
    from redis.exceptions import RedisError

    meter = RedisMeter(url)
    try:
        keys = await meter.key_count()
    except (RedisError, OSError, ValueError) as error:
        await meter.close()
        raise BenchUnavailable(f"--store redis: cannot reach Redis at {url}: {error}") from None
    if keys:
        await meter.close()
        raise BenchUnavailable(
            f"--store redis: the database {url} holds {keys:,} keys; the bench needs an empty "
            "one (it empties it again at the end): give another with --redis-url"
        )
    return meter


@dataclass
class Report:
    echoes: list[Run]
    fulls: list[Run]  # parley on SQLite
    redis: list[Run]  # parley on Redis, one instance
    pairs: list[Run]  # parley on Redis, two instances
    half: Run
    echo_memory: float
    parley_memory: float
    db_bytes: int


async def measure(args: argparse.Namespace) -> Report:
    meter = await _redis_meter(args.redis_url) if args.store == "redis" else None
    try:
        with tempfile.TemporaryDirectory(prefix="parley-ws-bench-") as tmp, ExitStack() as stack:
            root = make_bot(Path(tmp) / "bot")
            echo = stack.enter_context(running(_serve_echo, args.loop))
            parley = stack.enter_context(running(_serve_parley, args.loop, str(root), 0))
            on_redis: list[Server] = []
            if meter is not None:
                shared = str(make_bot(Path(tmp) / "redis-bot", args.redis_url))
                for cpu in range(args.instances):
                    on_redis.append(
                        stack.enter_context(running(_serve_parley, args.loop, shared, cpu))
                    )
            await drive("warm-up", parley, True, 4, len(SCRIPT))
            await drive("warm-up", echo, False, 4, len(SCRIPT))
            if on_redis:
                await drive("warm-up", on_redis, True, 4, len(SCRIPT))
            echoes: list[Run] = []
            fulls: list[Run] = []
            redis: list[Run] = []
            pairs: list[Run] = []
            for n in range(1, args.rounds + 1):
                echoes.append(
                    await drive(f"echo (aiohttp), round {n}", echo, False, args.clients, args.turns)
                )
                fulls.append(
                    await drive(f"parley, round {n}", parley, True, args.clients, args.turns)
                )
                if on_redis:
                    redis.append(
                        await drive(
                            f"parley on Redis, round {n}",
                            on_redis[0],
                            True,
                            args.clients,
                            args.turns,
                            meter=meter,
                        )
                    )
                if len(on_redis) == 2:
                    pairs.append(
                        await drive(
                            f"parley on Redis, 2 instances, round {n}",
                            on_redis,
                            True,
                            args.clients,
                            args.turns,
                            meter=meter,
                        )
                    )
            half = await drive(
                "parley at half load",
                parley,
                True,
                args.clients,
                max(len(SCRIPT), args.turns // 2),
                rate=median(r.per_second for r in fulls) / 2,
            )
            report = Report(
                echoes,
                fulls,
                redis,
                pairs,
                half,
                echo_memory=await idle_memory(echo, False, args.idle),
                parley_memory=await idle_memory(parley, True, args.idle),
                db_bytes=(root / "var" / "parley.db").stat().st_size,
            )
    finally:
        if meter is not None:
            await meter.flush()
            await meter.close()
    return report


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_report(args: argparse.Namespace, report: Report) -> None:
    print(HEADER)
    print("| --- " * 11 + "|")
    for n, (echo_run, full) in enumerate(zip(report.echoes, report.fulls, strict=True)):
        print(row(echo_run, None))
        print(row(full, echo_run))
        if report.redis:
            print(row(report.redis[n], full))
        if report.pairs:
            print(row(report.pairs[n], report.redis[n]))
    echo_rate = median(r.per_second for r in report.echoes)
    parley_rate = median(r.per_second for r in report.fulls)
    print(row(report.half, None, echo_rate))
    print()
    ratio = parley_rate / echo_rate
    echo_us = median(r.server_us for r in report.echoes)
    cpu_ratio = (  # CPU time comes in clock ticks (10 ms): a tiny run may show none
        f"{median(r.server_us for r in report.fulls) / echo_us:.1f}x" if echo_us else "n/a"
    )
    print(
        f"medians of {args.rounds} rounds: echo {echo_rate:,.0f} turns/s, "
        f"parley {parley_rate:,.0f} turns/s; server CPU per turn: parley {cpu_ratio} echo's"
    )
    print(
        f"memory per idle connection: parley {report.parley_memory:.1f} KiB, "
        f"echo {report.echo_memory:.1f} KiB"
    )
    print(f"SQLite file after the run: {report.db_bytes / 1024:.0f} KiB")
    p99 = report.half.percentile_ms(0.99)
    print(
        f"goal: parley >= {THROUGHPUT_GOAL}x echo turns/s (medians): {ratio:.2f}x "
        f"({verdict(ratio >= THROUGHPUT_GOAL)}); "
        f"p99 <= {P99_GOAL_MS:g} ms at half load: {p99:.2f} ms ({verdict(p99 <= P99_GOAL_MS)})"
    )
    if report.redis:
        redis_rate = median(r.per_second for r in report.redis)
        redis_ratio = redis_rate / parley_rate
        print(
            f"goal: parley on Redis >= {REDIS_GOAL}x parley on SQLite turns/s (medians): "
            f"{redis_rate:,.0f} against {parley_rate:,.0f}, {redis_ratio:.2f}x "
            f"({verdict(redis_ratio >= REDIS_GOAL)})"
        )
    if report.pairs:
        one = median(r.per_second for r in report.redis)
        two = median(r.per_second for r in report.pairs)
        p99_one = median(r.percentile_ms(0.99) for r in report.redis)
        p99_two = median(r.percentile_ms(0.99) for r in report.pairs)
        print(
            f"two instances on one Redis against one (medians): {two:,.0f} against {one:,.0f} "
            f"turns/s ({two / one:.2f}x), p99 {p99_two:.2f} against {p99_one:.2f} ms "
            f"(on {os.cpu_count()} cores shared by both instances, Redis and the clients)"
        )


async def bench(args: argparse.Namespace) -> int:
    _pin(1)
    try:
        report = await measure(args)
    except BenchUnavailable as error:
        print(f"bench.ws: {error}", file=sys.stderr)
        return 2
    print_report(args, report)
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(bench(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
