"""Service nodes against a real HTTP server on 127.0.0.1: an outside service, so a fake is right."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web

from runtime.engine.turn import User

ALICE = User("alice", "test")


def texts(out):
    return [m.text for m in out]


class Service:
    """A small outside API: records what it receives and answers as told."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict, object]] = []
        self.statuses: list[int] = []  # consumed one per request; then 200/201
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.received.append((request.method, request.path_qs, dict(request.headers), body))
        if self.delay:
            await asyncio.sleep(self.delay)
        status = (
            self.statuses.pop(0) if self.statuses else (201 if request.method == "POST" else 200)
        )
        if status >= 400:
            return web.json_response({"error": f"status {status}"}, status=status)
        return web.json_response(
            {"id": "B-1", "echo": body, "n": len(self.received)}, status=status
        )


@pytest.fixture
async def service(aiohttp_server):
    svc = Service()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", svc.handle)
    server = await aiohttp_server(app)
    svc.url = str(server.make_url("")).rstrip("/")
    return svc


def booking(method: str = "POST", extra: str = "") -> str:
    return f"""
    dialog: book
    intents: [book a table]
    nodes:
      - id: seats
        type: entity
        entity_type: number
        prompt: How many?
      - id: note
        type: entity
        optional: true
        prompt: A note? (or skip)
      - id: call
        type: service
        request:
          method: {method}
          url: "{{{{ globals.api }}}}/bookings"
          headers: {{X-User: "{{{{ user.id }}}}"}}
          query: {{source: chat}}
          json_drop_nulls: true
          json:
            seats: "{{{{ entities.seats }}}}"
            note: "{{{{ entities.note }}}}"
            label: "table for {{{{ entities.seats }}}}"
            flags: ["{{{{ entities.seats > 2 }}}}"]
        {extra}
        next:
          - when: response.ok
            to: ok
          - to: refused
      - id: ok
        type: message
        text: "Booked {{{{ nodes.call.response.body.id }}}} ({{{{ nodes.call.response.status }}}})."
        next: end
      - id: refused
        type: message
        text: >-
          Refused with {{{{ nodes.call.response.status }}}}:
          {{{{ nodes.call.response.body.error }}}}
    """


async def start_booking(bot, seats="4", note="skip"):
    await bot.engine.handle(ALICE, "book a table")
    await bot.engine.handle(ALICE, seats)
    return await bot.engine.handle(ALICE, note)


async def test_post_with_native_json_types_and_dropped_nulls(make_bot, service):
    bot = await make_bot({"book": booking()}, config={"globals": {"api": service.url}})
    assert texts(await start_booking(bot)) == ["Booked B-1 (201)."]
    method, path, headers, body = service.received[0]
    assert (method, path) == ("POST", "/bookings?source=chat")
    assert headers["X-User"] == "alice"
    assert body == {"seats": 4, "label": "table for 4", "flags": [True]}


async def test_post_is_never_retried_on_503(make_bot, service):
    bot = await make_bot({"book": booking()}, config={"globals": {"api": service.url}})
    service.statuses = [503]
    assert texts(await start_booking(bot)) == ["Refused with 503: status 503"]
    assert len(service.received) == 1


async def test_get_is_retried_on_503_then_succeeds(make_bot, service):
    bot = await make_bot({"book": booking("GET")}, config={"globals": {"api": service.url}})
    service.statuses = [503, 502]
    assert texts(await start_booking(bot)) == ["Booked B-1 (200)."]
    assert len(service.received) == 3


async def test_any_status_is_a_response_to_branch_on(make_bot, service):
    bot = await make_bot({"book": booking("PUT")}, config={"globals": {"api": service.url}})
    service.statuses = [422]
    assert texts(await start_booking(bot)) == ["Refused with 422: status 422"]
    assert len(service.received) == 1


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_transport_failure_goes_to_on_error(make_bot):
    dialog = booking(extra="on_error: ok").replace(
        'text: "Booked {{ nodes.call.response.body.id }} ({{ nodes.call.response.status }})."',
        'text: "Could not book: {{ nodes.call.response.status }}"',
    )
    api = f"http://127.0.0.1:{closed_port()}"
    bot = await make_bot({"book": dialog}, config={"globals": {"api": api}})
    assert texts(await start_booking(bot)) == ["Could not book: 0"]


