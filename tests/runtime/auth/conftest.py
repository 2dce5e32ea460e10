"""A bot whose `crm` profile authorizes against a real sandbox org over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from runtime.bot import Bot
from runtime.config import load_config
from runtime.engine.turn import User
from sandbox.server import RunningSandbox, run_sandbox
from sandbox.testing import callback_params, complete_authorization
from tests.conftest import write_bot

CALLBACK = "http://127.0.0.1:8765/oauth/callback"

LEADS = """
dialog: new_lead
intents: [make a lead]
nodes:
  - id: last_name
    type: entity
    prompt: Last name?
  - id: create
    type: service
    auth: crm
    request:
      method: POST
      url: "{{ auth.crm.instance_url }}/services/data/v59.0/sobjects/Lead/"
      json: {LastName: "{{ entities.last_name }}", Company: Acme}
    on_auth_failure: no_auth
    next:
      - when: response.status == 201
        to: created
      - to: failed
  - id: created
    type: message
    text: "Lead {{ nodes.create.response.body.id }} created for {{ entities.last_name }}."
    next: end
  - id: failed
    type: message
    text: "Salesforce said {{ nodes.create.response.status }}."
    next: end
  - id: no_auth
    type: message
    text: Without access I can't create the lead.
"""


def texts(out: list[Any]) -> list[str]:
    return [m.text for m in out]


@dataclass
class World:
    bot: Bot
    org: RunningSandbox
    http: httpx2.AsyncClient  # for the org's test controls and the browser's requests
    root: Path

    async def controls(self, method: str, path: str, json: Any = None) -> Any:
        response = await self.http.request(method, f"{self.org.controls_url}{path}", json=json)
        response.raise_for_status()
        return response.json() if response.content else None

    async def refresh_grants(self) -> int:
        log = await self.controls("GET", "/requests")
        entries = log["requests"] if isinstance(log, dict) else log
        return sum(1 for e in entries if e.get("grant_type") == "refresh_token")

    async def follow(self, link: str, *, allow: bool = True) -> dict[str, str]:
        """What a browser does with an auth link: log in, press Allow or Deny; the callback's
        query parameters come back."""
        redirect = await complete_authorization(
            link,
            username=self.org.username,
            password=self.org.password,
            allow=allow,
            client=self.http,
        )
        assert redirect.startswith(CALLBACK)
        return callback_params(redirect)

    async def authorize(self, user: User, text: str, *, allow: bool = True):
        out = await self.bot.engine.handle(user, text)
        link = next(m for m in out if m.type == "auth_link")
        params = await self.follow(link.url, allow=allow)
        return await self.bot.engine.authorization_callback(
            state=params.get("state", ""), code=params.get("code"), error=params.get("error")
        )


def profile_config(org: RunningSandbox, mode: str = "per_user") -> dict[str, Any]:
    return {
        "secrets": {"key": "test-key-for-tokens"},
        "integrations": {"salesforce": {"enabled": False}},
        "auth_profiles": {
            "crm": {
                "type": "oauth2",
                "identity_provider": "Salesforce",
                "client_id": org.client_id,
                "client_secret": org.client_secret,
                "authorization_url": org.authorize_url,
                "token_url": org.token_url,
                "refresh_url": org.token_url,
                "scope": "api refresh_token",
                "callback_url": CALLBACK,
                "mode": mode,
            }
        },
    }


@pytest.fixture
async def org(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    async with run_sandbox(port=0, db=tmp_path / "org.db", controls=True) as sb:
        yield sb


@pytest.fixture
async def world(tmp_path: Path, org: RunningSandbox) -> AsyncIterator[World]:
    async with httpx2.AsyncClient() as http:
        worlds: list[World] = []

        async def make(mode: str = "per_user", dialogs: dict[str, str] | None = None) -> World:
            path = write_bot(tmp_path, dialogs or {"leads": LEADS}, profile_config(org, mode))
            bot = await Bot.open(load_config(path, env={}))
            made = World(bot, org, http, tmp_path)
            worlds.append(made)
            return made

        yield make
        for w in worlds:
            await w.bot.close()
