"""Per-user authorization inside a conversation, through the sandbox org, completed with plain
HTTP as a browser would: follow the link, post the login and consent form, follow the redirect
to /oauth/callback."""

from __future__ import annotations

import httpx2

from channels.hub import OUTBOX
from channels.identity import COOKIE
from sandbox.testing import complete_authorization
from tests.channels.conftest import (
    LEAD_DIALOG,
    NOTE_DIALOG,
    SECRET,
    async_config,
    crm_config,
    fetch_hook,
    new_session,
    post_hook,
    until,
)


async def ask_for_a_lead(chat) -> dict:
    assert (await chat.say("create a lead"))["text"] == "What is the lead's last name?"
    assert (await chat.say("Lovelace"))["text"] == "Which company does Lovelace work for?"
    link = await chat.say("Analytical Engines")
    assert link["type"] == "auth_link"
    return link


async def approve(sb, link_url: str) -> str:
    """The IdP's part: log in and allow; returns the callback URL the browser is sent to."""
    return await complete_authorization(link_url, username=sb.username, password=sb.password)


async def open_callback(callback_url: str, cookie_token: str | None = None) -> httpx2.Response:
    cookies = {COOKIE: cookie_token} if cookie_token else None
    async with httpx2.AsyncClient(cookies=cookies) as browser:
        return await browser.get(callback_url)


async def test_the_conversation_resumes_on_the_socket_after_the_callback(
    serve_bot, sandbox_org, chats
):
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    session = await new_session(served.url)
    chat = await chats(served, session["token"])
    link = await ask_for_a_lead(chat)
    assert link["profile"] == "crm" and link["provider"] == "Sandbox CRM"
    assert link["url"].startswith(sandbox_org.authorize_url + "?")
    assert link["text"] == "Please connect your Sandbox CRM account to continue."
    callback_url = await approve(sandbox_org, link["url"])
    assert callback_url.startswith(f"{served.url}/oauth/callback?")
    page = await open_callback(callback_url, session["token"])
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Connected. You can return to the chat." in page.text
    resumed = await chat.receive()
    assert resumed["type"] == "message"
    assert resumed["text"].startswith("Lead 00Q") and resumed["text"].endswith(
        " created for Analytical Engines."
    )
    assert resumed["session"] == link["session"] and "reply_to" not in resumed
    # The same user opening the completed link again is told it is connected; anyone else
    # only that the link was used.
    again = await open_callback(callback_url, session["token"])
    assert again.status_code == 200 and "Connected. You can return to the chat." in again.text
    other = await open_callback(callback_url, (await new_session(served.url))["token"])
    assert other.status_code == 400 and "already used" in other.text
    assert (await open_callback(callback_url)).status_code == 400  # no chat cookie at all


async def test_an_offline_user_gets_the_resumed_conversation_on_reconnect_once(
    serve_bot, sandbox_org, chats
):
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    session = await new_session(served.url)
    chat = await chats(served, session["token"])
    link = await ask_for_a_lead(chat)
    await chat.close()
    page = await open_callback(await approve(sandbox_org, link["url"]))
    assert page.status_code == 200
    back = await chats(served, session["token"], greeted=False)
    resumed = await back.receive()
    assert resumed["text"].endswith(" created for Analytical Engines.")
    assert await served.bot.store.drain(OUTBOX, session["user_id"]) == []
    # Nothing else was waiting: the next message is the answer to what is sent next.
    assert (await back.say("create a lead"))["text"] == "What is the lead's last name?"
    third = await chats(served, session["token"], greeted=False)
    assert (await third.say("Babbage"))["text"] == "Which company does Babbage work for?"
    assert (await back.receive())["text"] == "Which company does Babbage work for?"


async def test_a_link_presented_by_another_users_browser_is_refused(serve_bot, sandbox_org, chats):
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    alice, mallory = await new_session(served.url), await new_session(served.url)
    chat = await chats(served, alice["token"])
    link = await ask_for_a_lead(chat)
    page = await open_callback(await approve(sandbox_org, link["url"]), mallory["token"])
    assert page.status_code == 400
    assert "issued to someone else" in page.text
    # Alice's conversation is still parked: she is reminded of the link, nothing else came.
    reminder = await chat.say("hello?")
    assert reminder["type"] == "auth_link"


async def test_a_denied_authorization_is_told_on_the_page_and_in_the_chat(
    serve_bot, sandbox_org, chats
):
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    session = await new_session(served.url)
    chat = await chats(served, session["token"])
    link = await ask_for_a_lead(chat)
    denied = await complete_authorization(
        link["url"], username=sandbox_org.username, password=sandbox_org.password, allow=False
    )
    assert "error=access_denied" in denied
    page = await open_callback(denied, session["token"])
    assert page.status_code == 400
    assert "You declined the authorization." in page.text
    told = await chat.receive()
    assert told["text"] == "You declined to connect your Sandbox CRM account, so I can't go on."


