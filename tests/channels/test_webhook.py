"""The webhook channel, driven by httpx2 like a relay, with a real receiver for async mode."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import httpx2
import pytest

from channels.settings import ChannelSettings
from tests.channels.conftest import (
    NOTE_DIALOG,
    SECRET,
    async_config,
    fetch_hook,
    post_hook,
    sign,
    sign_request,
    until,
)

SYNC = {"channels": {"webhook": {"secret": SECRET}}}
USER = "sms:+14155550123"


def message(text: str, message_id: str, user_id: str = USER) -> dict[str, str]:
    return {"user_id": user_id, "message_id": message_id, "text": text}


async def test_a_sync_turn_answers_with_this_turns_messages(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    first = await post_hook(served, message("take a note", "m-1"))
    assert first.status_code == 200
    [asked] = first.json()["messages"]
    assert asked["text"] == "What should I note?"
    assert asked["reply_to"] == "m-1" and asked["session"]
    second = await post_hook(served, message("call the bank", "m-2"))
    assert [m["text"] for m in second.json()["messages"]] == ["Noted: call the bank."]


@pytest.mark.parametrize(
    "forge",
    [
        "no headers",
        "wrong secret",
        "tampered body",
        "captured six minutes ago",
        "six minutes ahead",
        "timestamp not a number",
        "signature without prefix",
    ],
)
async def test_bad_signatures_get_401_and_nothing_is_processed(serve_bot, forge):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    body = json.dumps(message("take a note", "m-1")).encode()
    now = int(time.time())
    headers = {
        "no headers": {},
        "wrong secret": sign(body, secret="not the secret"),
        "tampered body": sign(body.replace(b"take", b"make")),
        "captured six minutes ago": sign(body, timestamp=now - 360),
        "six minutes ahead": sign(body, timestamp=now + 360),
        "timestamp not a number": {**sign(body), "X-Parley-Timestamp": "soon"},
        "signature without prefix": {
            **sign(body),
            "X-Parley-Signature": sign(body)["X-Parley-Signature"].removeprefix("sha256="),
        },
    }[forge]
    async with httpx2.AsyncClient() as http:
        refused = await http.post(f"{served.url}/webhook", content=body, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    # Nothing started: a note's answer now meets the fallback, not "Noted".
    later = await post_hook(served, message("buy milk", "m-2"))
    assert not later.json()["messages"][0]["text"].startswith("Noted")


async def test_a_timestamp_inside_the_window_is_accepted(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    answer = await post_hook(
        served, message("take a note", "m-1"), timestamp=int(time.time()) - 240
    )
    assert answer.status_code == 200


async def test_a_repeated_message_id_gets_the_first_answer_and_runs_once(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    await post_hook(served, message("take a note", "m-1"))
    first = await post_hook(served, message("water the plants", "m-2"))
    assert [m["text"] for m in first.json()["messages"]] == ["Noted: water the plants."]
    repeat = await post_hook(served, message("water the plants", "m-2"))
    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    # The same request replayed byte for byte within the window: still the first answer.
    body = json.dumps(message("water the plants", "m-2")).encode()
    headers = {"Content-Type": "application/json", **sign(body)}
    async with httpx2.AsyncClient() as http:
        replays = [
            await http.post(f"{served.url}/webhook", content=body, headers=headers)
            for _ in range(2)
        ]
    assert [r.json() for r in replays] == [first.json()] * 2
    # Another user may use the same message id.
    other = await post_hook(served, message("take a note", "m-2", user_id="sms:+14155550100"))
    assert other.json()["messages"][0]["text"] == "What should I note?"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2, 3]",
        json.dumps({"message_id": "m-1", "text": "hi"}).encode(),
        json.dumps({"user_id": "", "message_id": "m-1", "text": "hi"}).encode(),
        json.dumps({"user_id": USER, "text": "hi"}).encode(),
        json.dumps({"user_id": USER, "message_id": "m" * 300, "text": "hi"}).encode(),
        json.dumps({"user_id": USER, "message_id": "m-1", "text": 42}).encode(),
        json.dumps({"user_id": USER, "message_id": "m-1"}).encode(),
        b"\xff\xfe not utf-8",
        # Lone surrogates (no store can encode them), NUL and other control characters.
        json.dumps({"user_id": "sms:\ud800", "message_id": "m-1", "text": "hi"}).encode(),
        json.dumps({"user_id": USER, "message_id": "m-\udfff", "text": "hi"}).encode(),
        json.dumps({"user_id": "sms:\udc00\ud800", "message_id": "m-1", "text": "hi"}).encode(),
        json.dumps({"user_id": "sms:\x00", "message_id": "m-1", "text": "hi"}).encode(),
        json.dumps({"user_id": USER, "message_id": "m-1\n", "text": "hi"}).encode(),
        json.dumps({"user_id": USER, "message_id": "m-1", "text": "take a note\ud800"}).encode(),
        json.dumps({"user_id": USER, "message_id": "m-1", "text": "take\x00 a note"}).encode(),
        b'{"user_id": "sms:\xed\xa0\x80", "message_id": "m-1", "text": "hi"}',  # as UTF-8
    ],
)
async def test_malformed_bodies_get_400_with_an_error_object(serve_bot, caplog, body):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    caplog.set_level(logging.DEBUG)
    answer = await post_hook(served, body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    # Nothing was stored or started: the user's next message is a new conversation.
    answer = await post_hook(served, message("take a note", "m-1"))
    assert answer.json()["messages"][0]["text"] == "What should I note?"


async def test_a_body_over_64_kib_gets_413(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    answer = await post_hook(served, message("x" * 70_000, "m-1"))
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_long"


async def test_text_the_engine_refuses_is_answered_as_an_error_message(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    answer = await post_hook(served, message("x" * 4001, "m-1"))
    assert answer.status_code == 200
    [refusal] = answer.json()["messages"]
    assert (refusal["type"], refusal["code"], refusal["reply_to"]) == ("error", "too_long", "m-1")


async def test_without_a_secret_the_webhook_answers_503(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG})
    answer = await post_hook(served, message("take a note", "m-1"))
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "not_configured"
    assert (await fetch_hook(served, USER)).status_code == 503
    async with httpx2.AsyncClient() as http:
        assert (await http.get(f"{served.url}/healthz")).status_code == 200


async def test_a_disabled_webhook_is_not_served(serve_bot):
    config = {"channels": {"webhook": {"enabled": False, "secret": SECRET}}}
    served = await serve_bot({"note": NOTE_DIALOG}, config)
    assert (await post_hook(served, message("take a note", "m-1"))).status_code == 404


async def test_fetching_messages_is_signed_over_its_request_line(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, SYNC)
    target = "/webhook/messages?" + urlencode({"user_id": USER, "after": 0})
    now = int(time.time())
    async with httpx2.AsyncClient() as http:
        url = served.url + target
        unsigned = await http.get(url)
        stale = await http.get(url, headers=sign_request("GET", target, timestamp=now - 400))
        # The scheme before this one signed an empty body: refused, whoever it names.
        empty_body = await http.get(url, headers=sign(b""))
        no_user = await http.get(
            f"{served.url}/webhook/messages", headers=sign_request("GET", "/webhook/messages")
        )
    assert [r.status_code for r in (unsigned, stale, empty_body)] == [401] * 3
    assert all(r.json()["error"]["code"] == "unauthorized" for r in (unsigned, stale, empty_body))
    assert no_user.status_code == 400
    assert no_user.json()["error"]["code"] == "bad_request"
    assert (await fetch_hook(served, USER)).json() == {"messages": []}


FAST_RETRY = ChannelSettings(retry_first=0.01, retry_max=0.05)


async def test_async_mode_accepts_and_posts_signed_messages_retrying_on_failure(
    serve_bot, receiver
):
    hook = await receiver(failures=2)
    served = await serve_bot({"note": NOTE_DIALOG}, async_config(hook.url), FAST_RETRY)
    accepted = await post_hook(served, message("take a note", "m-1"))
    assert (accepted.status_code, accepted.json()) == (202, {"accepted": True})
    await until(lambda: hook.got, "the callback is delivered")
    assert hook.attempts == 3
    [batch] = hook.got
    assert batch["user_id"] == USER
    assert [(m["text"], m["reply_to"]) for m in batch["messages"]] == [
        ("What should I note?", "m-1")
    ]
    await post_hook(served, message("feed the cat", "m-2"))
    await until(lambda: len(hook.got) == 2, "the second callback is delivered")
    assert hook.texts() == ["What should I note?", "Noted: feed the cat."]
    repeat = await post_hook(served, message("feed the cat", "m-2"))
    assert repeat.status_code == 202
    await post_hook(served, message("take a note", "m-3"))
    await until(lambda: len(hook.texts()) == 3, "the third callback is delivered")
    assert hook.texts()[2] == "What should I note?"  # the repeat was not processed again


async def test_undelivered_callbacks_survive_a_restart_and_are_resumed(serve_bot, receiver):
    down = await receiver(failures=10**6)
    first = await serve_bot({"note": NOTE_DIALOG}, async_config(down.url), FAST_RETRY)
    await post_hook(first, message("take a note", "m-1"))
    await post_hook(first, message("call the plumber", "m-2"))
    await until(lambda: down.attempts >= 2, "delivery was attempted")
    async with httpx2.AsyncClient() as http:
        metrics = (await http.get(f"{first.url}/metrics")).text
    assert "parley_webhook_callbacks_pending 2.0" in metrics.splitlines()
    await first.stop()
    up = await receiver()
    second = await serve_bot(
        {"note": NOTE_DIALOG}, async_config(up.url), FAST_RETRY, root=first.root
    )
    await until(lambda: len(up.texts()) == 2, "the pending callbacks are delivered")
    assert up.texts() == ["What should I note?", "Noted: call the plumber."]
    assert all(batch["user_id"] == USER for batch in up.got)
    await post_hook(second, message("take a note", "m-3"))
    await until(lambda: len(up.texts()) == 3, "a new callback is delivered")
    assert down.got == []


async def test_cards_reach_the_webhook_with_their_plain_text(serve_bot):
    from tests.channels.test_websocket import CARDS_DIALOG, TEAM

    served = await serve_bot({"team": CARDS_DIALOG}, SYNC | TEAM)
    answer = await post_hook(served, message("show the team", "m-1"))
    [cards] = answer.json()["messages"]
    assert cards["type"] == "cards"
    assert cards["text"] == "The team:\n1. Ada. Role: maths\n2. Grace. Role: navy"
    assert cards["cards"][1] == {
        "title": "Grace",
        "fields": [{"label": "Role", "value": "navy"}],
        "buttons": [{"label": "Note", "value": "note Grace"}],
    }
