"""How long Parley takes to resume a parked conversation once the OAuth callback arrives.

`python -m bench.auth.run [--conversations N]` parks N conversations on a per-user auth profile
against a local sandbox org, completes each authorization as a browser would (not timed), then
times `authorization_callback` from the callback reaching Parley to the resumed messages being
ready. Time spent waiting on the network (the identity provider's token endpoint and the API
call the resumed dialog makes) is measured by a transport wrapper and subtracted, so the
figures are Parley's own work. Also prints the bytes stored per parked conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx2
import yaml

from runtime.auth.oauth import OAuthClient
from runtime.bot import Bot
from runtime.config import load_config
from runtime.engine.engine import CONVERSATIONS
from runtime.engine.turn import User
from sandbox.server import run_sandbox
from sandbox.testing import callback_params, complete_authorization

DIALOG = """
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
  - id: created
    type: message
    text: "Lead {{ nodes.create.response.body.id }} created."
"""
CALLBACK = "http://127.0.0.1:8765/oauth/callback"


class TimedTransport(httpx2.AsyncBaseTransport):
    """Counts the seconds spent inside outbound requests."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.spent = 0.0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        started = time.perf_counter()
        try:
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.spent += time.perf_counter() - started

    async def aclose(self) -> None:
        await self.inner.aclose()


def write_bot(folder: Path, org) -> Path:
    (folder / "dialogs").mkdir(parents=True)
    (folder / "dialogs" / "lead.yaml").write_text(DIALOG)
    config = {
        "dialogs": ["dialogs/"],
        "secrets": {"key": "bench"},
        "integrations": {"salesforce": {"enabled": False}},
        "auth_profiles": {
            "crm": {
                "identity_provider": "Salesforce",
                "client_id": org.client_id,
                "client_secret": org.client_secret,
                "authorization_url": org.authorize_url,
                "token_url": org.token_url,
                "scope": "api refresh_token",
                "callback_url": CALLBACK,
            }
        },
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    return folder / "config.yaml"


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


async def main(conversations: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with run_sandbox(port=0, db=None, auto_approve=True, api_limit=10**9) as org:
            transport = TimedTransport()
            http = httpx2.AsyncClient(transport=transport)
            config = load_config(write_bot(folder, org), env={})
            bot = await Bot.open(config, http=http, oauth=OAuthClient(transport=transport))
            browser = httpx2.AsyncClient()
            try:
                links = []
                sizes = []
                for i in range(conversations):
                    user = User(f"u{i}", "bench")
                    await bot.engine.handle(user, "make a lead")
                    out = await bot.engine.handle(user, "Smith")
                    links.append(out[0].url)
                    sizes.append(len(await bot.store.get(CONVERSATIONS, user.id)))
                own_ms = []
                for i, link in enumerate(links):
                    redirect = await complete_authorization(
                        link, username=org.username, password=org.password, client=browser
                    )
                    params = callback_params(redirect)
                    transport.spent = 0.0
                    started = time.perf_counter()
                    result = await bot.engine.authorization_callback(
                        state=params["state"], code=params["code"]
                    )
                    total = time.perf_counter() - started
                    assert result.outcome == "connected" and result.messages, (i, result)
                    own_ms.append((total - transport.spent) * 1000)
            finally:
                await browser.aclose()
                await bot.close()
                await http.aclose()
    print(f"{'conversations':>14} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'bytes parked':>13}")
    print(
        f"{conversations:>14} {percentile(own_ms, 50):>8.2f} {percentile(own_ms, 99):>8.2f} "
        f"{max(own_ms):>8.2f} {statistics.mean(sizes):>13.0f}"
    )
    goal = percentile(own_ms, 99) <= 10 and max(sizes) <= 2048
    print(f"Goal p99 <= 10 ms and <= 2 KB per parked conversation: {'met' if goal else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    asyncio.run(main(parser.parse_args().conversations))
