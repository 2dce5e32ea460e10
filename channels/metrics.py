"""Prometheus metrics of one app, in a registry of its own (never the process-wide one).

Turns and their latency are measured around engine calls (`TurnMeter`); service calls are
counted by the executor once per service node call, after retries, by status (0: the service
could not be reached); sessions active and parked are counted from the stored conversations
when `/metrics` is read, at most once every `sessions_every` seconds (a count reads every stored
conversation). No label ever holds a user id, a token or a secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from bisect import bisect_left
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

from runtime.engine.engine import CONVERSATIONS
from runtime.engine.hooks import ExecutorHooks
from runtime.engine.state import Status, UnreadableState, status_of
from runtime.store.base import Store

log = logging.getLogger("parley.channels")

LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0
)  # fmt: skip


class _Tally:
    __slots__ = ("counts", "seconds")

    def __init__(self, buckets: int) -> None:
        self.counts = [0] * (buckets + 1)  # per bucket, not cumulative; the last is +Inf
        self.seconds = 0.0


class TurnMeter:
    """`parley_turns_total` and the `parley_turn_seconds` histogram, by channel.

    Counted in plain numbers on the event loop's thread and turned into metric families only
    when /metrics is read (a custom collector): prometheus-client's own Counter and Histogram
    take a lock on every update, which cost some 2 µs a turn.
    """

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self._by_channel: dict[str, _Tally] = {}

    def observe(self, channel: str, seconds: float) -> None:
        tally = self._by_channel.get(channel)
        if tally is None:
            tally = self._by_channel[channel] = _Tally(len(self.buckets))
        tally.counts[bisect_left(self.buckets, seconds)] += 1  # a bucket holds values <= le
        tally.seconds += seconds

    def collect(self) -> Iterator[Metric]:
        turns = CounterMetricFamily("parley_turns", "Turns handled", labels=["channel"])
        seconds = HistogramMetricFamily(
            "parley_turn_seconds",
            "Time to handle one turn, from message in to last message out",
            labels=["channel"],
        )
        bounds = [floatToGoString(b) for b in self.buckets] + ["+Inf"]
        for channel, tally in sorted(self._by_channel.items()):
            cumulative, total = [], 0
            for bound, count in zip(bounds, tally.counts, strict=True):
                total += count
                cumulative.append((bound, float(total)))
            turns.add_metric([channel], total)
            seconds.add_metric([channel], cumulative, tally.seconds)
        yield turns
        yield seconds


class Metrics:
    def __init__(self, *, sessions_every: float = 30.0) -> None:
        self.sessions_every = sessions_every
        self._counted_at = -math.inf  # time.monotonic() of the last finished count
        self._counting: asyncio.Task[None] | None = None
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = TurnMeter()
        r.register(self.turns)
        self.sessions = Gauge(
            "parley_sessions", "Stored conversations in a dialog, by status", ["status"], registry=r
        )
        self.service_calls = Counter(
            "parley_service_calls",
            "Service node calls by HTTP status, after retries (0: unreachable)",
            ["status"],
            registry=r,
        )
        self.oauth_callbacks = Counter(
            "parley_oauth_callbacks", "OAuth callbacks by outcome", ["outcome"], registry=r
        )
        self.websockets = Gauge("parley_websockets", "Open WebSocket connections", registry=r)
        self.webhook_pending = Gauge(
            "parley_webhook_callbacks_pending",
            "Async webhook callbacks not yet delivered",
            registry=r,
        )

    def executor_hooks(self) -> ExecutorHooks:
        """The hooks to open the bot with (`Bot.open(config, hooks=...)`): the executor
        takes them when it is built, so the metrics exist before the bot."""
        return ExecutorHooks(on_service_call=self.on_service_call)

    def on_service_call(self, dialog: str, node: str, status: int) -> None:
        """The executor's hook: one service node call has an answer (or none)."""
        self.service_calls.labels(str(status)).inc()

    async def count_sessions(self, store: Store) -> None:
        """Bring `parley_sessions` up to date when its count is older than `sessions_every`.

        Scrapes in between read the last count; concurrent scrapes share one count, which goes
        on when a scrape stops waiting for it (a timeout), so the next one finds it done."""
        if time.monotonic() - self._counted_at < self.sessions_every:
            return
        if self._counting is None:
            self._counting = asyncio.ensure_future(self._count(store))
        await asyncio.shield(self._counting)

    async def _count(self, store: Store) -> None:
        try:
            active = parked = 0
            async for _, raw in store.scan(CONVERSATIONS):
                try:
                    status = status_of(raw)
                except UnreadableState:
                    continue  # a record this version cannot read is no session to count
                if status in (Status.WAITING, Status.ACTIVE):
                    active += 1
                elif status == Status.PARKED:
                    parked += 1
            self.sessions.labels("active").set(active)
            self.sessions.labels("parked").set(parked)
            self._counted_at = time.monotonic()
        except Exception:  # the last count stays; the next scrape tries again
            log.exception("sessions could not be counted for /metrics")
        finally:
            self._counting = None

    async def close(self) -> None:
        """Stop a count still running (the server is shutting down)."""
        counting = self._counting
        if counting is not None:
            counting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await counting

    def render(self) -> bytes:
        return generate_latest(self.registry)


def metrics_response(metrics: Metrics) -> web.Response:
    return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
