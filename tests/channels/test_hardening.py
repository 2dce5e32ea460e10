"""Malformed and hostile input against the real server (issue 15): every request gets its 4xx,
never a 500, and the log gets at most one WARNING line, never a traceback nor a token.

Each test reads the captured log records: a record at ERROR or above, or one carrying an
exception (whose traceback a handler would print), is a failure.
"""

from __future__ import annotations

import asyncio
import logging
import textwrap

import aiohttp
import httpx2
import pytest

from channels.identity import COOKIE
from channels.settings import ChannelSettings
from runtime.config import load_config
from runtime.errors import ConfigError
from sandbox.testing import complete_authorization
from tests.channels.conftest import (
    LEAD_DIALOG,
    NOTE_DIALOG,
    SECRET,
    WAIT,
    crm_config,
    new_session,
    sign,
)


def quiet(caplog: pytest.LogCaptureFixture) -> None:
    """No ERROR, no traceback in what was logged."""
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud]
    assert "Traceback" not in caplog.text


async def raw_request(url: str, head: bytes) -> tuple[int, bytes]:
    """Send `head` (a request line and headers, as bytes) and return the status and the raw
    answer: for what no HTTP client would send."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), WAIT)
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer


# -- item 2: POST /api/sessions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 20_000,
        b'{"a":' * 12_000,
        b'{"token": "\\ud800"}',
        b'{"token": "abc\\udfff.def"}',
        b'{"token": "\\u0000"}',
        b'{"token": "\xff\xfe"}',
        b"\xff\xfe\x00",
    ],
)
async def test_a_malformed_sessions_body_is_a_bad_request(serve_bot, caplog, body):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    async with httpx2.AsyncClient() as http:
        answer = await http.post(f"{served.url}/api/sessions", content=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "bad_request"
    quiet(caplog)


async def test_an_oversized_sessions_body_gets_the_json_error_shape(serve_bot, caplog):
    served = await serve_bot({"note": NOTE_DIALOG})
    async with httpx2.AsyncClient() as http:
        answer = await http.post(f"{served.url}/api/sessions", content=b" " * 200_000)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_long"
    quiet(caplog)


# -- item 3: GET /oauth/callback with a cookie that cannot be read -------------------------------


@pytest.mark.parametrize(
    "cookie",
    [
        b"parley_session=\xff\xfe\xfd",
        b"parley_session=\xed\xa0\x80",
        b'parley_session="\\377"',
        b"parley_session=" + b"x" * 600,
        b"parley_session",
        b"=;;=;parley_session==",
    ],
)
async def test_an_unreadable_session_cookie_counts_as_no_cookie(serve_bot, caplog, cookie):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    status, answer = await raw_request(
        served.url,
        b"GET /oauth/callback?state=nope&code=c HTTP/1.1\r\nHost: x\r\nCookie: "
        + cookie
        + b"\r\nConnection: close\r\n\r\n",
    )
    assert status == 400
    assert b"text/html" in answer and b"This authorization link is not known" in answer
    quiet(caplog)


@pytest.mark.parametrize(
    "query", ["state=%ff%fe", "state=%ed%a0%80&code=%ed%a0%80", "error=%00&state=x", "state=%00"]
)
async def test_an_unreadable_callback_query_gets_the_page(serve_bot, caplog, query):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    status, answer = await raw_request(
        served.url,
        f"GET /oauth/callback?{query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
    )
    assert status == 400 and b"text/html" in answer
    quiet(caplog)


async def test_a_token_that_cannot_be_encoded_is_refused_on_the_socket(serve_bot, caplog):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    for token in ("%ed%a0%80", "%ff%fe"):
        status, answer = await raw_request(
            served.url,
            f"GET /ws?token={token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode(),
        )
        assert status == 101
        assert b"\x88" in answer  # a close frame (4401) follows the upgrade
    quiet(caplog)


# -- item 4: over aiohttp's limits ---------------------------------------------------------------


async def test_an_oversized_request_line_logs_one_warning_without_the_token(serve_bot, caplog):
    caplog.set_level(logging.DEBUG)
    served = await serve_bot({"note": NOTE_DIALOG})
    token = (await new_session(served.url))["token"]
    caplog.clear()
    pad = "p" * 9000
    status, _ = await raw_request(
        served.url,
        f"GET /ws?token={token}&pad={pad} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    )
    assert status == 400
    quiet(caplog)
    assert token not in caplog.text and pad not in caplog.text
    server = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert [r.levelno for r in server] == [logging.WARNING]
    assert "\n" not in server[0].getMessage()
    assert "400" in server[0].getMessage()


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"h" * 9000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nCookie: parley_session=" + b"s" * 9000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-" + b"n" * 9000 + b": v\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /oauth/callback?state=\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ],
)
async def test_every_unparseable_request_is_one_warning_line(serve_bot, caplog, head):
    caplog.set_level(logging.DEBUG)
    served = await serve_bot({"note": NOTE_DIALOG})
    status, _ = await raw_request(served.url, head)
    assert 400 <= status < 500
    quiet(caplog)
    server = [r for r in caplog.records if r.name == "aiohttp.server"]
    # one line; TLS spoken to the HTTP port stays at aiohttp's DEBUG (no less noisy than that)
    assert len(server) == 1 and server[0].levelno <= logging.WARNING
    assert "\n" not in server[0].getMessage()
    assert "s" * 100 not in server[0].getMessage()
    async with httpx2.AsyncClient() as http:
        assert (await http.get(f"{served.url}/healthz")).status_code == 200


# -- item 6: a refused cross-user callback leaves the link to its owner --------------------------


async def test_a_link_refused_to_another_users_browser_still_works_for_its_owner(
    serve_bot, sandbox_org, chats, caplog
):
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    alice, mallory = await new_session(served.url), await new_session(served.url)
    chat = await chats(served, alice["token"])
    assert (await chat.say("create a lead"))["text"] == "What is the lead's last name?"
    await chat.say("Lovelace")
    link = await chat.say("Analytical Engines")
    assert link["type"] == "auth_link"
    callback = await complete_authorization(
        link["url"], username=sandbox_org.username, password=sandbox_org.password
    )

    async def open_as(token: str | None) -> httpx2.Response:
        async with httpx2.AsyncClient(cookies={COOKIE: token} if token else None) as browser:
            return await browser.get(callback)

    refused = await open_as(mallory["token"])
    assert refused.status_code == 400 and "issued to someone else" in refused.text
    again = await open_as(mallory["token"])  # refused as often as it is tried
    assert again.status_code == 400 and "issued to someone else" in again.text
    page = await open_as(alice["token"])
    assert page.status_code == 200, page.text
    assert "Connected. You can return to the chat." in page.text
    resumed = await chat.receive()
    assert resumed["text"].endswith(" created for Analytical Engines.")
    used = await open_as(mallory["token"])
    assert used.status_code == 400 and "issued to someone else" not in used.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- item 7: conversation.rate_limit -------------------------------------------------------------


async def test_the_rate_limit_comes_from_config(serve_bot, chats):
    config = {"conversation": {"rate_limit": {"messages": 3, "per_seconds": 60}}}
    served = await serve_bot({"note": NOTE_DIALOG}, config)
    chat = await chats(served, (await new_session(served.url))["token"])
    for i in range(5):
        await chat.send("hello", f"m-{i}")
    got = [await chat.receive() for _ in range(5)]
    assert [m.get("code") for m in got] == [None, None, None, "rate_limited", "rate_limited"]
    assert not chat.ws.closed


async def test_settings_still_override_the_configured_rate_limit(serve_bot, chats):
    config = {"conversation": {"rate_limit": {"messages": 1, "per_seconds": 60}}}
    served = await serve_bot({"note": NOTE_DIALOG}, config, ChannelSettings(rate_limit=1000))
    chat = await chats(served, (await new_session(served.url))["token"])
    for i in range(3):
        assert (await chat.say("hello"))["type"] == "message", i


def config_problems(tmp_path, text: str) -> list[str]:
    path = tmp_path / "config.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(ConfigError) as failed:
        load_config(path, env={})
    return [line.replace(str(path), "config.yaml") for line in failed.value.messages]


def test_rate_limit_is_read_from_config(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("conversation:\n  rate_limit: {messages: 5, per_seconds: 2.5}\n")
    limit = load_config(path, env={}).conversation.rate_limit
    assert (limit.messages, limit.per_seconds) == (5, 2.5)
    path.write_text("conversation:\n  rate_limit: {messages: 7}\n")
    limit = load_config(path, env={}).conversation.rate_limit
    assert (limit.messages, limit.per_seconds) == (7, 10.0)
    path.write_text("bot: {name: x}\n")
    limit = load_config(path, env={}).conversation.rate_limit
    assert (limit.messages, limit.per_seconds) == (20, 10.0)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (
            "rate_limit: {messages: 0, per_seconds: 10}",
            "config.yaml:3: conversation.rate_limit.messages: "
            "expected a whole number of at least 1, got 0",
        ),
        (
            "rate_limit: {messages: many}",
            "config.yaml:3: conversation.rate_limit.messages: expected a whole number, got 'many'",
        ),
        (
            "rate_limit: {messages: 5, per_seconds: 0}",
            "config.yaml:3: conversation.rate_limit.per_seconds: expected a number above 0, got 0",
        ),
        (
            "rate_limit: {messages: 5, per_seconds: soon}",
            "config.yaml:3: conversation.rate_limit.per_seconds: expected a number, got 'soon'",
        ),
        (
            "rate_limit: {messages: 5, per_second: 3}",
            "config.yaml:3: conversation.rate_limit.per_second: unknown key "
            "(did you mean 'per_seconds'?)",
        ),
        (
            "rate_limit: 20",
            "config.yaml:3: conversation.rate_limit: expected a mapping, got a number",
        ),
    ],
)
def test_a_wrong_rate_limit_names_its_line_and_key(tmp_path, written, problem):
    text = f"bot: {{name: x}}\nconversation:\n  {written}\n"
    assert config_problems(tmp_path, text) == [problem]


# -- malformed text, the same on every channel ---------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "message", "id": "m-1", "text": "a\\u0000b"}',
        '{"type": "message", "id": "m-1", "text": "\\ud800"}',
        '{"type": "message", "id": "m-1", "text": "ok \\udfff then"}',
        '{"type": "message", "id": "m-1", "text": "\\ud800\\u0000"}',
    ],
)
async def test_malformed_text_in_a_frame_is_a_bad_request(serve_bot, chats, caplog, frame):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    await chat.ws.send_str(frame)
    refused = await chat.receive()
    assert (refused["type"], refused["code"]) == ("error", "bad_request")
    assert not chat.ws.closed
    assert (await chat.say("take a note"))["text"] == "What should I note?"
    quiet(caplog)


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "message", "id": "\\ud800", "text": "hi"}',
        '{"type": "message", "id": "a\\u0000", "text": "hi"}',
        '{"type": "\\ud800", "id": "x", "text": "hi"}',
        '{"\\ud800": 1}',
        "[" * 20_000,
    ],
)
async def test_malformed_frames_never_reach_a_traceback(serve_bot, chats, caplog, frame):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    await chat.ws.send_str(frame)
    refused = await chat.receive()
    assert (refused["type"], refused["code"]) == ("error", "bad_request")
    assert "reply_to" not in refused or refused["reply_to"] == "x"
    assert (await chat.say("take a note"))["text"] == "What should I note?"
    quiet(caplog)


# -- the logs: users and clients are not the operator's errors ----------------------------------

RETRIES_DIALOG = """
dialog: age
intents: [tell my age]
nodes:
  - id: age
    type: entity
    entity_type: number
    prompt: How old are you?
    retries: 1
  - id: done
    type: message
    text: "Noted."
