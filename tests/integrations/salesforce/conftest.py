"""A bot with the seven Salesforce templates installed, talking to a sandbox org over loopback
HTTP, in each of the four ways the integration can be set up: app system or custom, mode
per_user or pre_authorized.

`crm.say(text)` sends one message and returns what the bot answers. When the answer is an auth
link (per_user, first call), it completes the authorization as a browser would and returns what
the resumed conversation said instead, so one conversation script runs in all four setups.

A module's tests share one sandbox org and one bot per setup, on a module-scoped event loop
(opening a bot compiles every template); each test talks as a new user to the org reset for
it, and a pre_authorized bot is connected again.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
import pytest_asyncio
import yaml

from runtime.auth.authorizer import OAuthAuthorizer
from runtime.bot import Bot
from runtime.config import load_config
from runtime.dialogs.loader import load_dialogs
from runtime.dialogs.model import Dialog
from runtime.engine.engine import CallbackResult
from runtime.engine.messages import Outbound
from runtime.engine.turn import User
from runtime.integrations.installer import Installer
from runtime.integrations.salesforce.profile import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from sandbox.server import RunningSandbox, run_sandbox
from sandbox.testing import callback_params, complete_authorization

PUBLIC_URL = "http://127.0.0.1:8765"
CALLBACK = f"{PUBLIC_URL}/oauth/callback"
API = "/services/data/v60.0"
SETUPS = [
    ("system", "per_user"),
    ("system", "pre_authorized"),
    ("custom", "per_user"),
    ("custom", "pre_authorized"),
]


def bot_config(
    org: RunningSandbox, app: str, mode: str, dialogs: Path | str = "dialogs/"
) -> dict[str, Any]:
    """config.yaml for a bot whose `salesforce` profile points at `org`."""
    config: dict[str, Any] = {
        "dialogs": [str(dialogs)],
        "store": {"url": "sqlite:///var/parley.db"},
        "secrets": {"key": "test-key-for-tokens"},
        "server": {"public_url": PUBLIC_URL},
    }
    if app == "system":
        config["integrations"] = {
            "salesforce": {"app": "system", "mode": mode, "login_url": org.url}
        }
    else:
        config["integrations"] = {
            "salesforce": {"app": "custom", "mode": mode, "auth_profile": "my_sf"}
        }
        config["auth_profiles"] = {
            "my_sf": {
                "type": "oauth2",
                "identity_provider": "Salesforce",
                "client_id": org.client_id,
                "client_secret": org.client_secret,
                "authorization_url": org.authorize_url,
                "token_url": org.token_url,
                "refresh_url": org.token_url,
                "scope": "full refresh_token offline_access",
                "callback_url": CALLBACK,
                "mode": mode,
            }
        }
    return config


@dataclass
class Crm:
    """One bot, the org it talks to, and a browser/REST client for looking at both."""

    bot: Bot
    org: RunningSandbox
    http: httpx2.AsyncClient
    app: str
    mode: str
    user: User
    links: int = 0  # auth links the user was sent and that say() followed
    _api_token: str | None = field(default=None, repr=False)

    @property
    def authorizer(self) -> OAuthAuthorizer:
        authorizer = self.bot.authorizer
        assert isinstance(authorizer, OAuthAuthorizer)
        return authorizer

    @property
    def subject(self) -> str:
        """Whose token the dialogs use: the bot's (pre_authorized) or the user's."""
        return "bot" if self.mode == "pre_authorized" else self.user.id

    # -- talking ---------------------------------------------------------------------------------

    async def reply(self, text: str) -> list[Outbound]:
        """The bot's answer to `text`; an auth link is followed and replaced by what the resumed
        conversation says."""
        out = await self.bot.engine.handle(self.user, text)
        if out and out[-1].type == "auth_link":
            self.links += 1
            result = await self.callback(out[-1].url)
            assert result.outcome == "connected", result.page
            out = out[:-1] + result.messages
        return out

    async def say(self, text: str) -> list[str]:
        return [m.text for m in await self.reply(text)]

    async def talk(self, *lines: str) -> list[str]:
        """Say each line in turn; what the bot said to the last one."""
        said: list[str] = []
        for line in lines:
            said = await self.say(line)
        return said

    async def follow(self, link: str, *, allow: bool = True) -> dict[str, str]:
        """What a browser does with an auth link: log in, press Allow; the callback's query."""
        redirect = await complete_authorization(
            link,
            username=self.org.username,
            password=self.org.password,
            allow=allow,
            client=self.http,
        )
        assert redirect.startswith(CALLBACK), redirect
        return callback_params(redirect)

    async def callback(self, link: str) -> CallbackResult:
        params = await self.follow(link)
        return await self.bot.engine.authorization_callback(
            state=params.get("state", ""), code=params.get("code"), error=params.get("error")
        )

    async def connect(self, user_id: str) -> None:
        """Authorize `user_id` outside any conversation (the bot itself: what `parley
        integrations authorize` does)."""
        profile = self.authorizer.profiles["salesforce"]
        link = await self.authorizer.link(
            profile, user_id=user_id, channel="cli", session="cli", node=""
        )
        params = await self.follow(link)
        verdict = await self.authorizer.redeem(
            state=params["state"], code=params["code"], error=None
        )
        assert verdict.ok, verdict

    def quick_retries(self) -> None:
        """Retry 502/503/504 without the production backoff; what is retried stays the same."""
        self.bot.engine.executor.services.backoff = 0.001

    async def connect_user(self) -> None:
        """Make sure the dialogs have a token, so no link interrupts what a test looks at."""
        if self.mode == "per_user":
            await self.connect(self.user.id)

    # -- the org -------------------------------------------------------------------------------

    async def controls(self, method: str, path: str, json: Any = None) -> Any:
        assert self.org.controls_url is not None
        response = await self.http.request(method, f"{self.org.controls_url}{path}", json=json)
        response.raise_for_status()
        return response.json() if response.content else None

    async def fault(self, **fault: Any) -> None:
        await self.controls("POST", "/faults", fault)

    async def api(self, method: str, path: str, json: Any = None, **params: str) -> httpx2.Response:
        """The org's REST API under /services/data/v60.0, as the test's own API user."""
        if self._api_token is None:
            token = await self.http.post(
                self.org.token_url,
                data={
                    "grant_type": "password",
                    "client_id": self.org.client_id,
                    "client_secret": self.org.client_secret,
                    "username": self.org.username,
                    "password": self.org.password,
                },
            )
            token.raise_for_status()
            self._api_token = token.json()["access_token"]
        return await self.http.request(
            method,
            f"{self.org.url}{API}{path}",
            json=json,
            params=params or None,
            headers={"Authorization": f"Bearer {self._api_token}"},
        )

    async def lead(self, lead_id: str) -> dict[str, Any]:
        response = await self.api("GET", f"/sobjects/Lead/{lead_id}")
        assert response.status_code == 200, response.text
        return response.json()

    async def leads(self, where: str = "") -> list[dict[str, Any]]:
        """Live leads, oldest first."""
        soql = "SELECT Id, FirstName, LastName, Company, Email, Phone, Title, Status FROM Lead"
        q = f"{soql} {where} ORDER BY CreatedDate, Id".replace("  ", " ")
        response = await self.api("GET", "/query", q=q)
        assert response.status_code == 200, response.text
        return [
            {k: v for k, v in r.items() if k != "attributes"} for r in response.json()["records"]
        ]

    async def seed(self, sobject: str, *records: dict[str, Any]) -> list[str]:
        created = await self.controls("POST", f"/records/{sobject}", {"records": list(records)})
        return created["ids"]

    async def requests(self) -> list[dict[str, Any]]:
        return (await self.controls("GET", "/requests"))["requests"]


