"""A call with a side effect whose answer never arrived: the in-flight record, `verify`,
`on_unknown`, `idempotency_key` (dialog-language.md, "Side effects whose outcome is unknown").

The outside service is a small real HTTP server on 127.0.0.1 that creates bookings, and can
commit a booking and then hold its answer past the bot's timeout, or drop the connection.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web

from runtime.engine.executor import UNKNOWN_OUTCOME
from runtime.engine.state import decode
from runtime.engine.turn import User

ALICE = User("alice", "test")


class Bookings:
    """Creates bookings; `after_commit` says what happens to the next answers once stored."""

    def __init__(self) -> None:
        self.stored: list[dict] = []
        self.posts: list[dict] = []  # every POST, with its headers
        self.after_commit: list[str] = []  # "hold" or "drop", one per POST
        self.refuse_commit = 0  # POSTs that fail (answer lost) WITHOUT storing anything
        self.verify_status: list[int] = []  # statuses the next verify GETs answer with
        self.seen_during_post: list[bytes | None] = []
        self.peek = None  # called during a POST, before it is stored

    async def create(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.posts.append({"body": body, "headers": dict(request.headers)})
        if self.peek is not None:
            self.seen_during_post.append(await self.peek())
        if self.refuse_commit:
            self.refuse_commit -= 1
            await asyncio.sleep(1.0)  # answer lost, and nothing stored
            return web.json_response({}, status=500)
        key = request.headers.get("Idempotency-Key")
        for booking in self.stored:
            if key and booking["key"] == key:  # the service honours the key
                return web.json_response({"id": booking["id"]}, status=201)
        booking = {"id": f"B-{len(self.stored) + 1}", "seats": body["seats"], "key": key}
        self.stored.append(booking)
        fate = self.after_commit.pop(0) if self.after_commit else None
        if fate == "hold":
            await asyncio.sleep(1.0)
        elif fate == "drop":
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=499)
        return web.json_response({"id": booking["id"]}, status=201)

    async def search(self, request: web.Request) -> web.Response:
        if self.verify_status:
            return web.json_response({"error": "busy"}, status=self.verify_status.pop(0))
        seats = int(request.query["seats"])
        found = [b for b in self.stored if b["seats"] == seats]
        return web.json_response({"total": len(found), "records": found})


@pytest.fixture
async def bookings(aiohttp_server):
    svc = Bookings()
    app = web.Application()
    app.router.add_post("/bookings", svc.create)
    app.router.add_get("/bookings", svc.search)
    server = await aiohttp_server(app)
    svc.url = str(server.make_url("")).rstrip("/")
    return svc


VERIFY = """
        verify:
          url: "{{ globals.api }}/bookings"
          query: {seats: "{{ entities.seats }}", since: "{{ call.since }}"}
          found: response.body.total > 0
          response:
            status: 201
            body: {id: "{{ response.body.records[-1].id }}"}