"""


async def test_a_user_using_up_retries_is_not_an_error(serve_bot, chats, caplog):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"age": RETRIES_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    assert (await chat.say("tell my age"))["text"] == "How old are you?"
    await chat.say("purple")
    stopped = await chat.say("green")
    assert "stopped" in stopped["text"]
    quiet(caplog)
    assert "used up its 1 retries" in caplog.text  # still told, as INFO


async def test_a_user_declining_authorization_is_not_an_error(
    serve_bot, sandbox_org, chats, caplog
):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    session = await new_session(served.url)
    chat = await chats(served, session["token"])
    await chat.say("create a lead")
    await chat.say("Lovelace")
    link = await chat.say("Analytical Engines")
    denied = await complete_authorization(
        link["url"], username=sandbox_org.username, password=sandbox_org.password, allow=False
    )
    async with httpx2.AsyncClient(cookies={COOKIE: session["token"]}) as browser:
        page = await browser.get(denied)
    assert page.status_code == 400 and "You declined" in page.text
    told = await chat.receive()
    assert told["text"].startswith("You declined")
    quiet(caplog)


async def test_a_text_frame_that_is_not_utf8_is_refused_without_a_traceback(
    serve_bot, chats, caplog
):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    chat = await chats(served, (await new_session(served.url))["token"])
    for raw in (b'{"type": "message", "id": "u-1", "text": "\xff\xfe"}', b"\xed\xa0\x80{}"):
        await chat.ws.send_frame(raw, aiohttp.WSMsgType.TEXT)
        refused = await chat.receive()
        assert (refused["type"], refused["code"]) == ("error", "bad_request")
    assert not chat.ws.closed
    assert (await chat.say("take a note"))["text"] == "What should I note?"
    quiet(caplog)


# -- found by tests/channels/test_fuzz.py --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/sessions", 400), ("/webhook", 400), ("/healthz", 405), ("/nope", 404)],
)
async def test_a_body_whose_content_encoding_does_not_decode_is_a_bad_request(
    serve_bot, caplog, path, status
):
    caplog.set_level(logging.DEBUG)
    served = await serve_bot({"note": NOTE_DIALOG}, {"channels": {"webhook": {"secret": SECRET}}})
    body = b'{"user_id": "sms:1", "message_id": "m-1", "text": "hi"}'  # not gzip
    async with httpx2.AsyncClient() as http:
        answer = await http.post(
            served.url + path, content=body, headers={"Content-Encoding": "gzip", **sign(body)}
        )
        assert answer.status_code == status, answer.text
        if status == 400:
            assert answer.json()["error"]["code"] == "bad_request"
        # aiohttp drops the connection after such a body: the answer must say so, or a client's
        # next request on it finds it gone
        assert answer.headers["Connection"] == "close"
        assert (await http.get(f"{served.url}/healthz")).status_code == 200
    quiet(caplog)
    server = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert [r.levelno for r in server] == [logging.WARNING]
    assert "ContentEncodingError" in server[0].getMessage()


@pytest.mark.parametrize("path", ["/api/sessions", "/ws"])
async def test_an_origin_that_is_not_a_url_is_refused(serve_bot, caplog, path):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    async with httpx2.AsyncClient() as http:
        method = "POST" if path == "/api/sessions" else "GET"
        answer = await http.request(method, served.url + path, headers={"Origin": "http://[::1"})
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "forbidden"
    quiet(caplog)


@pytest.mark.parametrize(
    "name", ["a" * 300, "__init__.py", "index.html", "callback.html", "%2e%2e/config.yaml"]
)
async def test_only_the_web_chat_files_are_static(serve_bot, caplog, name):
    caplog.set_level(logging.INFO)
    served = await serve_bot({"note": NOTE_DIALOG})
    async with httpx2.AsyncClient() as http:
        assert (await http.get(f"{served.url}/static/{name}")).status_code == 404
        assert (await http.get(f"{served.url}/static/chat.js")).status_code == 200
    quiet(caplog)
