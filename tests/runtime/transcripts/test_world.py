"""A transcript's world: stubbed service nodes, fixture entities, dialog and globals."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.runtime.transcripts.conftest import only


@pytest.fixture
async def orders() -> AsyncIterator[str]:
    """A real order service on 127.0.0.1: order 1 is shipped, others are unknown."""

    async def order(request: web.Request) -> web.Response:
        if request.match_info["number"] == "1":
            return web.json_response({"state": "shipped"})
        return web.json_response({"error": "unknown"}, status=404)

    app = web.Application()
    app.router.add_get("/orders/{number}", order)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


LOOK_UP_7 = """
steps:
  - user: look up my order
  - bot: Which order number?
  - user: "7"
"""


async def test_a_stubbed_node_is_answered_from_the_transcript_without_http(replay, hanging_server):
    # the service hangs: only a stub that makes no call lets these pass within the time limit
    stubbed = {
        "ok": LOOK_UP_7 + "  - bot: Order 7 is packed.\nstubs:\n"
        "  fetch: {status: 200, body: {state: packed}}\n",
        "missing": LOOK_UP_7 + "  - bot: No order 7 (status 404).\nstubs:\n"
        "  lookup.fetch: {status: 404, body: not found}\n",
        "down": LOOK_UP_7 + "  - bot: The order service is down.\nstubs:\n"
        "  fetch: {error: connection refused}\n",
    }
    config = {"globals": {"orders_url": hanging_server}}
    results = await replay(stubbed, config=config, step_timeout=5)
    assert [r.passed for r in results] == [True, True, True], [r.render() for r in results]


async def test_successive_calls_get_successive_replies_and_the_last_repeats(replay, orders):
    text = """
    stubs:
      fetch:
        - {status: 200, body: {state: packed}}
        - {status: 200, body: {state: shipped}}
    steps:
      - user: look up my order
      - bot: Which order number?
      - user: "7"
      - bot: Order 7 is packed.
      - user: look up my order
      - bot: Which order number?
      - user: "8"
      - bot: Order 8 is shipped.
      - user: look up my order
      - bot: Which order number?
      - user: "9"
      - bot: Order 9 is shipped.
    """
    result = only(await replay({"seq": text}, config={"globals": {"orders_url": orders}}))
    assert result.passed, result.render()


async def test_nodes_without_a_stub_call_the_real_service(replay, orders):
    text = LOOK_UP_7.replace('"7"', '"1"') + "  - bot: Order 1 is shipped.\n"
    result = only(await replay({"real": text}, config={"globals": {"orders_url": orders}}))
    assert result.passed, result.render()


async def test_fixture_globals_are_seen_by_that_transcript_only(replay, orders):
    mine = (
        "fixtures: {globals: {orders_url: '"
        + orders
        + "'}}\n"
        + LOOK_UP_7.replace('"7"', '"1"')
        + "  - bot: Order 1 is shipped.\n"
    )
    # the configured URL leads nowhere on the same server: the other transcript gets a 404
    theirs = LOOK_UP_7.replace('"7"', '"1"') + "  - bot: No order 1 (status 404).\n"
    config = {"globals": {"orders_url": orders + "/elsewhere"}}
    results = await replay({"mine": mine, "theirs": theirs}, config=config)
    assert [r.passed for r in results] == [True, True], [r.render() for r in results]


async def test_fixture_entities_are_there_when_the_first_dialog_begins(replay):
    skip_size = """
    fixtures: {entities: {size: large, name: Di}}
    steps:
      - user: order a pizza
      - bot: Thanks Di, a large pizza is coming.
      - user: order a pizza
      - bot: {contains: "What size?"}
    """
    utterance_wins = """
    fixtures: {entities: {number: 7}}
    stubs:
      fetch: {status: 200, body: {state: packed}}
    steps:
      - user: look up my order 12
      - bot: Order 12 is packed.
    """
    invalid_is_asked = """
    fixtures: {entities: {size: huge}}
    steps:
      - user: order a pizza
      - bot: {contains: "What size?"}
    """
    results = await replay(
        {"skip_size": skip_size, "utterance_wins": utterance_wins, "invalid": invalid_is_asked}
    )
    assert [r.passed for r in results] == [True, True, True], [r.render() for r in results]


async def test_a_fixture_dialog_starts_before_the_first_step(replay):
    text = """
    fixtures:
      dialog: order_pizza
      entities: {size: small}
    steps:
      - bot: Your name?
      - expect: {dialog: order_pizza, node: name, entities: {size: small}}
      - user: Ed
      - bot: Thanks Ed, a small pizza is coming.
    """
    result = only(await replay({"start": text}))
    assert result.passed, result.render()
