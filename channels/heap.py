"""Keeps the garbage collector's full passes short while many sockets stay open.

A full pass walks every object the collector tracks. Each open WebSocket holds some seventy
(aiohttp's request, response, protocol, transport, parser...), so with 20,000 users connected
a full pass stops the server for over a second, several times a minute (bench/scale: p99 over
1 s). `gc.freeze()` moves what is alive out of the passes' way; what is frozen is never freed,
though, until `gc.unfreeze()`, and a closed connection is a cycle of objects (some thirty) that
only a pass frees.

So the keeper:
- freezes what survived a full pass that took `slow` seconds or more (alive, by definition);
- every `every` seconds, when the oldest generation holds `limit` objects or more (heartbeats
  and turns keep promoting some), runs a full pass itself, short because it comes early, and
  freezes what survived it;
- unfreezes everything once the sockets closed since the last thorough pass reach `churn` of
  those open then (and `min_churn`), or the frozen heap has grown by `growth` since, and runs
  a thorough pass at once (a long one, at a moment of its choosing), which frees the closed
  connections and whatever else was frozen and has died since, and freezes again.
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
EVERY = 1.0  # seconds between two looks at the oldest generation
LIMIT = 5_000  # objects in the oldest generation that make the keeper run a pass (a few ms)
CHURN = 0.5  # unfreeze once this share of the sockets open at the last thorough pass closed,
MIN_CHURN = 1000  # and at least this many ...
GROWTH = 1.5  # ... or once the frozen heap is this many times what that pass left


class HeapKeeper:
    """`open_sockets()` and `closed_sockets()` (a running count) say how many sockets are open
    and how many have closed so far. `start()` hooks the collector, `stop()` unhooks it."""

    def __init__(
        self,
        *,
        open_sockets: Callable[[], int],
        closed_sockets: Callable[[], int],
        slow: float = SLOW,
        every: float = EVERY,
        limit: int = LIMIT,
        churn: float = CHURN,
        min_churn: int = MIN_CHURN,
        growth: float = GROWTH,
    ) -> None:
        self._open = open_sockets
        self._closed = closed_sockets
        self.slow = slow
        self.every = every
        self.limit = limit
        self.churn = churn
        self.min_churn = min_churn
        self.growth = growth
        self.freezes = 0
        self.unfreezes = 0
        self.early_passes = 0
        self._baseline: int | None = None  # frozen objects after the last thorough pass
        self._grown = 0  # objects frozen since
        self._closed_at = 0
        self._allowed = min_churn  # closes allowed before unfreezing
        self._started = 0.0
        self._pending = False  # a freeze is scheduled
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        gc.callbacks.append(self._on_pass)
        self._timer = self._loop.call_later(self.every, self._tick)

    def stop(self) -> None:
        if self._on_pass in gc.callbacks:
            gc.callbacks.remove(self._on_pass)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._loop = None

    def check(self) -> None:
        """A thorough pass when the sockets have churned or the frozen heap has grown; else an
        early one when the oldest generation has grown past `limit`."""
        if self._baseline is None:
            return  # no pass has been slow yet: nothing is worth freezing
        churned = self._closed() - self._closed_at > self._allowed
        if churned or self._grown > (self.growth - 1) * self._baseline:
            gc.unfreeze()
            self.unfreezes += 1
            self._baseline = None
            log.debug("unfroze the heap: sockets closed or frozen objects grown since")
            self._pass_and_freeze()
        elif len(gc.get_objects(generation=2)) >= self.limit:
            self.early_passes += 1
            self._pass_and_freeze()

    def _pass_and_freeze(self) -> None:
        self._pending = True  # the pass's own callback must not schedule a freeze
        started = time.perf_counter()
        try:
            gc.collect()
        finally:
            self._freeze(time.perf_counter() - started)

    def _tick(self) -> None:
        try:
            self.check()
        finally:
            if self._loop is not None:
                self._timer = self._loop.call_later(self.every, self._tick)

    def _on_pass(self, phase: str, info: dict[str, Any]) -> None:
        """The collector's callback: it may run in any thread, so it only schedules."""
        loop = self._loop
        if loop is None or self._pending or info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        if took >= self.slow:
            self._pending = True
            try:
                loop.call_soon_threadsafe(self._freeze, took)
            except RuntimeError:  # the loop is closed: the server is stopping
                self._pending = False

    def _freeze(self, took: float) -> None:
        self._pending = False
        # gc.get_freeze_count() walks every frozen object (100 ms for a million here): it is
        # read once after a thorough pass, and what each later freeze adds is counted instead.
        survived = len(gc.get_objects(generation=2))
        gc.freeze()
        self.freezes += 1
        if self._baseline is None:  # the first freeze after a thorough pass
            self._baseline = gc.get_freeze_count()
            self._grown = 0
            self._closed_at = self._closed()
            self._allowed = max(self.min_churn, int(self.churn * self._open()))
        else:
            self._grown += survived
        log.debug("a full garbage collection took %.0f ms: froze %d objects", took * 1000,
                  survived)  # fmt: skip
