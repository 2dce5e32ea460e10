"""Identity, the web chat's files, health and metrics."""

from __future__ import annotations

import asyncio

import httpx2
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from channels.identity import COOKIE
from channels.settings import ChannelSettings
from runtime.auth.crypto import load_or_create_key
from tests.channels.conftest import (
    LEAD_DIALOG,
    NOTE_DIALOG,
    SECRET,
    crm_config,
    free_port,
    new_session,
)
from tests.channels.test_oauth_flow import approve, ask_for_a_lead, open_callback


async def test_sessions_issue_a_signed_identity_and_keep_it_for_a_valid_token(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG})
    async with httpx2.AsyncClient() as http:
        first = await http.post(f"{served.url}/api/sessions")
        assert first.status_code == 200
        user_id, token = first.json()["user_id"], first.json()["token"]
        assert user_id.startswith("web:") and token
        cookie = first.headers["Set-Cookie"]
        assert cookie.startswith(f"{COOKIE}={token};")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
        kept = await http.post(f"{served.url}/api/sessions", json={"token": token})
        assert kept.json()["user_id"] == user_id
        forged = await http.post(f"{served.url}/api/sessions", json={"token": token[:-2] + "xx"})
        assert forged.json()["user_id"] not in (user_id, "")
        bad = await http.post(f"{served.url}/api/sessions", content=b"{oops")
        assert (bad.status_code, bad.json()["error"]["code"]) == (400, "bad_request")
        foreign = await http.post(
            f"{served.url}/api/sessions", headers={"Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403


async def test_the_web_chat_page_and_its_files_are_served(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, {"bot": {"name": "Acme <Helper>"}})
    async with httpx2.AsyncClient() as http:
        page = await http.get(f"{served.url}/")
        assert page.status_code == 200
        assert page.headers["Content-Type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert "<title>Acme &lt;Helper&gt;</title>" in page.text
        assert '<script src="/static/chat.js" defer></script>' in page.text
        script = await http.get(f"{served.url}/static/chat.js")
        assert script.status_code == 200 and "localStorage" in script.text
        assert "innerHTML" not in script.text
        style = await http.get(f"{served.url}/static/chat.css")
        assert style.status_code == 200 and ".bubble" in style.text


async def test_a_disabled_web_chat_is_not_served(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, {"channels": {"web": {"enabled": False}}})
    async with httpx2.AsyncClient() as http:
        assert (await http.get(f"{served.url}/")).status_code == 404
        assert (await http.post(f"{served.url}/api/sessions")).status_code == 200


async def test_healthz_is_ok_while_the_store_answers(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG})
    async with httpx2.AsyncClient() as http:
        healthy = await http.get(f"{served.url}/healthz")
        assert (healthy.status_code, healthy.json()) == (200, {"status": "ok"})
        await served.bot.store.close()
        down = await http.get(f"{served.url}/healthz")
        assert down.status_code == 503
        assert down.json() == {"status": "unavailable", "reason": "the store is not answering"}


def scrape(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_turns_sessions_service_calls_and_callbacks(
    serve_bot, sandbox_org, chats
):
    config = crm_config(sandbox_org) | {"channels": {"webhook": {"secret": SECRET}}}
    served = await serve_bot(
        {"new_lead": LEAD_DIALOG, "note": NOTE_DIALOG},
        config,
        settings=ChannelSettings(sessions_every=0),  # every scrape counts afresh
    )
    session = await new_session(served.url)
    chat = await chats(served, session["token"])
    await chat.say("take a note")
    noter = await chats(served, (await new_session(served.url))["token"])
    await noter.say("take a note")
    await noter.say("something")
    lead = await chats(served, (await new_session(served.url))["token"])
    link = await ask_for_a_lead(lead)
    async with httpx2.AsyncClient() as http:
        before = scrape((await http.get(f"{served.url}/metrics")).text)
        assert before[("parley_turns_total", (("channel", "websocket"),))] == 6
        assert before[("parley_turn_seconds_count", (("channel", "websocket"),))] == 6
        assert before[("parley_sessions", (("status", "active"),))] == 1
        assert before[("parley_sessions", (("status", "parked"),))] == 1
        assert before[("parley_websockets", ())] == 3
        await open_callback(await approve(sandbox_org, link["url"]))
        await lead.receive()
        await http.get(f"{served.url}/oauth/callback", params={"state": "nope"})
        response = await http.get(f"{served.url}/metrics")
    assert response.headers["Content-Type"].startswith("text/plain")
    after = scrape(response.text)
    assert after[("parley_sessions", (("status", "parked"),))] == 0
    assert after[("parley_service_calls_total", (("status", "201"),))] == 1
    assert after[("parley_oauth_callbacks_total", (("outcome", "connected"),))] == 1
    assert after[("parley_oauth_callbacks_total", (("outcome", "unknown"),))] == 1
    key = load_or_create_key("", served.root / "var")
    for secret in (sandbox_org.client_secret, SECRET, key, session["token"], session["user_id"]):
        assert secret not in response.text


async def test_sessions_are_recounted_at_most_once_every_sessions_every(serve_bot, chats):
    served = await serve_bot({"note": NOTE_DIALOG}, settings=ChannelSettings(sessions_every=1.0))
    active = ("parley_sessions", (("status", "active"),))
    async with httpx2.AsyncClient() as http:

        async def scrape_active() -> float:
            return scrape((await http.get(f"{served.url}/metrics")).text)[active]

        assert await scrape_active() == 0
        chat = await chats(served, (await new_session(served.url))["token"])
        await chat.say("take a note")  # the note dialog now waits for the note
        assert await scrape_active() == 0  # within the second: the last count
        await asyncio.sleep(1.1)
        assert await scrape_active() == 1


BUSY_DIALOG = """
dialog: status_check
intents: [check the status]
nodes:
  - id: busy
    type: service
    request:
      url: "{{ globals.busy }}/status"
    next: unreachable
  - id: unreachable
    type: service
    request:
      url: "{{ globals.closed }}/status"
    on_error: done
  - id: done
    type: message
    text: checked
"""


async def test_service_calls_are_counted_once_per_call_after_retries(
    serve_bot, chats, aiohttp_server
):
    attempts = []

    async def busy(request):
        attempts.append(request.path)
        return web.json_response({"error": "busy"}, status=503)

    app = web.Application()
    app.router.add_get("/status", busy)
    server = await aiohttp_server(app)
    globals_ = {
        "busy": str(server.make_url("")).rstrip("/"),
        "closed": f"http://127.0.0.1:{free_port()}",
    }
    served = await serve_bot({"status": BUSY_DIALOG}, {"globals": globals_})
    served.bot.engine.executor.services.backoff = 0.01
    chat = await chats(served, (await new_session(served.url))["token"])
    assert (await chat.say("check the status"))["text"] == "checked"
    assert len(attempts) == 3  # a GET is retried on 503
    async with httpx2.AsyncClient() as http:
        metrics = scrape((await http.get(f"{served.url}/metrics")).text)
    assert metrics[("parley_service_calls_total", (("status", "503"),))] == 1
    assert metrics[("parley_service_calls_total", (("status", "0"),))] == 1