"""


def booking(extra: str = VERIFY, timeout: float = 0.3) -> str:
    dialog = f"""
    dialog: book
    intents: [book a table]
    nodes:
      - id: seats
        type: entity
        entity_type: number
        prompt: How many?
      - id: call
        type: service
        request:
          method: POST
          url: "{{{{ globals.api }}}}/bookings"
          timeout: {timeout}
          json: {{seats: "{{{{ entities.seats }}}}"}}
{extra}
        next:
          - when: response.status == 201
            to: ok
          - to: refused
      - id: ok
        type: message
        text: "Booked {{{{ nodes.call.response.body.id }}}}."
        next: end
      - id: refused
        type: message
        text: "Refused ({{{{ nodes.call.response.status }}}})."
        next: end
    """
    if "on_unknown: unknown" in extra:
        dialog += """
      - id: unknown
        type: message
        text: Check your bookings before you book again.
        next: end
    """
    if "on_error: down" in extra:
        dialog += """
      - id: down
        type: message
        text: The booking service is down; nothing was booked.
        next: end
    """
    return dialog


async def open_bot(make_bot, bookings, extra: str = VERIFY, timeout: float = 0.3):
    return await make_bot(
        {"book": booking(extra, timeout)}, config={"globals": {"api": bookings.url}}
    )


def texts(out) -> list[str]:
    return [m.text for m in out]


async def book(bot, seats: str = "4") -> list[str]:
    await bot.engine.handle(ALICE, "book a table")
    return texts(await bot.engine.handle(ALICE, seats))


async def test_an_answer_held_past_the_timeout_is_found_by_verify(make_bot, bookings):
    bot = await open_bot(make_bot, bookings)
    bookings.after_commit = ["hold"]
    assert await book(bot) == ["Booked B-1."]
    assert len(bookings.posts) == 1  # found, so never sent again
    state = await bot.engine.load(ALICE)
    assert state.inflight is None and state.dialog is None


async def test_a_dropped_connection_after_the_commit_is_found_by_verify(make_bot, bookings):
    bot = await open_bot(make_bot, bookings)
    bookings.after_commit = ["drop"]
    assert await book(bot) == ["Booked B-1."]
    assert len(bookings.posts) == 1


async def test_not_found_is_sent_once_more(make_bot, bookings):
    bot = await open_bot(make_bot, bookings)
    bookings.refuse_commit = 1  # the first POST's answer is lost, and it stored nothing
    assert await book(bot) == ["Booked B-1."]
    assert len(bookings.posts) == 2
    assert len(bookings.stored) == 1


async def test_at_most_one_re_send(make_bot, bookings):
    extra = VERIFY + "        on_error: down\n"
    bot = await open_bot(make_bot, bookings, extra)
    bookings.refuse_commit = 5  # every POST's answer is lost, nothing is ever stored
    assert await book(bot) == ["The booking service is down; nothing was booked."]
    assert len(bookings.posts) == 2  # the first, and the one re-send


async def test_verify_failing_goes_to_on_unknown(make_bot, bookings):
    bot = await open_bot(make_bot, bookings, VERIFY + "        on_unknown: unknown\n")
    bookings.after_commit = ["hold"]
    bookings.verify_status = [500, 500, 500]  # GET is retried: every attempt fails
    assert await book(bot) == ["Check your bookings before you book again."]
    assert len(bookings.posts) == 1
    assert (await bot.engine.load(ALICE)).inflight is None


async def test_an_error_answer_from_verify_never_leads_to_a_re_send(make_bot, bookings):
    bot = await open_bot(make_bot, bookings, VERIFY + "        on_unknown: unknown\n")
    bookings.refuse_commit = 1  # nothing stored: a working verify would re-send
    bookings.verify_status = [400]  # but verify's own query is refused
    assert await book(bot) == ["Check your bookings before you book again."]
    assert len(bookings.posts) == 1


async def test_without_verify_the_user_is_told_the_outcome_is_unknown(make_bot, bookings):
    bot = await open_bot(make_bot, bookings, extra="")
    bookings.after_commit = ["hold"]
    assert await book(bot) == [UNKNOWN_OUTCOME]
    assert len(bookings.posts) == 1  # never re-sent blind


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_refused_connection_is_certain_and_goes_to_on_error(make_bot):
    dialog = booking(VERIFY + "        on_error: down\n        on_unknown: unknown\n")
    api = f"http://127.0.0.1:{closed_port()}"
    bot = await make_bot({"book": dialog}, config={"globals": {"api": api}})
    assert await book(bot) == ["The booking service is down; nothing was booked."]


async def test_an_idempotency_key_makes_the_re_send_safe(make_bot, bookings):
    extra = '        idempotency_key: "booking-{{ session.id }}-{{ call.attempt }}"\n'
    bot = await open_bot(make_bot, bookings, extra)
    bookings.after_commit = ["drop"]
    assert await book(bot) == ["Booked B-1."]
    keys = [p["headers"]["Idempotency-Key"] for p in bookings.posts]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0].startswith("booking-")
    assert len(bookings.stored) == 1  # the service saw the same key twice


async def test_the_in_flight_record_is_stored_before_the_call_goes_out(make_bot, bookings):
    bot = await open_bot(make_bot, bookings)

    async def peek():
        return await bot.engine.store.get("conv", ALICE.id)

    bookings.peek = peek
    assert await book(bot) == ["Booked B-1."]
    during = decode(bookings.seen_during_post[0])
    assert during.inflight is not None and during.inflight["node"] == "call"
    assert during.node == "call" and during.status == "active"
    assert (await bot.engine.load(ALICE)).inflight is None  # cleared with the answer


async def test_a_server_that_died_with_the_call_out_finds_out_on_the_next_message(
    make_bot, bookings
):
    """The process dies while the POST is out (here: the turn is cancelled, and the bot is
    opened again on the same SQLite file). The user's next message verifies, and is not taken
    as an answer to anything."""
    bot = await open_bot(make_bot, bookings, timeout=5)
    bookings.after_commit = ["hold"]
    await bot.engine.handle(ALICE, "book a table")
    turn = asyncio.ensure_future(bot.engine.handle(ALICE, "4"))
    while not bookings.stored:
        await asyncio.sleep(0.01)
    turn.cancel()  # the answer never reaches the conversation
    with pytest.raises(asyncio.CancelledError):
        await turn
    await bot.close()
    bot = await open_bot(make_bot, bookings, timeout=5)
    assert texts(await bot.engine.handle(ALICE, "hello?")) == ["Booked B-1."]
    assert len(bookings.posts) == 1
    state = await bot.engine.load(ALICE)
    assert state.inflight is None and state.dialog is None


async def test_after_recovery_a_new_request_is_still_heard(make_bot, bookings):
    bot = await open_bot(make_bot, bookings, timeout=5)
    bookings.after_commit = ["hold"]
    await bot.engine.handle(ALICE, "book a table")
    turn = asyncio.ensure_future(bot.engine.handle(ALICE, "4"))
    while not bookings.stored:
        await asyncio.sleep(0.01)
    turn.cancel()
    with pytest.raises(asyncio.CancelledError):
        await turn
    out = texts(await bot.engine.handle(ALICE, "book a table"))
    assert out == ["Booked B-1.", "How many?"]
