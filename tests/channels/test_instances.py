"""Two `parley serve` instances on one Redis store, behind one public address."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis

from tests.channels.conftest import LEAD_DIALOG, crm_config, new_session
from tests.channels.test_oauth_flow import approve, ask_for_a_lead, open_callback

REDIS_DB = 7


async def test_a_callback_landing_on_another_instance_reaches_the_users_socket(
    serve_bot, sandbox_org, chats, tmp_path
):
    config = crm_config(sandbox_org)
    # One public address for both, as behind a load balancer: the same callback URL.
    config["auth_profiles"]["crm"]["callback_url"] = "http://127.0.0.1:8765/oauth/callback"
    config |= {
        "store": {"url": f"redis://127.0.0.1:6379/{REDIS_DB}"},
        "secrets": {"key": secrets.token_hex(16)},
    }
    a = await serve_bot({"new_lead": LEAD_DIALOG}, config, root=tmp_path / "a")
    b = await serve_bot({"new_lead": LEAD_DIALOG}, config, root=tmp_path / "b")
    try:
        session = await new_session(a.url)
        chat = await chats(a, session["token"])  # the user's socket is on instance A
        link = await ask_for_a_lead(chat)
        callback = urlsplit(await approve(sandbox_org, link["url"]))
        on_b = urlunsplit(callback._replace(netloc=urlsplit(b.url).netloc))
        page = await open_callback(on_b)  # the load balancer sent the browser to B
        assert page.status_code == 200, page.text
        resumed = await chat.receive()
        assert resumed["text"].startswith("Lead 00Q"), resumed
    finally:
        client = aioredis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}")
        await client.flushdb()
        await client.aclose()
