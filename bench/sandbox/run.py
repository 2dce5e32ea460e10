"""Requests per second of the sandbox org on one core (run by hand, prints a table).

The server runs alone in one process pinned to CPU 0; this process, pinned to CPU 1 when there
is one, drives it over loopback with a bounded number of requests per scenario.

    .venv/bin/python bench/sandbox/run.py [--requests 5000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

GOAL = 2000.0


def _serve(db: str, ready: Any, stop: Any) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    from sandbox.server import run_sandbox

    async def main() -> None:
        async with run_sandbox(port=0, db=db, api_limit=10**9) as sb:
            ready.send((sb.url, sb.client_id, sb.client_secret, sb.username, sb.password))
            await asyncio.get_running_loop().run_in_executor(None, stop.wait)

    asyncio.run(main())


async def _login(session: aiohttp.ClientSession, url: str, creds: tuple[str, ...]) -> str:
    client_id, secret, username, password = creds
    async with session.post(
        f"{url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": secret,
            "username": username,
            "password": password,
        },
    ) as response:
        return str((await response.json())["access_token"])


async def _scenario(
    session: aiohttp.ClientSession,
    make: Callable[[int], tuple[str, str, Any]],
    total: int,
    concurrency: int,
    headers: dict[str, str],
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal failures
        for n in counter:
            verb, url, body = make(n)
            start = time.perf_counter()
            async with session.request(verb, url, json=body, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    failures += 1
            latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - began, latencies, failures


async def drive(url: str, creds: tuple[str, ...], total: int, concurrency: int) -> list[list[str]]:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        token = await _login(session, url, creds)
        auth = {"Authorization": f"Bearer {token}"}
        api = f"{url}/services/data/v59.0"
        async with session.post(
            f"{api}/sobjects/Lead", json={"LastName": "Bench", "Company": "Acme"}, headers=auth
        ) as response:
            lead = (await response.json())["id"]
        scenarios: dict[str, Callable[[int], tuple[str, str, Any]]] = {
            "GET versions (no auth)": lambda n: ("GET", f"{url}/services/data/", None),
            "GET sobjects/Lead/{id}": lambda n: ("GET", f"{api}/sobjects/Lead/{lead}", None),
            "PATCH sobjects/Lead/{id}": lambda n: (
                "PATCH",
                f"{api}/sobjects/Lead/{lead}",
                {"Title": f"T{n}"},
            ),
            "POST sobjects/Lead": lambda n: (
                "POST",
                f"{api}/sobjects/Lead",
                {"LastName": f"L{n}", "Company": "Acme"},
            ),
        }
        rows = []
        for name, make in scenarios.items():
            await _scenario(session, make, min(200, total), concurrency, auth)  # warm-up
            seconds, latencies, failures = await _scenario(session, make, total, concurrency, auth)
            latencies.sort()
            rows.append(
                [
                    name,
                    str(total),
                    f"{seconds:.2f}",
                    f"{total / seconds:,.0f}",
                    f"{statistics.median(latencies) * 1000:.2f}",
                    f"{latencies[int(len(latencies) * 0.99) - 1] * 1000:.2f}",
                    str(failures),
                ]
            )
        return rows


def _table(rows: list[list[str]]) -> str:
    head = ["scenario", "requests", "seconds", "req/s", "p50 ms", "p99 ms", "errors"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(row: list[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(cells))

    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    with tempfile.TemporaryDirectory() as tmp:
        receiver, sender = multiprocessing.Pipe(duplex=False)
        stop = multiprocessing.Event()
        server = multiprocessing.Process(
            target=_serve, args=(str(Path(tmp) / "bench.db"), sender, stop), daemon=True
        )
        server.start()
        try:
            url, *creds = receiver.recv()
            rows = asyncio.run(drive(url, tuple(creds), args.requests, args.concurrency))
        finally:
            stop.set()
            server.join(timeout=10)
    print(f"sandbox org, server on one core, {args.concurrency} concurrent connections")
    print(_table(rows))
    simple = [float(r[3].replace(",", "")) for r in rows if r[0].startswith("GET sobjects")]
    verdict = "meets" if simple and simple[0] >= GOAL else "misses"
    print(f"\nsimple REST GET: {simple[0]:,.0f} req/s, {verdict} the goal of {GOAL:,.0f} req/s")


if __name__ == "__main__":
    main()
