"""Replaying many transcripts against one bot: the shared part of `parley test` and the pytest
plugin.

`open_replay_bot(config)` opens the configured bot on a fresh temporary SQLite store (and a fresh
secret key), so replays never touch the bot's real data; with ``sandbox=True`` it also starts a
sandbox org and points the Salesforce profile at it. `Runner` loads and checks transcripts and
replays them, several at a time, each as its own user.

Users: a transcript without `user_id` gets a fresh one. Transcripts that name the same
`user_id` run one after another, each starting from a clean slate (no conversation, no
per-user tokens), so none depends on another having run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from runtime.auth.authorizer import OAuthAuthorizer
from runtime.bot import Bot
from runtime.cli.validate import known_profiles
from runtime.config import Config, SalesforceApp, SecretsConfig, StoreConfig
from runtime.engine.engine import CONVERSATIONS
from runtime.errors import DefinitionError
from runtime.integrations.salesforce.profile import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from runtime.transcripts.checks import BotShape, check_transcript
from runtime.transcripts.coverage import Coverage
from runtime.transcripts.identity import Login
from runtime.transcripts.loader import default_name, load_transcript
from runtime.transcripts.model import ANY_USER, Transcript
from runtime.transcripts.replay import DEFAULT_STEP_TIMEOUT, Replay
from runtime.transcripts.report import Failure, Result
from runtime.transcripts.world import ReplayExecutor, World

DEFAULT_JOBS = 8
USERNAME_ENV = "PARLEY_TEST_USERNAME"
PASSWORD_ENV = "PARLEY_TEST_PASSWORD"


@dataclass(frozen=True, slots=True)
class ReplayBot:
    bot: Bot
    login: Login | None  # the test user at the identity provider, when known


def login_from_env(env: Mapping[str, str]) -> Login | None:
    username = env.get(USERNAME_ENV, "")
    return Login(username, env.get(PASSWORD_ENV, "")) if username else None


def replay_config(
    config: Config, folder: Path, *, salesforce_login_url: str | None = None
) -> Config:
    """`config` with its store in `folder`, a fresh secret key, and optionally the Salesforce
    profile pointed at another login URL (the built-in app)."""
    changed = dataclasses.replace(
        config,
        store=StoreConfig(url=f"sqlite:///{(folder / 'parley.db').resolve()}"),
        secrets=SecretsConfig(key=secrets.token_urlsafe(32)),
    )
    if salesforce_login_url is None:
        return changed
    salesforce = dataclasses.replace(
        config.integrations.salesforce,
        enabled=True,
        app=SalesforceApp.SYSTEM,
        auth_profile="",
        login_url=salesforce_login_url,
    )
    integrations = dataclasses.replace(config.integrations, salesforce=salesforce)
    return dataclasses.replace(changed, integrations=integrations)


@asynccontextmanager
async def open_replay_bot(
    config: Config, *, sandbox: bool = False, env: Mapping[str, str] | None = None
) -> AsyncIterator[ReplayBot]:
    """The configured bot on a temporary store; with `sandbox`, a sandbox org as Salesforce."""
    env = dict(os.environ if env is None else env)
    login = login_from_env(env)
    with tempfile.TemporaryDirectory(prefix="parley-test-") as tmp:
        folder = Path(tmp)
        async with AsyncExitStack() as stack:
            login_url = None
            if sandbox:
                from sandbox.server import run_sandbox

                sb = await stack.enter_async_context(run_sandbox(port=0, db=folder / "org.db"))
                env |= {CLIENT_ID_ENV: sb.client_id, CLIENT_SECRET_ENV: sb.client_secret}
                login, login_url = Login(sb.username, sb.password), sb.url
            bot = await Bot.open(
                replay_config(config, folder, salesforce_login_url=login_url), env=env
            )
            stack.push_async_callback(bot.close)
            yield ReplayBot(bot, login)


class Runner:
    """Replays transcripts on `bot`, at most `jobs` at a time."""

    def __init__(
        self,
        bot: Bot,
        *,
        login: Login | None = None,
        step_timeout: float = DEFAULT_STEP_TIMEOUT,
        jobs: int = DEFAULT_JOBS,
        coverage: bool = False,
    ) -> None:
        self.bot = bot
        self.login = login
        self.step_timeout = step_timeout
        self.jobs = max(1, jobs)
        self.executor = ReplayExecutor.around(bot.engine.executor)
        bot.engine.executor = self.executor
        self.shape = BotShape(
            {d: compiled.dialog for d, compiled in bot.dialogs.items()},
            frozenset(known_profiles(bot.config)),
        )
        self.coverage = Coverage(self.shape.dialogs) if coverage else None
        if self.coverage is not None:
            self.executor.visit = self.coverage.visit
            self.executor.trace = self.coverage.move

    def load(self, path: str | Path) -> Transcript | Result:
        """The transcript at `path`, checked against the bot; or a failed result naming every
        mistake's file and line."""
        try:
            transcript = load_transcript(path)
        except DefinitionError as exc:
            return Result(str(path), default_name(str(path)), tuple(map(Failure.of, exc.problems)))
        return self.check(transcript)

    def check(self, transcript: Transcript) -> Transcript | Result:
        """`transcript` when all it names exists in the bot, else a failed result."""
        problems = check_transcript(transcript, self.shape)
        if problems:
            return Result(transcript.file, transcript.name, tuple(map(Failure.of, problems)))
        return transcript

    async def run(
        self,
        items: Sequence[Transcript | Result],
        on_result: Callable[[Result], None] | None = None,
    ) -> list[Result]:
        """A result per item, in order; `on_result` hears of each as it is known."""
        results: list[Result | None] = [None] * len(items)
        groups: dict[str, list[int]] = {}
        taken = {t.user_id for t in items if isinstance(t, Transcript)}
        for index, item in enumerate(items):
            if isinstance(item, Result):
                results[index] = item
                if on_result is not None:
                    on_result(item)
                continue
            user = item.user_id if item.user_id != ANY_USER else _fresh_user(index, taken)
            groups.setdefault(user, []).append(index)
        gate = asyncio.Semaphore(self.jobs)

        async def run_group(user: str, indexes: list[int]) -> None:
            async with gate:
                for index in indexes:
                    item = items[index]
                    assert isinstance(item, Transcript)
                    if len(indexes) > 1:
                        await self._clean_slate(user)
                    result = await self.replay(item, user)
                    results[index] = result
                    if on_result is not None:
                        on_result(result)

        async with asyncio.TaskGroup() as tasks:
            for user, indexes in groups.items():
                tasks.create_task(run_group(user, indexes))
        return [r for r in results if r is not None]

    async def replay(self, transcript: Transcript, user: str) -> Result:
        """Replay one transcript as `user`, with its fixtures and stubs."""
        self.executor.worlds[user] = World.of(transcript.fixtures, transcript.stubs)
        try:
            replay = Replay(
                self.bot, transcript, user, login=self.login, step_timeout=self.step_timeout
            )
            return await replay.run()
        finally:
            del self.executor.worlds[user]

    async def _clean_slate(self, user: str) -> None:
        await self.bot.store.delete(CONVERSATIONS, user)
        authorizer = self.executor.authorizer
        if isinstance(authorizer, OAuthAuthorizer):
            for name, profile in authorizer.profiles.items():
                if profile.subject(user) == user:
                    await authorizer.tokens.delete(name, user)


def _fresh_user(index: int, taken: set[str]) -> str:
    user = f"transcript-{index + 1}"
    while user in taken:
        user += "-"
    return user


def select(items: Sequence[Transcript | Result], keyword: str | None) -> list[Transcript | Result]:
    """The items whose name (or file) contains `keyword`, case-insensitively; all without."""
    if not keyword:
        return list(items)
    word = keyword.lower()
    return [i for i in items if word in i.name.lower() or word in i.file.lower()]
