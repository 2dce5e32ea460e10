"""`GET /healthz` and `GET /metrics`."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from channels.metrics import Metrics, metrics_response
from channels.turns import Turns
from runtime.bot import Bot

log = logging.getLogger("parley.channels")

PROBE_TIMEOUT = 2.0


class Operations:
    def __init__(self, *, bot: Bot, turns: Turns, metrics: Metrics) -> None:
        self.bot = bot
        self.turns = turns
        self.metrics = metrics

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/metrics", self.scrape)

    async def health(self, request: web.Request) -> web.Response:
        """200 once the store answers and dialogs are loaded; 503 otherwise or shutting down."""
        problem = await self._problem()
        if problem:
            return web.json_response({"status": "unavailable", "reason": problem}, status=503)
        return web.json_response({"status": "ok"})

    async def scrape(self, request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(self.metrics.count_sessions(self.bot.store), PROBE_TIMEOUT * 5)
        except TimeoutError:  # the count goes on; this scrape shows the last one
            log.warning("counting sessions for /metrics took over %.0f s", PROBE_TIMEOUT * 5)
        return metrics_response(self.metrics)

    async def _problem(self) -> str:
        if self.turns.closing:
            return "shutting down"
        if not self.bot.dialogs:
            return "no dialogs are loaded"
        try:
            await asyncio.wait_for(self.bot.store.get("health", "probe"), PROBE_TIMEOUT)
        except Exception:
            log.exception("the store did not answer the health probe")
            return "the store is not answering"
        return ""
