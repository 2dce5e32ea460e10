"""Hooks and the service seam are given to the executor when it is built, never set later."""

from __future__ import annotations

from pathlib import Path

import httpx2

from runtime.bot import Bot
from runtime.config import load_config
from runtime.engine.hooks import ExecutorHooks
from runtime.engine.service import CallSite, ServiceRequest
from tests.conftest import write_bot
from tests.runtime.engine.test_service_nodes import ALICE, booking, service, start_booking, texts

__all__ = ["service"]  # the fixture, used by name


async def test_a_bot_opened_with_hooks_reports_moves_advances_and_calls(tmp_path: Path, service):
    moves: list[tuple[str, str, str]] = []
    calls: list[tuple[str, str, int]] = []
    advanced: list[str | None] = []
    hooks = ExecutorHooks(
        on_advance=lambda turn: advanced.append(turn.state.node),
        on_move=lambda *move: moves.append(move),
        on_service_call=lambda *call: calls.append(call),
        more_globals=lambda turn: {"api": service.url} if turn.user == ALICE else None,
    )
    path = write_bot(tmp_path, {"book": booking()}, {"globals": {"api": "http://127.0.0.1:9"}})
    async with await Bot.open(load_config(path, env={}), hooks=hooks) as bot:
        assert texts(await start_booking(bot)) == ["Booked B-1 (201)."]
    assert advanced == ["seats", "seats", "note"]
    assert moves == [
        ("book", "seats", "note"),
        ("book", "note", "call"),
        ("book", "call", "ok"),
        ("book", "ok", "end"),
    ]
    assert calls == [("book", "call", 201)]


class Recorded:
    """A service seam that answers every call itself and keeps where each came from."""

    def __init__(self) -> None:
        self.sites: list[CallSite | None] = []

    async def call(
        self, request: ServiceRequest, *, retry: bool | None = None, site: CallSite | None = None
    ) -> httpx2.Response:
        self.sites.append(site)
        return httpx2.Response(201, json={"id": "R-9"})


async def test_an_executor_rebuilt_with_other_services_sends_nothing_over_http(make_bot):
    bot = await make_bot({"book": booking()}, config={"globals": {"api": "http://127.0.0.1:9"}})
    recorded = Recorded()
    before = bot.engine.executor
    bot.engine.executor = before.with_seams(services=recorded)
    assert bot.engine.executor.dialogs is before.dialogs
    assert bot.engine.executor.authorizer is before.authorizer
    assert texts(await start_booking(bot)) == ["Booked R-9 (201)."]
    assert recorded.sites == [CallSite("alice", "book", "call")]
