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


async def test_once_enough_sockets_closed_the_heap_is_unfrozen_then_frozen_again() -> None:
    sockets = Sockets(10)
    keeper = keeper_for(sockets, slow=0.0, churn=0.5, min_churn=3)
    keeper.start()
    try:
        gc.collect()
        await asyncio.sleep(0)
        assert gc.get_freeze_count() > 0
        sockets.closed = 5  # half of the 10 open at the freeze: not more than allowed yet
        gc.collect(0)
        await asyncio.sleep(0)
        assert keeper.unfreezes == 0 and gc.get_freeze_count() > 0
        sockets.closed = 6
        gc.collect(0)
        await asyncio.sleep(0)
        assert keeper.unfreezes == 1
        assert gc.get_freeze_count() == 0  # the next full pass walks (and frees) them all
        gc.collect()
        await asyncio.sleep(0)
        assert keeper.freezes == 2 and gc.get_freeze_count() > 0
    finally:
        keeper.stop()


async def test_stop_unhooks_the_collector() -> None:
    keeper = keeper_for(Sockets(0), slow=0.0)
    keeper.start()
    keeper.stop()
    gc.collect()
    await asyncio.sleep(0)
    assert keeper.freezes == 0
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
