"""Prometheus metrics of one app, in a registry of its own (never the process-wide one).

Turns and their latency are measured around engine calls; service calls are counted by the
executor once per service node call, after retries, by status (0: the service could not be
reached); sessions active and parked
are counted from the stored conversations when `/metrics` is read. No label ever holds a user
id, a token or a secret.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from runtime.engine.engine import CONVERSATIONS
from runtime.engine.state import Status, decode
from runtime.store.base import Store

LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0
)  # fmt: skip


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Counter("parley_turns", "Turns handled", ["channel"], registry=r)
        self.turn_seconds = Histogram(
            "parley_turn_seconds",
            "Time to handle one turn, from message in to last message out",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
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

    def on_service_call(self, dialog: str, node: str, status: int) -> None:
        """The executor's hook: one service node call has an answer (or none)."""
        self.service_calls.labels(str(status)).inc()

    async def count_sessions(self, store: Store) -> None:
        active = parked = 0
        async for _, raw in store.scan(CONVERSATIONS):
            try:
                status = decode(raw).status
            except (ValueError, KeyError, TypeError):
                continue  # a record this version cannot read is no session to count
            if status in (Status.WAITING, Status.ACTIVE):
                active += 1
            elif status == Status.PARKED:
                parked += 1
        self.sessions.labels("active").set(active)
        self.sessions.labels("parked").set(parked)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def metrics_response(metrics: Metrics) -> web.Response:
    return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
