"""Authorization inside conversations, against the sandbox org over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import re
from urllib.parse import parse_qs, urlsplit

from runtime.engine.state import Status
from runtime.engine.turn import User
from tests.runtime.auth.conftest import texts

ALICE = User("alice", "test")
BOB = User("bob", "test")
LEAD_CREATED = re.compile(r"Lead 00Q\w{15} created for Smith\.")


async def parked(world, user=ALICE):
    await world.bot.engine.handle(user, "make a lead")
    out = await world.bot.engine.handle(user, "Smith")
    return out


async def test_no_token_sends_an_auth_link_and_parks(world):
    w = await world()
    out = await parked(w)
    assert [m.type for m in out] == ["auth_link"]
    link = out[0]
    assert (link.profile, link.provider) == ("crm", "Salesforce")
    assert link.text == "Please connect your Salesforce account to continue."
    query = parse_qs(urlsplit(link.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == ["http://127.0.0.1:8765/oauth/callback"]
    assert len(query["state"][0]) >= 32
    state = await w.bot.engine.load(ALICE)
    assert (state.status, state.node) == (Status.PARKED, "create")


async def test_callback_resumes_the_conversation_where_it_stopped(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert result.outcome == "connected"
    assert result.user == ALICE
    assert result.page == "Connected. You can return to the chat."
    assert len(result.messages) == 1 and LEAD_CREATED.fullmatch(result.messages[0].text)
    assert result.messages[0].session == (await w.bot.engine.load(ALICE)).session
    # the token is kept: the next lead needs no link
    await w.bot.engine.handle(ALICE, "make a lead")
    out = await w.bot.engine.handle(ALICE, "Smith")
    assert LEAD_CREATED.fullmatch(out[0].text)


async def test_a_message_while_parked_gets_the_link_again_and_cancel_ends(world):
    w = await world()
    first = (await parked(w))[0]
    again = await w.bot.engine.handle(ALICE, "hello?")
    assert [m.type for m in again] == ["auth_link"]
    assert again[0].url == first.url
    assert texts(await w.bot.engine.handle(ALICE, "cancel")) == ["Okay, I've cancelled that."]
    assert (await w.bot.engine.load(ALICE)).dialog is None


async def test_denied_consent_resumes_at_on_auth_failure(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url, allow=False)
    assert params["error"] == "access_denied"
    result = await w.bot.engine.authorization_callback(state=params["state"], error="access_denied")
    assert result.outcome == "denied"
    assert texts(result.messages) == [
        "You declined to connect your Salesforce account, so I can't go on.",
        "Without access I can't create the lead.",
    ]
    assert (await w.bot.engine.load(ALICE)).dialog is None


async def test_without_on_auth_failure_the_dialog_ends_with_a_clear_message(world):
    from tests.runtime.auth.conftest import LEADS

    w = await world(
        dialogs={
            "leads": LEADS.replace("    on_auth_failure: no_auth\n", "").replace(
                "  - id: no_auth\n    type: message\n"
                "    text: Without access I can't create the lead.\n",
                "",
            )
        }
    )
    out = await parked(w)
    params = await w.follow(out[0].url, allow=False)
    result = await w.bot.engine.authorization_callback(state=params["state"], error="access_denied")
    assert texts(result.messages) == [
        "You declined to connect your Salesforce account, so I can't go on."
    ]
    assert (await w.bot.engine.load(ALICE)).dialog is None


async def test_expired_state(world):
    w = await world()
    w.bot.authorizer.states.ttl = 0.05
    out = await parked(w)
    params = await w.follow(out[0].url)
    await asyncio.sleep(0.1)
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert result.outcome == "expired"
    assert result.page == "This authorization link has expired. Ask the bot for a new one."
    assert result.messages[0].text.startswith("The link to connect your Salesforce account expired")
    assert await w.bot.authorizer.tokens.get("crm", "alice") is None


async def test_a_state_is_single_use(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    first = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    second = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert (first.outcome, second.outcome) == ("connected", "used")
    assert second.messages == [] and second.user is None
    assert second.page == "This authorization link was already used."


async def test_a_state_of_user_a_presented_with_user_bs_session_is_refused(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    result = await w.bot.engine.authorization_callback(
        state=params["state"], code=params["code"], presenter="bob"
    )
    assert result.outcome == "wrong_user"
    assert result.messages == []
    assert await w.bot.authorizer.tokens.get("crm", "alice") is None
    assert await w.bot.authorizer.tokens.get("crm", "bob") is None
    assert (await w.bot.engine.load(ALICE)).status == Status.PARKED


async def test_a_refusal_to_another_user_leaves_the_link_to_its_owner(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    for _ in range(2):  # refused as often as it is tried, without using the link up
        refused = await w.bot.engine.authorization_callback(
            state=params["state"], code=params["code"], presenter="bob"
        )
        assert refused.outcome == "wrong_user"
    assert await w.bot.authorizer.states.waiting(params["state"])
    result = await w.bot.engine.authorization_callback(
        state=params["state"], code=params["code"], presenter="alice"
    )
    assert result.outcome == "connected"
    assert LEAD_CREATED.fullmatch(result.messages[0].text)
    late = await w.bot.engine.authorization_callback(
        state=params["state"], code=params["code"], presenter="bob"
    )
    assert late.outcome == "used"


async def test_of_two_concurrent_redeems_by_the_owner_one_takes_the_state(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    states = w.bot.authorizer.states
    both = await asyncio.gather(
        states.redeem(params["state"], presenter="alice"),
        states.redeem(params["state"], presenter="alice"),
    )
    assert sorted(str(status) for status, _ in both) == ["ok", "used"]


async def test_the_same_users_session_is_accepted(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    result = await w.bot.engine.authorization_callback(
        state=params["state"], code=params["code"], presenter="alice"
    )
    assert result.outcome == "connected"


async def test_an_unknown_state(world):
    w = await world()
    result = await w.bot.engine.authorization_callback(state="made-up", code="x")
    assert (result.outcome, result.user, result.messages) == ("unknown", None, [])


async def test_a_callback_without_code_fails_cleanly(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    result = await w.bot.engine.authorization_callback(state=params["state"])
    assert result.outcome == "failed"
    assert texts(result.messages)[-1] == "Without access I can't create the lead."


async def test_token_endpoint_answering_invalid_grant(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    await w.controls(
        "POST",
        "/faults",
        {
            "method": "POST",
            "path": "/services/oauth2/token",
            "count": 1,
            "status": 400,
            "body": {"error": "invalid_grant", "error_description": "expired authorization code"},
        },
    )
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert result.outcome == "failed"
    assert texts(result.messages) == [
        "I couldn't connect your Salesforce account, so I've stopped.",
        "Without access I can't create the lead.",
    ]


async def test_sandbox_down_during_exchange(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    await w.controls(
        "POST", "/faults", {"method": "POST", "path": "/services/oauth2/token", "drop": True}
    )
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert result.outcome == "failed"
    assert (await w.bot.engine.load(ALICE)).dialog is None


async def test_expired_access_token_is_refreshed_and_the_request_retried(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    await w.controls("POST", "/tokens/expire", {})
    await w.controls("DELETE", "/requests")
    await w.bot.engine.handle(ALICE, "make a lead")
    out = await w.bot.engine.handle(ALICE, "Smith")
    assert len(out) == 1 and LEAD_CREATED.fullmatch(out[0].text)  # nothing odd for the user
    assert await w.refresh_grants() == 1


async def test_revoked_refresh_token_falls_back_to_a_new_link(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    await w.controls("POST", "/tokens/expire", {})
    await w.controls("POST", "/refresh-tokens/revoke", {})
    await w.bot.engine.handle(ALICE, "make a lead")
    out = await w.bot.engine.handle(ALICE, "Smith")
    assert [m.type for m in out] == ["auth_link"]
    assert await w.bot.authorizer.tokens.get("crm", "alice") is None
    # the new link works and the conversation resumes
    params = await w.follow(out[0].url)
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert LEAD_CREATED.fullmatch(result.messages[0].text)


async def test_pre_authorized_without_a_token_tells_the_user_and_the_log(world, caplog):
    w = await world(mode="pre_authorized")
    out = await parked(w)
    assert texts(out) == [
        "Sorry, I'm not connected to Salesforce yet. Please ask an administrator to connect it."
    ]
    assert "parley integrations authorize crm" in caplog.text
    assert (await w.bot.engine.load(ALICE)).dialog is None


async def bot_token(w):
    """What `parley integrations authorize` does: authorize the bot itself."""
    authorizer = w.bot.authorizer
    profile = authorizer.profiles["crm"]
    link = await authorizer.link(profile, user_id="bot", channel="cli", session="cli", node="")
    params = await w.follow(link)
    verdict = await authorizer.redeem(state=params["state"], code=params["code"], error=None)
    assert verdict.ok


async def test_twenty_concurrent_turns_hitting_401_refresh_exactly_once(world):
    w = await world(mode="pre_authorized")
    await bot_token(w)
    users = [User(f"u{i}", "test") for i in range(20)]
    for user in users:
        await w.bot.engine.handle(user, "make a lead")
    await w.controls("POST", "/tokens/expire", {})
    await w.controls("DELETE", "/requests")
    outs = await asyncio.gather(*(w.bot.engine.handle(user, "Smith") for user in users))
    assert all(LEAD_CREATED.fullmatch(out[0].text) for out in outs)
    assert await w.refresh_grants() == 1


async def test_tokens_are_encrypted_at_rest(world):
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    record = await w.bot.authorizer.tokens.get("crm", "alice")
    assert record is not None and "!" in record.access_token
    await w.bot.store.close()  # flush everything to the file
    raw = (w.root / "var" / "parley.db").read_bytes()
    for wal in (w.root / "var").glob("parley.db-*"):
        raw += wal.read_bytes()
    assert record.access_token.encode() not in raw
    assert record.refresh_token.encode() not in raw
    assert w.org.client_secret.encode() not in raw
    await w.bot.store.open()


async def test_facts_of_the_account_are_exposed_never_the_token(world):
    from tests.runtime.auth.conftest import LEADS

    dialog = LEADS.replace(
        'text: "Lead {{ nodes.create.response.body.id }} created for {{ entities.last_name }}."',
        'text: "{{ auth.crm | tojson }}"',
    )
    w = await world(dialogs={"leads": dialog})
    out = await parked(w)
    params = await w.follow(out[0].url)
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    shown = result.messages[0].text
    assert w.org.url in shown and "instance_url" in shown
    record = await w.bot.authorizer.tokens.get("crm", "alice")
    assert record.access_token not in shown and "access_token" not in shown


async def test_secrets_never_reach_the_logs_or_the_conversation_state(world, caplog):
    caplog.set_level(logging.DEBUG)
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    await w.controls("POST", "/tokens/expire", {})
    await w.bot.engine.handle(ALICE, "make a lead")
    await w.bot.engine.handle(ALICE, "Smith")
    record = await w.bot.authorizer.tokens.get("crm", "alice")
    secrets = [record.access_token, record.refresh_token, w.org.client_secret, params["code"]]
    logs = caplog.text
    state = await w.bot.store.get("conv", "alice")
    for secret in secrets:
        assert secret not in logs
        assert secret.encode() not in state


async def test_a_parked_conversation_is_small(world):
    w = await world()
    await parked(w)
    raw = await w.bot.store.get("conv", "alice")
    assert len(raw) <= 2048


async def test_a_message_after_the_link_expired_gets_a_fresh_link(world):
    w = await world()
    w.bot.authorizer.states.ttl = 0.05
    first = (await parked(w))[0]
    await asyncio.sleep(0.1)
    w.bot.authorizer.states.ttl = 600
    again = await w.bot.engine.handle(ALICE, "hello?")
    assert [m.type for m in again] == ["auth_link"]
    assert again[0].url != first.url
    params = await w.follow(again[0].url)
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert LEAD_CREATED.fullmatch(result.messages[0].text)


async def test_a_callback_lands_after_a_restart_of_the_bot(world):
    from runtime.bot import Bot

    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    config = w.bot.config
    await w.bot.close()
    w.bot = await Bot.open(config, env={})  # a new process would read the same SQLite file
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert result.outcome == "connected"
    assert LEAD_CREATED.fullmatch(result.messages[0].text)


TOKEN_PATH = "/services/oauth2/token"
TRY_AGAIN = "Sorry, the service I need is unavailable right now. Please try again later."


async def connected(w):
    out = await parked(w)
    params = await w.follow(out[0].url)
    await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])


async def test_a_503_from_the_token_endpoint_keeps_the_user_s_token(world):
    w = await world()
    await connected(w)
    tokens = w.bot.authorizer.tokens
    kept = await tokens.get("crm", "alice")
    await w.controls("POST", "/tokens/expire", {})
    await w.controls("POST", "/faults", {"method": "POST", "path": TOKEN_PATH, "status": 503})
    await w.bot.engine.handle(ALICE, "make a lead")
    assert texts(await w.bot.engine.handle(ALICE, "Smith")) == [TRY_AGAIN]  # no new link
    assert (await tokens.get("crm", "alice")).refresh_token == kept.refresh_token
    # the endpoint is back: the same grant refreshes and the lead is created, with no link
    await w.bot.engine.handle(ALICE, "make a lead")
    out = await w.bot.engine.handle(ALICE, "Smith")
    assert len(out) == 1 and LEAD_CREATED.fullmatch(out[0].text)


async def test_a_dropped_connection_to_the_token_endpoint_keeps_the_token(world):
    w = await world()
    await connected(w)
    await w.controls("POST", "/tokens/expire", {})
    await w.controls("POST", "/faults", {"method": "POST", "path": TOKEN_PATH, "drop": True})
    await w.bot.engine.handle(ALICE, "make a lead")
    assert texts(await w.bot.engine.handle(ALICE, "Smith")) == [TRY_AGAIN]
    assert await w.bot.authorizer.tokens.get("crm", "alice") is not None


async def test_a_503_keeps_the_bot_s_own_token_in_pre_authorized_mode(world):
    w = await world(mode="pre_authorized")
    await bot_token(w)
    await w.controls("POST", "/tokens/expire", {})
    await w.controls("POST", "/faults", {"method": "POST", "path": TOKEN_PATH, "status": 503})
    await w.bot.engine.handle(ALICE, "make a lead")
    assert texts(await w.bot.engine.handle(ALICE, "Smith")) == [TRY_AGAIN]
    # every user goes on without an administrator: the bot's token was kept
    await w.bot.engine.handle(BOB, "make a lead")
    out = await w.bot.engine.handle(BOB, "Smith")
    assert len(out) == 1 and LEAD_CREATED.fullmatch(out[0].text)


async def test_a_refusal_from_the_token_endpoint_still_drops_the_token(world):
    w = await world()
    await connected(w)
    await w.controls("POST", "/tokens/expire", {})
    refusal = {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    fault = {"method": "POST", "path": TOKEN_PATH, "status": 400, "body": refusal}
    await w.controls("POST", "/faults", fault)
    await w.bot.engine.handle(ALICE, "make a lead")
    out = await w.bot.engine.handle(ALICE, "Smith")
    assert [m.type for m in out] == ["auth_link"]
    assert await w.bot.authorizer.tokens.get("crm", "alice") is None


async def test_a_callback_cut_after_the_exchange_resumes_on_the_next_message(world):
    """The server died after the code exchange stored the token but before the conversation
    resumed: the user's next message goes on, and is never answered with the used link."""
    w = await world()
    out = await parked(w)
    params = await w.follow(out[0].url)
    authorizer = w.bot.authorizer
    verdict = await authorizer.redeem(state=params["state"], code=params["code"], error=None)
    assert verdict.ok  # the exchange happened; authorization_callback never resumed
    out = await w.bot.engine.handle(ALICE, "hello?")
    assert len(out) == 1 and LEAD_CREATED.fullmatch(out[0].text)


async def test_a_link_whose_state_was_used_is_never_sent_again(world):
    """Cut between redeeming the state and the exchange: no token, a dead link. The next
    message gets a fresh link that works."""
    w = await world()
    first = (await parked(w))[0]
    params = await w.follow(first.url)
    await w.bot.authorizer.states.redeem(params["state"])
    out = await w.bot.engine.handle(ALICE, "hello?")
    assert [m.type for m in out] == ["auth_link"] and out[0].url != first.url
    params = await w.follow(out[0].url)
    result = await w.bot.engine.authorization_callback(state=params["state"], code=params["code"])
    assert LEAD_CREATED.fullmatch(result.messages[0].text)
