"""What keeps many open sockets from stalling the server: channels.heap (slow full passes
freeze what survived them; churned sockets unfreeze), and heartbeats that are not bunched."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import aiohttp
import pytest

from channels.heap import HeapKeeper
from channels.settings import ChannelSettings
from tests.channels.conftest import ServeBot, new_session

HELLO = """
dialog: hello
intents: [hello]
nodes:
  - id: hi
    type: message
    text: Hi.
"""


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


class Sockets:
    def __init__(self, open_: int) -> None:
        self.open = open_
        self.closed = 0


def keeper_for(sockets: Sockets, **options: float) -> HeapKeeper:
    return HeapKeeper(
        open_sockets=lambda: sockets.open, closed_sockets=lambda: sockets.closed, **options
    )


async def test_a_slow_full_pass_freezes_what_survived_it() -> None:
    keeper = keeper_for(Sockets(10), slow=0.0)
    keeper.start()
    try:
        kept = [[n] for n in range(1000)]  # alive, so frozen
        gc.collect()
        assert gc.get_freeze_count() == 0  # the collector's callback only schedules
        await asyncio.sleep(0)
        assert keeper.freezes == 1
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_count()[0] < 100  # nothing left in the young generation to walk
    finally:
        keeper.stop()


async def test_a_quick_full_pass_freezes_nothing() -> None:
    keeper = keeper_for(Sockets(10), slow=60.0)
    keeper.start()
    try:
        gc.collect()
        await asyncio.sleep(0)
        assert (keeper.freezes, gc.get_freeze_count()) == (0, 0)
    finally:
        keeper.stop()


async def frozen_by_a_slow_pass(keeper: HeapKeeper) -> None:
    keeper.start()
    gc.collect()
    await asyncio.sleep(0)
    assert keeper.freezes == 1 and gc.get_freeze_count() > 0


async def test_once_enough_sockets_closed_a_thorough_pass_frees_them_and_freezes_again() -> None:
    sockets = Sockets(10)
    keeper = keeper_for(sockets, slow=0.0, churn=0.5, min_churn=3)
    try:
        await frozen_by_a_slow_pass(keeper)
        sockets.closed = 5  # half of the 10 open at the freeze: not more than allowed yet
        keeper.check()
        assert keeper.unfreezes == 0
        sockets.closed = 6
        died = [[n] for n in range(100)]
        died.append(died)  # a cycle: only a pass frees it
        gc.collect(1)
        gc.freeze()  # frozen while alive, as a socket's objects are
        del died
        keeper.check()
        assert (keeper.unfreezes, keeper.freezes) == (1, 2)
        assert not any(isinstance(o, list) and o and o[-1] is o for o in gc.get_objects())
        sockets.closed = 11  # counted from the thorough pass: 5 more is not enough
        keeper.check()
        assert keeper.unfreezes == 1
    finally:
        keeper.stop()


async def test_a_frozen_heap_grown_by_half_gets_a_thorough_pass() -> None:
    keeper = keeper_for(Sockets(0), slow=0.0, growth=1.5, limit=1_000)
    try:
        await frozen_by_a_slow_pass(keeper)
        baseline = gc.get_freeze_count()
        grown = [[n] for n in range(baseline // 2 + 1000)]
        gc.collect(1)
        keeper.check()  # an early pass freezes them: the frozen heap is now half as big again
        assert (keeper.early_passes, keeper.unfreezes) == (1, 0)
        keeper.check()
        assert keeper.unfreezes == 1
        assert gc.get_freeze_count() >= len(grown)  # alive: frozen again after the pass
        keeper.check()
        assert keeper.unfreezes == 1  # counted afresh from the thorough pass
    finally:
        keeper.stop()


async def test_an_oldest_generation_past_the_limit_gets_an_early_pass() -> None:
    keeper = keeper_for(Sockets(0), slow=0.0, limit=5_000)
    try:
        await frozen_by_a_slow_pass(keeper)
        keeper.check()
        assert keeper.early_passes == 0  # nothing new in the oldest generation
        promoted = [[n] for n in range(6_000)]
        gc.collect(1)  # survivors of the young generations move to the oldest
        assert len(gc.get_objects(generation=2)) >= 5_000
        keeper.check()
        assert (keeper.early_passes, keeper.unfreezes) == (1, 0)
        assert len(gc.get_objects(generation=2)) < 100  # frozen, out of the passes' way
        assert gc.get_freeze_count() >= len(promoted)
    finally:
        keeper.stop()


async def test_the_keeper_looks_every_so_often_until_stopped() -> None:
    keeper = keeper_for(Sockets(0), slow=0.0, limit=5_000, every=0.05)
    try:
        await frozen_by_a_slow_pass(keeper)
        promoted = [[n] for n in range(6_000)]
        gc.collect(1)
        await asyncio.sleep(0.2)
        assert keeper.early_passes >= 1 and gc.get_freeze_count() >= len(promoted)
    finally:
        keeper.stop()
    frozen = keeper.freezes
    gc.collect()
    await asyncio.sleep(0.1)
    assert keeper.freezes == frozen  # no more once stopped
    assert all(callback != keeper._on_pass for callback in gc.callbacks)


async def test_the_heartbeats_of_sockets_opened_in_one_second_are_not_sent_at_once(
    serve_bot: ServeBot,
) -> None:
    """aiohttp rounds a heartbeat up to the whole second, unless told not to: then the pings of
    every socket opened within one second go out in one burst (bench/scale saw 100-200 ms)."""
    served = await serve_bot({"hello": HELLO}, settings=ChannelSettings(heartbeat=6.0))
    pinged: list[float] = []
    loop = asyncio.get_running_loop()

    async def socket_pinged(http: aiohttp.ClientSession) -> None:
        token = (await new_session(served.url))["token"]
        async with http.ws_connect(f"{served.ws_url}?token={token}", autoping=False) as ws:
            while (await ws.receive(timeout=15)).type is not aiohttp.WSMsgType.PING:
                pass  # the greeting
            pinged.append(loop.time())

    async with aiohttp.ClientSession() as http:
        first = asyncio.create_task(socket_pinged(http))
        await asyncio.sleep(0.4)
        await socket_pinged(http)
        await first
    apart = pinged[1] - pinged[0]
    assert 0.25 < apart < 0.55, apart  # rounded, they would be 0 s or 1 s apart
