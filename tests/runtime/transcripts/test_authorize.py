"""`authorize` and `deny` steps: the identity provider's pages followed as a user would, against
the sandbox org, and the callback handed to the engine in process."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from runtime.transcripts import AuthorizationFailed, Login, follow_authorization
from sandbox.server import run_sandbox
from tests.runtime.transcripts.conftest import only

CREATE_LEAD = """
dialog: create_lead
intents: [create a lead]
nodes:
  - id: last_name
    type: entity
    prompt: What is the lead's last name?
  - id: create
    type: service
    auth: salesforce
    on_auth_failure: declined
    request:
      method: POST
      url: "{{ auth.salesforce.instance_url }}/services/data/v60.0/sobjects/Lead/"
      json: {LastName: "{{ entities.last_name }}", Company: Acme}
    next:
      - when: response.status == 201
        to: created
      - to: failed
  - id: created
    type: message
    text: Lead {{ nodes.create.response.body.id }} created for Acme.
    next: end
  - id: failed
    type: message
    text: "Salesforce refused the lead: {{ nodes.create.response.body[0].message }}"
    next: end
  - id: declined
    type: message
    text: Nothing was created.
"""

UP_TO_THE_LINK = """
steps:
  - user: create a lead
  - bot: What is the lead's last name?
  - user: Smith
  - bot: {auth_link: salesforce, contains: connect your Salesforce account}
  - expect: {node: create, status: parked}
"""


async def test_authorize_completes_the_flow_and_the_conversation_resumes(replay):
    text = UP_TO_THE_LINK + (
        "  - authorize: salesforce\n"
        '  - bot: {match: "Lead 00Q\\\\w{15} created for Acme\\\\."}\n'
        "  - expect: {dialog: null}\n"
        # the account stays connected: the next lead needs no link
        "  - user: create a lead\n"
        "  - bot: What is the lead's last name?\n"
        "  - user: Jones\n"
        "  - bot: {contains: created for Acme}\n"
    )
    result = only(await replay({"lead": text}, {"lead": CREATE_LEAD}, sandbox=True))
    assert result.passed, result.render()


async def test_deny_resumes_at_on_auth_failure(replay):
    text = UP_TO_THE_LINK + (
        "  - deny: salesforce\n"
        "  - bot: You declined to connect your Salesforce account, so I can't go on.\n"
        "  - bot: Nothing was created.\n"
        "  - expect_no_more: true\n"
    )
    result = only(await replay({"deny": text}, {"lead": CREATE_LEAD}, sandbox=True))
    assert result.passed, result.render()


async def test_authorize_without_a_link_or_with_messages_left_fails(replay):
    no_link = "steps:\n  - user: create a lead\n  - bot: {contains: last name}\n"
    no_link += "  - authorize: salesforce\n"
    unread = "steps:\n  - user: create a lead\n  - authorize: salesforce\n"
    results = await replay(
        {"no_link": no_link, "unread": unread}, {"lead": CREATE_LEAD}, sandbox=True
    )
    assert results[0].render().splitlines()[1] == (
        f"{results[0].file}:4: the bot has sent no auth link for 'salesforce'"
    )
    assert results[1].render().splitlines()[1] == (
        f"{results[1].file}:3: the bot said more than expected before the authorization"
    )


async def test_a_login_the_provider_refuses_is_a_failure_at_the_step(replay, monkeypatch):
    monkeypatch.setenv("PARLEY_TEST_USERNAME", "nobody@example.com")
    monkeypatch.setenv("PARLEY_TEST_PASSWORD", "wrong")
    async with run_sandbox(port=0) as sb:
        config = {"integrations": {"salesforce": {"login_url": sb.url}}}
        monkeypatch.setenv("PARLEY_SALESFORCE_CLIENT_ID", sb.client_id)
        monkeypatch.setenv("PARLEY_SALESFORCE_CLIENT_SECRET", sb.client_secret)
        text = UP_TO_THE_LINK + "  - authorize: salesforce\n"
        result = only(await replay({"wrong": text}, {"lead": CREATE_LEAD}, config=config))
    lines = result.render().splitlines()
    assert lines[1] == (
        f"{result.file}:7: the authorization failed: the identity provider showed its form at "
        f"{sb.url}/services/oauth2/authorize again: check the test user's name and password"
    )


def _authorize_url(sb, state: str = "st-1") -> str:
    query = {
        "response_type": "code",
        "client_id": sb.client_id,
        "redirect_uri": "http://127.0.0.1:8765/oauth/callback",
        "state": state,
    }
    return f"{sb.authorize_url}?{urlencode(query)}"


async def test_follow_authorization_allows_denies_and_auto_approves():
    async with run_sandbox(port=0) as sb:
        login = Login(sb.username, sb.password)
        allowed = await follow_authorization(_authorize_url(sb), login=login)
        denied = await follow_authorization(_authorize_url(sb), login=login, allow=False)
        with pytest.raises(AuthorizationFailed, match="asks for a login, and no test user"):
            await follow_authorization(_authorize_url(sb), login=None)
    assert allowed["state"] == "st-1" and allowed["code"]
    assert denied["error"] == "access_denied" and "code" not in denied
    async with run_sandbox(port=0, auto_approve=True) as sb:
        at_once = await follow_authorization(_authorize_url(sb, "st-2"), login=None)
    assert at_once["state"] == "st-2" and at_once["code"]


async def test_follow_authorization_explains_what_went_wrong():
    with pytest.raises(AuthorizationFailed, match="has no redirect_uri"):
        await follow_authorization("http://127.0.0.1:9/authorize?state=x", login=None)
    with pytest.raises(AuthorizationFailed, match="could not be reached"):
        await follow_authorization(
            "http://127.0.0.1:9/authorize?redirect_uri=http://127.0.0.1:8/cb", login=None
        )