OpenCrm = Callable[..., Awaitable[Crm]]


@dataclass(frozen=True)
class Installed:
    """The templates as the installer wrote them, and the dialogs read from there."""

    folder: Path
    dialogs: tuple[Dialog, ...]


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Every template installed once per run: reading and validating seven dialog files takes
    longer than everything else a test does, and the files never change."""
    dialogs = tmp_path_factory.mktemp("installed") / "dialogs"
    installer = Installer("salesforce", dialogs)
    done = installer.install(sorted(installer.available))
    assert [what for _, what in done] == ["installed"] * 7
    return Installed(dialogs, tuple(load_dialogs([dialogs])))


@dataclass
class Bots:
    """One bot per setup, opened when first asked for and shared by a module's tests (opening
    one compiles every template). Each test talks as a new user to an org reset for it."""

    org: RunningSandbox
    http: httpx2.AsyncClient
    installed: Installed
    root: Path
    opened: dict[tuple[str, str], Bot] = field(default_factory=dict)
    backoff: dict[tuple[str, str], float] = field(default_factory=dict)
    users: itertools.count[int] = field(default_factory=itertools.count)

    async def bot(self, app: str, mode: str) -> Bot:
        if (app, mode) not in self.opened:
            root = self.root / f"{app}-{mode}"
            root.mkdir()
            config = bot_config(self.org, app, mode, self.installed.folder)
            (root / "config.yaml").write_text(yaml.safe_dump(config))
            env = {CLIENT_ID_ENV: self.org.client_id, CLIENT_SECRET_ENV: self.org.client_secret}
            bot = await Bot.open(
                load_config(root / "config.yaml", env={}), dialogs=self.installed.dialogs, env=env
            )
            self.opened[app, mode] = bot
            self.backoff[app, mode] = bot.engine.executor.services.backoff
        return self.opened[app, mode]

    async def crm(self, app: str, mode: str, *, authorize: bool = True) -> Crm:
        reset = await self.http.post(f"{self.org.controls_url}/reset")
        reset.raise_for_status()  # no records, tokens, faults or logged requests left
        bot = await self.bot(app, mode)
        bot.engine.executor.services.backoff = self.backoff[app, mode]
        crm = Crm(bot, self.org, self.http, app, mode, User(f"user{next(self.users)}", "test"))
        if mode == "pre_authorized":
            # the bot's token from an earlier test died with the reset
            await crm.authorizer.tokens.delete("salesforce", "bot")
            if authorize:
                await crm.connect("bot")
        return crm


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bots(
    tmp_path_factory: pytest.TempPathFactory, installed: Installed
) -> AsyncIterator[Bots]:
    async with run_sandbox(port=0, controls=True) as org, httpx2.AsyncClient() as http:
        shared = Bots(org, http, installed, tmp_path_factory.mktemp("bots"))
        yield shared
        for bot in shared.opened.values():
            await bot.close()


@pytest_asyncio.fixture(loop_scope="module")
async def open_crm(bots: Bots) -> OpenCrm:
    """`await open_crm(app, mode, authorize=True)`: the bot of that setup, talking as a new user
    to a fresh org; a pre_authorized bot is connected first unless `authorize` is false."""
    return bots.crm


@pytest_asyncio.fixture(
    loop_scope="module", params=SETUPS, ids=[f"{app}-{mode}" for app, mode in SETUPS]
)
async def crm(request: pytest.FixtureRequest, bots: Bots) -> Crm:
    """The same bot in each of the four setups."""
    app, mode = request.param
    return await bots.crm(app, mode)
