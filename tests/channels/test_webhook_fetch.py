"""`GET /webhook/messages`: signed over its request line, a `seq` cursor that acknowledges.

Messages are made to wait as an OAuth callback makes them (`Deliveries.to_user`, the path a
resumed conversation takes); tests/channels/test_oauth_flow.py does it with a real callback.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

import httpx2
import pytest

from channels.server import DELIVERIES
from runtime.engine.messages import say
from runtime.engine.turn import User
from tests.channels.conftest import (
    NOTE_DIALOG,
    SECRET,
    Served,
    fetch_hook,
    post_hook,
    sign,
    sign_request,
)

SYNC = {"channels": {"webhook": {"secret": SECRET}}}
EARLIER_QUEUE = "webhook_pending"  # the store queue where the version before seqs kept them
ANN = "sms:+14155550123"
BOB = "sms:+14155550100"


async def wait_for(served: Served, user_id: str, *texts: str) -> None:
    """Messages for `user_id` produced outside a request of theirs, as after an OAuth callback."""
    await served.app[DELIVERIES].to_user(User(user_id, "webhook"), [say(t) for t in texts])


def target(user_id: str, after: int | str = 0) -> str:
    return "/webhook/messages?" + urlencode({"user_id": user_id, "after": after})


async def get(served: Served, sent: str, headers: dict[str, str]) -> httpx2.Response:
    async with httpx2.AsyncClient() as http:
        return await http.get(served.url + sent, headers=headers)


def seqs_and_texts(answer: httpx2.Response) -> list[tuple[int, str]]:
    assert answer.status_code == 200, answer.text
    return [(m["seq"], m["text"]) for m in answer.json()["messages"]]


@pytest.fixture
def no_tracebacks(caplog):
    caplog.set_level(logging.DEBUG)
    yield
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage() for r in bad]


async def test_a_fetch_returns_what_waits_with_seqs_and_acknowledges_only_up_to_after(
    serve_bot, no_tracebacks
):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    await wait_for(served, ANN, "one", "two")
    first = await fetch_hook(served, ANN, after=0)
    assert seqs_and_texts(first) == [(1, "one"), (2, "two")]
    assert first.json()["messages"][0] == {"seq": 1, "type": "message", "text": "one"}
    # That answer was lost on the way: the same fetch gets the same messages.
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == [(1, "one"), (2, "two")]
    await wait_for(served, ANN, "three")
    # after=1 acknowledges seq 1 (deleted) and answers what is past it.
    assert seqs_and_texts(await fetch_hook(served, ANN, after=1)) == [(2, "two"), (3, "three")]
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == [(2, "two"), (3, "three")]
    assert seqs_and_texts(await fetch_hook(served, ANN, after=3)) == []
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == []
    # Seqs keep rising once everything was acknowledged, so a relay's cursor stays good.
    await wait_for(served, ANN, "four")
    assert seqs_and_texts(await fetch_hook(served, ANN, after=3)) == [(4, "four")]
    # Each user has their own seqs.
    await wait_for(served, BOB, "for bob")
    assert seqs_and_texts(await fetch_hook(served, BOB, after=0)) == [(1, "for bob")]
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == [(4, "four")]


async def test_after_past_the_last_seq_is_refused_and_deletes_nothing(serve_bot, no_tracebacks):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    await wait_for(served, ANN, "one")
    beyond = await fetch_hook(served, ANN, after=5)
    assert beyond.status_code == 400
    assert beyond.json()["error"]["code"] == "bad_request"
    assert "(1)" in beyond.json()["error"]["message"]
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == [(1, "one")]
    assert (await fetch_hook(served, BOB, after=1)).status_code == 400  # nothing given yet


async def test_a_signature_is_good_for_its_own_request_line_only(serve_bot, no_tracebacks):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    await wait_for(served, ANN, "for ann")
    await wait_for(served, BOB, "for bob one", "for bob two")
    anns = target(ANN, 0)
    captured = sign_request("GET", anns)
    # Within the window the captured request can be sent again: it reads, never deletes.
    assert seqs_and_texts(await get(served, anns, captured)) == [(1, "for ann")]
    assert seqs_and_texts(await get(served, anns, captured)) == [(1, "for ann")]
    forged = [
        await get(served, target(BOB, 0), captured),  # another user
        await get(served, target(ANN, 1), captured),  # another cursor (would acknowledge)
        await get(served, target(BOB, 2), captured),
        await get(served, anns + "&after=1", captured),  # a field added
        await get(served, anns.replace("%3A", ":"), captured),  # encoded otherwise: same user
        await get(served, target(BOB, 0), sign_request("POST", target(BOB, 0))),  # method
        await get(served, target(BOB, 0), sign_request("GET", "/webhook/messages")),
        await get(served, target(BOB, 0), sign(b"")),  # the old scheme: an empty body
        await get(served, target(BOB, 0), sign_request("GET", target(BOB, 0), secret="other")),
    ]
    assert [r.status_code for r in forged] == [401] * len(forged)
    assert all(r.json()["error"]["code"] == "unauthorized" for r in forged)
    assert seqs_and_texts(await fetch_hook(served, BOB, after=0)) == [
        (1, "for bob one"),
        (2, "for bob two"),
    ]
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == [(1, "for ann")]
    # The request line as sent is what is signed, with whatever percent-encoding it uses.
    other_spelling = f"/webhook/messages?after=0&user_id={ANN.replace('+', '%2b')}"
    answer = await get(served, other_spelling, sign_request("GET", other_spelling))
    assert seqs_and_texts(answer) == [(1, "for ann")]


async def test_head_is_not_a_way_to_fetch(serve_bot, no_tracebacks):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    await wait_for(served, ANN, "one")
    sent = target(ANN, 1)
    async with httpx2.AsyncClient() as http:
        head = await http.head(served.url + sent, headers=sign_request("HEAD", sent))
    assert head.status_code == 405
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == [(1, "one")]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "after=0",
        "user_id=",
        f"user_id={'u' * 300}",
        "user_id=a&user_id=b",
        "user_id=a&after=-1",
        "user_id=a&after=1.5",
        "user_id=a&after=abc",
        "user_id=a&after=",
        "user_id=a&after=0&after=1",
        "user_id=a&after=%D9%A3",  # an Arabic-Indic digit three: a digit, not a seq
        f"user_id=a&after={'9' * 30}",
        "user_id=%ED%A0%80",  # a surrogate written as UTF-8: not UTF-8
        "user_id=%FF",
        "user_id=sms%3A%00",
        "user_id=sms%0A",
        "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&user_id=a",
    ],
)
async def test_malformed_queries_get_400_never_a_500(serve_bot, no_tracebacks, query):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    sent = f"/webhook/messages?{query}"
    answer = await get(served, sent, sign_request("GET", sent))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "bad_request" and error["message"]


async def test_waiting_messages_come_first_in_the_next_answer_which_acknowledges_them(
    serve_bot, no_tracebacks
):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    await wait_for(served, ANN, "resumed one", "resumed two")
    assert [s for s, _ in seqs_and_texts(await fetch_hook(served, ANN))] == [1, 2]
    turn = {"user_id": ANN, "message_id": "m-1", "text": "take a note"}
    answer = await post_hook(served, turn)
    assert answer.status_code == 200
    earlier, asked = answer.json()["messages"][:2], answer.json()["messages"][2]
    assert [(m["seq"], m["text"]) for m in earlier] == [(1, "resumed one"), (2, "resumed two")]
    assert asked["text"] == "What should I note?" and "seq" not in asked
    # Delivered in an answer the relay gets again by repeating the message id: acknowledged.
    assert seqs_and_texts(await fetch_hook(served, ANN, after=0)) == []
    assert (await post_hook(served, turn)).json() == answer.json()
    await wait_for(served, ANN, "resumed three")
    assert seqs_and_texts(await fetch_hook(served, ANN, after=2)) == [(3, "resumed three")]
    noted = await post_hook(served, {"user_id": ANN, "message_id": "m-2", "text": "buy milk"})
    assert [m.get("seq") for m in noted.json()["messages"]] == [3, None]
    assert seqs_and_texts(await fetch_hook(served, ANN, after=3)) == []


async def test_messages_queued_by_the_version_before_seqs_are_fetched(serve_bot, no_tracebacks):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    store = served.bot.store
    for text in ("queued one", "queued two"):
        await store.push(EARLIER_QUEUE, ANN, b'{"type":"message","text":"%s"}' % text.encode())
        await store.push(EARLIER_QUEUE, BOB, b'{"type":"message","text":"%s"}' % text.encode())
    await wait_for(served, ANN, "new one")
    assert seqs_and_texts(await fetch_hook(served, ANN)) == [
        (1, "queued one"),
        (2, "queued two"),
        (3, "new one"),
    ]
    assert seqs_and_texts(await fetch_hook(served, BOB)) == [(1, "queued one"), (2, "queued two")]
    assert [await store.drain(EARLIER_QUEUE, user) for user in (ANN, BOB)] == [[], []]
    assert seqs_and_texts(await fetch_hook(served, BOB, after=2)) == []


async def test_concurrent_deliveries_and_fetches_lose_nothing(serve_bot, no_tracebacks):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    got: dict[int, str] = {}

    async def relay() -> None:
        cursor = 0
        while len(got) < 40:
            for seq, text in seqs_and_texts(await fetch_hook(served, ANN, after=cursor)):
                assert got.setdefault(seq, text) == text
                cursor = max(cursor, seq)
            await asyncio.sleep(0)

    async def producer(name: str) -> None:
        for i in range(20):
            await wait_for(served, ANN, f"{name}-{i}")

    await asyncio.wait_for(asyncio.gather(relay(), producer("a"), producer("b")), 60)
    assert sorted(got) == list(range(1, 41))
    for name in "ab":
        mine = [got[s] for s in sorted(got) if got[s].startswith(name)]
        assert mine == [f"{name}-{i}" for i in range(20)]
