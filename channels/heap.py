"""Keeps the garbage collector's full passes short while many sockets stay open.

A full pass walks every object the collector tracks. Each open WebSocket holds some seventy
(aiohttp's request, response, protocol, transport, parser...), so with 20,000 users connected
a full pass stops the server for over a second, several times a minute as turns promote their
short-lived objects (measured with bench/scale: p99 over 1 s). `gc.freeze()` moves what is
alive out of the passes' way; what is frozen is never freed, though, until `gc.unfreeze()`,
and a closed connection is a cycle of objects that only a pass frees (some thirty).

So: after a full pass that took `slow` seconds or more, what survived it (alive, by
definition) is frozen, and later passes walk only what came since. Once the sockets closed
since then reach `churn` of those open at that moment (and `min_churn`), everything is
unfrozen: the next full pass frees the closed connections, one long pause, and freezes again.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SLOW = 0.010  # seconds: a full pass at least this long freezes what survived it
CHURN = 0.5  # unfreeze once this share of the sockets open at the freeze has closed ...
MIN_CHURN = 1000  # ... and at least this many


class HeapKeeper:
    """Freezes the heap after slow full passes; unfreezes it once the sockets have churned.

    `open_sockets()` and `closed_sockets()` (a running count) say how many sockets are open
    and how many have closed so far. `start()` hooks the collector, `stop()` unhooks it."""

    def __init__(
        self,
        *,
        open_sockets: Callable[[], int],
        closed_sockets: Callable[[], int],
        slow: float = SLOW,
        churn: float = CHURN,
        min_churn: int = MIN_CHURN,
    ) -> None:
        self._open = open_sockets
        self._closed = closed_sockets
        self.slow = slow
        self.churn = churn
        self.min_churn = min_churn
        self.freezes = 0
        self.unfreezes = 0
        self._frozen = False
        self._closed_at = 0
        self._allowed = min_churn  # closes allowed before unfreezing
        self._started = 0.0
        self._pending = False  # a freeze or an unfreeze is scheduled
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        gc.callbacks.append(self._on_pass)

    def stop(self) -> None:
        if self._on_pass in gc.callbacks:
            gc.callbacks.remove(self._on_pass)
        self._loop = None

    def _on_pass(self, phase: str, info: dict[str, Any]) -> None:
        """The collector's callback: it may run in any thread, so it only schedules."""
        loop = self._loop
        if loop is None or self._pending:
            return
        if info["generation"] == 2:
            if phase == "start":
                self._started = time.perf_counter()
                return
            took = time.perf_counter() - self._started
            if took >= self.slow:
                self._schedule(loop, self._freeze, took)
                return
        if self._frozen and self._closed() - self._closed_at > self._allowed:
            self._schedule(loop, self._unfreeze)

    def _schedule(self, loop: asyncio.AbstractEventLoop, action: Any, *args: Any) -> None:
        self._pending = True
        try:
            loop.call_soon_threadsafe(action, *args)
        except RuntimeError:  # the loop is closed: the server is stopping
            self._pending = False

    def _freeze(self, took: float) -> None:
        self._pending = False
        gc.freeze()
        self.freezes += 1
        self._frozen = True
        self._closed_at = self._closed()
        self._allowed = max(self.min_churn, int(self.churn * self._open()))
        log.debug(
            "a full garbage collection took %.0f ms: froze %d objects", took * 1000,
            gc.get_freeze_count(),
        )  # fmt: skip

    def _unfreeze(self) -> None:
        self._pending = False
        gc.unfreeze()
        self.unfreezes += 1
        self._frozen = False
        log.debug("unfroze the heap: %d sockets closed since it was frozen", self._allowed)
