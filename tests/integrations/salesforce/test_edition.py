"""The edition check after every Salesforce authorization: trial orgs and orgs without API
access are refused with a sentence, their token revoked and not kept; Developer and Enterprise
orgs are accepted."""

from __future__ import annotations

import pytest

from runtime.auth.authorizer import Outcome
from tests.integrations.salesforce.conftest import OpenCrm

pytestmark = pytest.mark.asyncio(loop_scope="module")

APPS = ["system", "custom"]
REFUSALS = {
    "trial": (
        "Your Salesforce org is a trial, which this bot can't connect to. "
        "Please connect a licensed org."
    ),
    "professional": "API access is not enabled for your Salesforce org, so I can't use it.",
}


def revocations(requests: list[dict]) -> list[int]:
    return [r["status"] for r in requests if r["path"] == "/services/oauth2/revoke"]


@pytest.mark.parametrize("edition", REFUSALS)
@pytest.mark.parametrize("app", APPS)
async def test_per_user_the_user_is_told_and_no_token_is_kept(
    open_crm: OpenCrm, app: str, edition: str
) -> None:
    crm = await open_crm(app, "per_user")
    await crm.controls("PUT", "/edition", {"edition": edition})
    await crm.talk("list leads")
    out = await crm.bot.engine.handle(crm.user, "all")
    assert [m.type for m in out] == ["auth_link"]

    result = await crm.callback(out[0].url)
    assert result.outcome == "refused"
    assert [m.text for m in result.messages] == [REFUSALS[edition]]
    assert result.page == f"This account cannot be used. {REFUSALS[edition]}"
    assert await crm.authorizer.tokens.get("salesforce", crm.user.id) is None
    assert revocations(await crm.requests()) == [200]
    assert (await crm.bot.engine.load(crm.user)).dialog is None
    # the next try asks again rather than using anything left over
    out = await crm.bot.engine.handle(crm.user, "list leads")
    out = await crm.bot.engine.handle(crm.user, "all")
    assert [m.type for m in out] == ["auth_link"]


@pytest.mark.parametrize("edition", REFUSALS)
@pytest.mark.parametrize("app", APPS)
async def test_pre_authorized_the_administrator_is_refused(
    open_crm: OpenCrm, app: str, edition: str
) -> None:
    crm = await open_crm(app, "pre_authorized", authorize=False)
    await crm.controls("PUT", "/edition", {"edition": edition})
    profile = crm.authorizer.profiles["salesforce"]
    link = await crm.authorizer.link(profile, user_id="bot", channel="cli", session="cli", node="")
    params = await crm.follow(link)
    verdict = await crm.authorizer.redeem(state=params["state"], code=params["code"], error=None)
    assert (verdict.outcome, verdict.detail) == (Outcome.REFUSED, REFUSALS[edition])
    assert await crm.authorizer.tokens.get("salesforce", "bot") is None
    assert revocations(await crm.requests()) == [200]
    assert await crm.talk("list leads", "all") == [
        "Sorry, I'm not connected to Salesforce yet. Please ask an administrator to connect it."
    ]


@pytest.mark.parametrize("edition", ["developer", "enterprise"])
@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("mode", ["per_user", "pre_authorized"])
async def test_developer_and_enterprise_orgs_are_accepted(
    open_crm: OpenCrm, app: str, mode: str, edition: str
) -> None:
    crm = await open_crm(app, mode, authorize=False)
    await crm.controls("PUT", "/edition", {"edition": edition})
    if mode == "pre_authorized":
        await crm.connect("bot")
    assert await crm.talk("list leads", "all") == ["There are no leads in Salesforce yet."]
    assert await crm.authorizer.tokens.get("salesforce", crm.subject) is not None
    assert revocations(await crm.requests()) == []