async def test_transport_failure_without_on_error_ends_the_dialog_politely(make_bot):
    api = f"http://127.0.0.1:{closed_port()}"
    bot = await make_bot({"book": booking()}, config={"globals": {"api": api}})
    out = texts(await start_booking(bot))
    assert out == ["Sorry, the service I need is unavailable right now. Please try again later."]
    assert (await bot.engine.load(ALICE)).dialog is None


async def test_timeout_is_a_transport_failure(make_bot, service):
    dialog = booking("GET").replace(
        "json_drop_nulls: true", "json_drop_nulls: true\n          timeout: 0.2"
    )
    bot = await make_bot({"book": dialog}, config={"globals": {"api": service.url}})
    service.delay = 0.6
    out = texts(await start_booking(bot))
    assert out == ["Sorry, the service I need is unavailable right now. Please try again later."]


async def test_a_post_that_timed_out_is_not_said_to_have_failed(make_bot, service):
    dialog = booking().replace(
        "json_drop_nulls: true", "json_drop_nulls: true\n          timeout: 0.2"
    )
    bot = await make_bot({"book": dialog}, config={"globals": {"api": service.url}})
    service.delay = 0.6
    out = texts(await start_booking(bot))
    assert out == [
        "I sent that to the service but got no answer, so I can't tell whether it went "
        "through. Please check there before you try again."
    ]
    assert len(service.received) == 1  # never sent again blind


async def test_progress_is_said_when_the_call_is_slow(make_bot, service):
    dialog = booking(extra="progress: One moment…")
    bot = await make_bot({"book": dialog}, config={"globals": {"api": service.url}})
    service.delay = 1.3
    delivered = []

    async def deliver(message):
        delivered.append((message.text, len(service.received)))

    await bot.engine.handle(ALICE, "book a table")
    await bot.engine.handle(ALICE, "2")
    out = await bot.engine.handle(ALICE, "skip", deliver=deliver)
    assert texts(out) == ["One moment…", "Booked B-1 (201)."]
    assert delivered[0] == ("One moment…", 1)  # said while the call was still out


async def test_fast_call_says_no_progress(make_bot, service):
    bot = await make_bot(
        {"book": booking(extra="progress: One moment…")}, config={"globals": {"api": service.url}}
    )
    assert texts(await start_booking(bot)) == ["Booked B-1 (201)."]


async def test_no_matching_branch_ends_the_dialog_and_logs_where(make_bot, service, caplog):
    dialog = booking().replace(
        "          - to: refused\n",
        "          - when: response.status == 404\n            to: refused\n",
    )
    bot = await make_bot({"book": dialog}, config={"globals": {"api": service.url}})
    service.statuses = [500]
    out = texts(await start_booking(bot))
    assert out == ["Sorry, I don't know how to go on from here, so I've stopped this conversation."]
    assert "dialog 'book' node 'call': no branch of `next` matched" in caplog.text
    assert "'response.status': 500" in caplog.text


def lookup_then_ask(url: str) -> str:
    return f"""
    dialog: rename
    intents: [rename a customer]
    nodes:
      - id: customer
        type: entity
        prompt: Which customer?
      - id: find
        type: service
        request:
          method: GET
          url: "{url}/customers"
          query: {{name: "{{{{ entities.customer }}}}"}}
      - id: new_name
        type: entity
        prompt: "Found {{{{ nodes.find.response.body.id }}}}. What is the new name?"
      - id: done
        type: message
        text: "Renamed {{{{ entities.customer }}}} to {{{{ entities.new_name }}}}."
    """


async def test_an_entity_already_sent_by_a_call_cannot_be_amended(make_bot, service):
    bot = await make_bot({"rename": lookup_then_ask(service.url)})
    await bot.engine.handle(ALICE, "rename a customer")
    assert texts(await bot.engine.handle(ALICE, "Acme")) == ["Found B-1. What is the new name?"]
    out = await bot.engine.handle(ALICE, "change the customer to Globex")
    assert texts(out) == [
        "Sorry, I can't change the customer now: it has already been sent.",
        "Found B-1. What is the new name?",
    ]
    assert (await bot.engine.load(ALICE)).entities["customer"] == "Acme"
    assert len(service.received) == 1
