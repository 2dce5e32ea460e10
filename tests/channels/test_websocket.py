"""The WebSocket channel, driven by a real aiohttp client against the real server."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest

from channels.hub import OUTBOX
from channels.identity import UserTokens
from channels.server import CHANNELS
from channels.settings import ChannelSettings
from runtime.auth.crypto import load_or_create_key
from runtime.engine.messages import say
from tests.channels.conftest import NOTE_DIALOG, Chat, new_session

DAY = 86400.0


async def test_a_dialog_over_the_socket_with_reply_to_and_session(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    asked = await chat.say("take a note")
    assert asked["type"] == "message"
    assert asked["text"] == "What should I note?"
    noted = await chat.say("buy milk")
    assert noted["text"] == "Noted: buy milk."
    assert asked["session"] and noted["session"] == asked["session"]


async def test_buttons_arrive_in_the_wire_shape(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    fallback = await chat.say("what can you do")
    assert fallback["buttons"] == [{"label": "take a note", "value": "/start note"}]


async def test_every_socket_of_a_user_receives_the_answers(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    token = (await new_session(served.url))["token"]
    phone = await chats(served, token)
    laptop = await chats(served, token, greeted=False)  # greeted once, on the first socket
    asked = await phone.say("take a note")
    assert await laptop.receive() == asked
    other = await chats(served, (await new_session(served.url))["token"])
    assert (await other.say("take a note"))["reply_to"] == "c-1"
    noted = await laptop.say("call mum")
    assert noted["text"] == "Noted: call mum."
    assert await phone.receive() == noted


async def test_fifty_rapid_messages_are_answered_in_order(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG}, settings=ChannelSettings(rate_limit=1000))
    chat = await chats(served, (await new_session(served.url))["token"])
    for i in range(25):
        await chat.send("take a note", f"start-{i}")
        await chat.send(f"item {i}", f"item-{i}")
    answers = [await chat.receive() for _ in range(50)]
    assert [a["reply_to"] for a in answers] == [
        mid for i in range(25) for mid in (f"start-{i}", f"item-{i}")
    ]
    assert [a["text"] for a in answers[1::2]] == [f"Noted: item {i}." for i in range(25)]


async def test_malformed_frames_get_bad_request_and_the_socket_stays_open(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    bad = [
        "{not json",
        "[1, 2]",
        json.dumps({"type": "message", "id": 7, "text": "x"}),
        json.dumps({"type": "typing", "id": "t-1"}),
        json.dumps({"type": "message", "id": "t-2", "text": ["x"]}),
        json.dumps({"type": "message", "id": "t-3"}),
    ]
    for frame in bad:
        await chat.ws.send_str(frame)
        answer = await chat.receive()
        assert (answer["type"], answer["code"]) == ("error", "bad_request"), frame
    assert [m.get("reply_to") for m in chat.seen] == [None, None, None, "t-1", "t-2", "t-3"]
    await chat.ws.send_bytes(b'{"type": "message", "text": "hi"}')
    assert (await chat.receive())["code"] == "bad_request"
    empty = await chat.say("   ")
    assert (empty["type"], empty["code"]) == ("error", "bad_request")
    assert (await chat.say("take a note"))["text"] == "What should I note?"


async def test_long_texts_and_huge_frames_get_too_long(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    assert (await chat.say("take a note"))["text"] == "What should I note?"
    too_long = await chat.say("x" * 4001)
    assert (too_long["type"], too_long["code"]) == ("error", "too_long")
    await chat.ws.send_str(json.dumps({"type": "message", "id": "big", "text": "y" * 70_000}))
    assert (await chat.receive())["code"] == "too_long"
    await chat.ws.send_bytes(b"z" * 70_000)
    assert (await chat.receive())["code"] == "too_long"
    # The conversation is where it was: the next answer is taken as the note.
    assert (await chat.say("x" * 4000))["text"] == "Noted: " + "x" * 4000 + "."


async def test_a_frame_beyond_the_hard_limit_closes_with_1009(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    await chat.ws.send_str("a" * (ChannelSettings().hard_frame_bytes + 1))
    frame = await chat.ws.receive(timeout=20)
    assert frame.type is aiohttp.WSMsgType.CLOSE
    assert frame.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


async def test_a_flood_is_rate_limited_per_user_and_the_socket_stays_open(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    token = (await new_session(served.url))["token"]
    first = await chats(served, token)
    second = await chats(served, token, greeted=False)
    for i in range(15):
        await first.send("hello", f"a-{i}")
    assert {(await first.receive())["type"] for _ in range(15)} == {"message"}
    for i in range(10):
        await second.send("hello", f"b-{i}")
    # The limit of 20 is the user's: the second socket gets 5 answers, then 5 refusals, and
    # (like every socket of the user) the first socket's 15 answers too.
    second_got = [await second.receive() for _ in range(15 + 10)]
    mine = [m for m in second_got if m["reply_to"].startswith("b-")]
    assert [m["type"] for m in mine] == ["message"] * 5 + ["error"] * 5
    assert {m["code"] for m in mine[5:]} == {"rate_limited"}
    assert [(await first.receive())["reply_to"] for _ in range(5)] == [f"b-{i}" for i in range(5)]
    other = await Chat.open(served.url, (await new_session(served.url))["token"])
    try:
        assert (await other.say("take a note"))["type"] == "message"
    finally:
        await other.close()
    assert not first.ws.closed and not second.ws.closed


@pytest.mark.parametrize("token", ["", "garbage", "web:someone.forged.signature"])
async def test_missing_or_forged_tokens_are_closed_with_4401(serve_bot, chats, token):
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, token, greeted=False)
    frame = await chat.ws.receive(timeout=20)
    assert frame.type is aiohttp.WSMsgType.CLOSE
    assert frame.data == 4401


async def test_a_token_signed_with_another_key_is_closed_with_4401(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    stranger = UserTokens("another key", DAY).issue("web:intruder")
    chat = await chats(served, stranger, greeted=False)
    assert (await chat.ws.receive(timeout=20)).data == 4401


async def test_an_expired_token_is_closed_with_4401(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    key = load_or_create_key("", served.root / "var")
    month_ago = UserTokens(key, 30 * DAY, clock=lambda: time.time() - 31 * DAY)
    old = month_ago.issue("web:old-user")
    chat = await chats(served, old, greeted=False)
    frame = await chat.ws.receive(timeout=20)
    assert (frame.type, frame.data) == (aiohttp.WSMsgType.CLOSE, 4401)
    assert frame.extra == "The token has expired."
    fresh = UserTokens(key, 30 * DAY).issue("web:old-user")
    chat = await chats(served, fresh)
    assert (await chat.say("take a note"))["text"] == "What should I note?"


async def test_a_foreign_origin_is_refused_before_the_upgrade(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG})
    token = (await new_session(served.url))["token"]
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{served.ws_url}?token={token}", origin="https://evil.example")
        assert refused.value.status == 403
        ws = await http.ws_connect(f"{served.ws_url}?token={token}", origin=served.url)
        await ws.close()


async def test_configured_origins_replace_the_default(serve_bot):
    config = {"channels": {"websocket": {"allowed_origins": ["https://chat.example.com"]}}}
    served = await serve_bot({"note": NOTE_DIALOG}, config)
    token = (await new_session(served.url))["token"]
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(
            f"{served.ws_url}?token={token}", origin="https://chat.example.com"
        )
        await ws.close()
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(f"{served.ws_url}?token={token}", origin=served.url)


async def test_messages_kept_while_offline_arrive_on_reconnect_in_order_once(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    session = await new_session(served.url)
    user_id, token = session["user_id"], session["token"]
    channel = served.app[CHANNELS]["websocket"]
    await channel.deliver_later(user_id, [say("first"), say("second")])
    await channel.deliver_later(user_id, [say("third")])
    chat = await chats(served, token, greeted=False)
    assert [(await chat.receive())["text"] for _ in range(3)] == ["first", "second", "third"]
    assert (await chat.receive())["text"].startswith("Hi! I can take a note.")  # then greeted
    assert await served.bot.store.drain(OUTBOX, user_id) == []
    await chat.close()
    again = await chats(served, token, greeted=False)
    assert (await again.say("take a note"))["text"] == "What should I note?"


CARDS_DIALOG = """
dialog: team
intents: [show the team]
nodes:
  - id: show
    type: message
    text: "The team:"
    cards:
      items: globals.team
      title: "{{ item.name }}"
      fields: {Role: "{{ item.role }}"}
      buttons: [{label: Note, value: "note {{ item.name }}"}]