async def test_callback_pages_never_show_a_traceback_and_escape_what_they_show(serve_bot):
    served = await serve_bot({"note": NOTE_DIALOG}, {"bot": {"name": "<b>Bot</b> & co"}})
    async with httpx2.AsyncClient() as browser:
        pages = [
            await browser.get(f"{served.url}/oauth/callback"),
            await browser.get(f"{served.url}/oauth/callback", params={"state": "<script>x"}),
            await browser.get(
                f"{served.url}/oauth/callback",
                params={"state": "s" * 5000, "code": "c"},
            ),
            await browser.get(
                f"{served.url}/oauth/callback",
                params={"error": "access_denied", "error_description": "<i>no</i>"},
            ),
        ]
    for page in pages:
        assert page.status_code == 400
        assert "Traceback" not in page.text
        assert "<b>Bot</b>" not in page.text and "&lt;b&gt;Bot&lt;/b&gt; &amp; co" in page.text
        assert "<script>" not in page.text and "<i>" not in page.text
    assert "This authorization link is not known" in pages[1].text


async def test_a_webhook_users_resumed_messages_come_first_then_can_be_fetched(
    serve_bot, sandbox_org
):
    config = crm_config(sandbox_org) | {"channels": {"webhook": {"secret": SECRET}}}
    served = await serve_bot({"new_lead": LEAD_DIALOG}, config)

    async def say(text: str, mid: str, user: str = "sms:+14155550123") -> list[dict]:
        answer = await post_hook(served, {"user_id": user, "message_id": mid, "text": text})
        assert answer.status_code == 200, answer.text
        return answer.json()["messages"]

    await say("create a lead", "m-1")
    await say("Hopper", "m-2")
    [link] = await say("Navy", "m-3")
    assert link["type"] == "auth_link"
    assert (await open_callback(await approve(sandbox_org, link["url"]))).status_code == 200
    first, answer = await say("create a lead", "m-4")
    assert first["text"].endswith(" created for Navy.") and "reply_to" not in first
    assert (answer["text"], answer["reply_to"]) == ("What is the lead's last name?", "m-4")
    # Another user, whose resumed conversation is fetched instead.
    other = "sms:+14155550199"
    await say("create a lead", "n-1", other)
    await say("Turing", "n-2", other)
    [link] = await say("Bletchley", "n-3", other)
    assert (await open_callback(await approve(sandbox_org, link["url"]))).status_code == 200
    fetched = (await fetch_hook(served, other)).json()["messages"]
    assert [m["text"].endswith(" created for Bletchley.") for m in fetched] == [True]
    acknowledged = await fetch_hook(served, other, after=fetched[-1]["seq"])
    assert acknowledged.json() == {"messages": []}
    [only] = await say("create a lead", "n-4", other)
    assert only["text"] == "What is the lead's last name?"


async def test_an_async_webhook_users_resumed_conversation_is_posted_to_the_relay(
    serve_bot, sandbox_org, receiver
):
    relay = await receiver()
    config = crm_config(sandbox_org) | async_config(relay.url)
    served = await serve_bot({"new_lead": LEAD_DIALOG}, config)
    user = "sms:+14155550123"
    for mid, text in (("m-1", "create a lead"), ("m-2", "Hopper"), ("m-3", "Navy")):
        answer = await post_hook(served, {"user_id": user, "message_id": mid, "text": text})
        assert answer.status_code == 202
    await until(lambda: len(relay.texts()) == 3, "the relay has the auth link")
    link = relay.got[-1]["messages"][-1]
    assert link["type"] == "auth_link" and link["reply_to"] == "m-3"
    assert (await open_callback(await approve(sandbox_org, link["url"]))).status_code == 200
    await until(lambda: len(relay.texts()) == 4, "the relay has the resumed conversation")
    assert relay.got[-1]["user_id"] == user
    assert relay.texts()[-1].endswith(" created for Navy.")


async def test_reopening_a_link_whose_callback_was_cut_short_resumes_the_chat(
    serve_bot, sandbox_org, chats
):
    """The server redeemed the state and stored the token, then died before resuming. The
    user reopens the link in the same browser: the chat goes on instead of 'already used'."""
    from urllib.parse import parse_qs, urlsplit

    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    session = await new_session(served.url)
    chat = await chats(served, session["token"])
    link = await ask_for_a_lead(chat)
    callback_url = await approve(sandbox_org, link["url"])
    query = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
    authorizer = served.bot.authorizer
    verdict = await authorizer.redeem(state=query["state"], code=query["code"], error=None)
    assert verdict.ok  # the cut-short callback's work; the conversation is still parked
    page = await open_callback(callback_url, session["token"])
    assert page.status_code == 200 and "Connected. You can return to the chat." in page.text
    resumed = await chat.receive()
    assert resumed["text"].endswith(" created for Analytical Engines.")
    # another browser (no chat cookie) still only hears that the link was used
    other = await open_callback(callback_url)
    assert other.status_code == 400 and "already used" in other.text
