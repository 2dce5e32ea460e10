"""Replaying many transcripts against one bot: the shared part of `parley test` and the pytest
plugin.

`open_replay_bot(config)` opens the configured bot on a fresh temporary SQLite store (and a fresh
secret key), so replays never touch the bot's real data; with ``sandbox`` it also starts
integrations' test orgs (`orgs`; Salesforce's is a sandbox org) and points the bot at them.
`Runner` loads and checks transcripts and replays them, several at a time, each as its own user.

Users: a transcript without `user_id` gets a fresh one. Transcripts that name the same
`user_id` run one after another, each starting from a clean slate (no conversation, no
per-user tokens), so none depends on another having run.

Restarts: a `restart: server` step closes the bot (its store committed and closed) and opens a
new `Bot` over the same config and the same SQLite file, as a server process stopped and started
again would; the transcript's stubs and fixtures carry over to the new bot, and so does
coverage. As the bot is shared, transcripts that restart it run after the others, one at a
time. The store is always a file (`replay_config`), so what it kept survives the restart; the
in-memory parts of the bot (its caches, locks and clients) do not, which is the point.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import tempfile
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from runtime.bot import Bot
from runtime.config import Config, SecretsConfig, StoreConfig
from runtime.engine.engine import CONVERSATIONS
from runtime.errors import DefinitionError
from runtime.transcripts.checks import BotShape, check_transcript
from runtime.transcripts.coverage import Coverage
from runtime.transcripts.identity import Login
from runtime.transcripts.loader import default_name, load_transcript
from runtime.transcripts.model import ANY_USER, Restart, Transcript
from runtime.transcripts.orgs import start_test_orgs
from runtime.transcripts.replay import DEFAULT_STEP_TIMEOUT, EnginePeer, Replay
from runtime.transcripts.report import Failure, Result
from runtime.transcripts.world import World, replay_executor

DEFAULT_JOBS = 8
USERNAME_ENV = "PARLEY_TEST_USERNAME"
PASSWORD_ENV = "PARLEY_TEST_PASSWORD"


Reopen = Callable[[], Awaitable[Bot]]  # close the running bot, open it again: the new one

# How to restart each bot that `open_replay_bot` opened, so that a `Runner` given only the bot
# (as `parley test` and the pytest plugin give it) can restart it.
_REOPEN: weakref.WeakKeyDictionary[Bot, Reopen] = weakref.WeakKeyDictionary()


class ReplayBot:
    """The bot under replay, and how to restart it.

    `bot` is the one running now: `restart` replaces it, and leaving `open_replay_bot` closes
    the one running then.
    """

    def __init__(
        self, bot: Bot, login: Login | None, *, config: Config, env: Mapping[str, str]
    ) -> None:
        self.bot = bot
        self.login = login  # the test user at the identity provider, when known
        self._config = config
        self._env = env
        _REOPEN[bot] = self.restart

    async def restart(self) -> Bot:
        """Close the bot, its store committed and closed, and open a new one over the same
        config, store file and environment; returns the new bot (also `self.bot`)."""
        await self.close()
        self.bot = await Bot.open(self._config, env=self._env)
        _REOPEN[self.bot] = self.restart
        return self.bot

    async def close(self) -> None:
        _REOPEN.pop(self.bot, None)
        await self.bot.close()


def login_from_env(env: Mapping[str, str]) -> Login | None:
    username = env.get(USERNAME_ENV, "")
    return Login(username, env.get(PASSWORD_ENV, "")) if username else None


def replay_config(config: Config, folder: Path) -> Config:
    """`config` with its store in `folder` and a fresh secret key."""
    return dataclasses.replace(
        config,
        store=StoreConfig(url=f"sqlite:///{(folder / 'parley.db').resolve()}"),
        secrets=SecretsConfig(key=secrets.token_urlsafe(32)),
    )


@asynccontextmanager
async def open_replay_bot(
    config: Config,
    *,
    sandbox: bool | Collection[str] = False,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[ReplayBot]:
    """The configured bot on a temporary store; with `sandbox`, integrations' test orgs stand
    in for their services (True: every one that has one; else the integrations named)."""
    env = dict(os.environ if env is None else env)
    login = login_from_env(env)
    with tempfile.TemporaryDirectory(prefix="parley-test-") as tmp:
        folder = Path(tmp)
        async with AsyncExitStack() as stack:
            changed = replay_config(config, folder)
            if sandbox:
                orgs = await start_test_orgs(stack, changed, env, folder, sandbox)
                changed, env, login = orgs.config, orgs.env, orgs.login or login
            opened = ReplayBot(await Bot.open(changed, env=env), login, config=changed, env=env)
            stack.push_async_callback(opened.close)
            yield opened


class Runner:
    """Replays transcripts on `bot`, at most `jobs` at a time.

    `reopen` restarts the bot for `restart` steps (closes it, returns a new one); by default
    the way `open_replay_bot` gave for it, if it opened the bot.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        login: Login | None = None,
        step_timeout: float = DEFAULT_STEP_TIMEOUT,
        jobs: int = DEFAULT_JOBS,
        coverage: bool = False,
        reopen: Reopen | None = None,
    ) -> None:
        self.login = login
        self.step_timeout = step_timeout
        self.jobs = max(1, jobs)
        self.reopen = reopen or _REOPEN.get(bot)
        self.shape = BotShape(
            {d: compiled.dialog for d, compiled in bot.dialogs.items()},
            bot.config.profile_names(),
        )
        self.coverage = Coverage(self.shape.dialogs) if coverage else None
        self.worlds: dict[str, World] = {}  # each replay's, by user: kept across restarts
        self._take_over(bot)

    def _take_over(self, bot: Bot) -> None:
        """Run `bot` with a replay executor: the replays' worlds, and coverage if kept."""
        self.bot = bot
        self.executor = replay_executor(bot.engine.executor, self.worlds, self.coverage)
        bot.engine.executor = self.executor

    async def restart(self) -> Bot:
        """Restart the bot with `reopen` and run the new one as the old one ran."""
        assert self.reopen is not None
        self._take_over(await self.reopen())
        return self.bot

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
        alone: list[str] = []  # users with a transcript that restarts the bot, in order
        taken = {t.user_id for t in items if isinstance(t, Transcript)}
        for index, item in enumerate(items):
            if isinstance(item, Result):
                results[index] = item
                if on_result is not None:
                    on_result(item)
                continue
            user = item.user_id if item.user_id != ANY_USER else _fresh_user(index, taken)
            groups.setdefault(user, []).append(index)
            if user not in alone and any(isinstance(s, Restart) for s in item.steps):
                alone.append(user)
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
                if user not in alone:
                    tasks.create_task(run_group(user, indexes))
        for user in alone:  # a restart closes the bot under every other replay: none may run
            await run_group(user, groups[user])
        return [r for r in results if r is not None]

    async def replay(self, transcript: Transcript, user: str) -> Result:
        """Replay one transcript as `user`, with its fixtures and stubs."""
        self.worlds[user] = World.of(transcript.fixtures, transcript.stubs)
        try:
            restart = self.restart if self.reopen is not None else None
            peer = EnginePeer(self.bot, user, login=self.login, restart=restart)
            return await Replay(peer, transcript, step_timeout=self.step_timeout).run()
        finally:
            del self.worlds[user]

    async def _clean_slate(self, user: str) -> None:
        await self.bot.store.delete(CONVERSATIONS, user)
        authorizer = self.bot.authorizer
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