"""
TEAM = {"globals": {"team": [{"name": "Ada", "role": "maths"}, {"name": "Grace", "role": "navy"}]}}


async def test_history_over_the_socket_holds_both_sides_and_is_shared_by_reloads(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG, "team": CARDS_DIALOG}, TEAM)
    token = (await new_session(served.url))["token"]
    chat = await chats(served, token)
    assert chat.greeting["text"].startswith("Hi! I can ")
    assert [b["value"] for b in chat.greeting["buttons"]] == ["/start note", "/start team"]
    await chat.say("take a note")
    cards = await chat.say("show the team")  # answers the question: it is a string node
    assert cards["text"] == "Noted: show the team."
    cards = await chat.say("show the team")
    assert cards["type"] == "cards" and [c["title"] for c in cards["cards"]] == ["Ada", "Grace"]
    assert cards["text"] == "The team:\n1. Ada. Role: maths\n2. Grace. Role: navy"
    await chat.ws.send_str(json.dumps({"type": "history"}))
    history = await chat.receive()
    assert history["type"] == "history"
    said = [(m["from"], m["text"].splitlines()[0]) for m in history["messages"]]
    assert said == [
        ("bot", chat.greeting["text"]),
        ("user", "take a note"),
        ("bot", "What should I note?"),
        ("user", "show the team"),
        ("bot", "Noted: show the team."),
        ("user", "show the team"),
        ("bot", "The team:"),
    ]
    assert history["messages"][-1]["cards"] == cards["cards"]
    # A reload is a new socket of the same user: no second greeting, the same history.
    again = await chats(served, token, greeted=False)
    await again.ws.send_str(json.dumps({"type": "history", "id": "h-1"}))
    assert (await again.receive())["messages"] == history["messages"]


async def test_a_history_request_from_a_new_user_holds_the_greeting(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    await chat.ws.send_str(json.dumps({"type": "history"}))
    (greeting,) = (await chat.receive())["messages"]
    assert (greeting["from"], greeting["text"]) == ("bot", chat.greeting["text"])
