"""A bot assembled from its configuration: compiled dialogs, store, HTTP client and engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from types import TracebackType

import httpx2

from runtime.auth import redaction
from runtime.auth.authorizer import OAuthAuthorizer
from runtime.auth.bot_profiles import profiles_from_config
from runtime.auth.crypto import SecretBox, load_or_create_key
from runtime.auth.oauth import OAuthClient
from runtime.auth.states import StateBook
from runtime.auth.tokens import TokenStore
from runtime.config import Config
from runtime.dialogs.compiler import CompiledDialog, compile_dialog
from runtime.dialogs.loader import load_dialogs
from runtime.dialogs.model import Dialog
from runtime.dialogs.validation import profile_problems
from runtime.engine.engine import DEFERRABLE, OWN_NAMESPACES, ConversationWords, Engine
from runtime.engine.executor import Executor
from runtime.engine.hooks import NO_HOOKS, ExecutorHooks
from runtime.engine.interruptions import Interruptions
from runtime.engine.service import ServiceClient
from runtime.entities import EntitySettings, warm_up
from runtime.errors import DefinitionError
from runtime.intents import IntentMatcher
from runtime.intents.synonyms import Synonym, synonym_problems
from runtime.store import open_store
from runtime.store.base import Store
from runtime.templating import Templates

DAY = 86400.0


def make_authorizer(
    config: Config,
    store: Store,
    oauth: OAuthClient,
    http: httpx2.AsyncClient,
    *,
    env: Mapping[str, str] | None = None,
) -> OAuthAuthorizer:
    key = load_or_create_key(config.secrets.key, config.root / "var")
    box = SecretBox(key)
    return OAuthAuthorizer(
        profiles_from_config(config, env),
        store,
        StateBook(store, box),
        TokenStore(store, box),
        oauth,
        http,
    )


def build_matcher(config: Config, dialogs: Sequence[Dialog]) -> IntentMatcher:
    """The intent matcher, trained on the dialogs' intents and not_intents, the bot's small
    talk, and the synonyms of config.yaml and every dialog; raises DefinitionError for a
    synonym given two meanings."""
    synonyms = bot_synonyms(config, dialogs)
    return IntentMatcher(
        ((d.id, u) for d in dialogs for u in d.intents),
        synonyms=synonyms,
        not_intents=((d.id, u) for d in dialogs for u in d.not_intents),
        small_talk=config.conversation.small_talk,
        threshold=config.conversation.intent_threshold,
    )


def bot_synonyms(config: Config, dialogs: Sequence[Dialog]) -> list[Synonym]:
    synonyms = [*config.synonyms, *(s for d in dialogs for s in d.synonyms)]
    problems = synonym_problems(synonyms)
    if problems:
        raise DefinitionError(problems)
    return synonyms


class Bot:
    """Everything one running bot needs; open with `await Bot.open(config)`, close when done."""

    def __init__(
        self,
        config: Config,
        dialogs: dict[str, CompiledDialog],
        store: Store,
        http: httpx2.AsyncClient,
        engine: Engine,
        oauth: OAuthClient,
        authorizer: OAuthAuthorizer,
        *,
        resources: AsyncExitStack,
    ) -> None:
        self.config = config
        self.dialogs = dialogs
        self.store = store
        self.http = http
        self.engine = engine
        self.oauth = oauth
        # Its auth profiles, their tokens and links: what `parley integrations` works with.
        self.authorizer = authorizer
        self._resources = resources  # what `open` opened, each with its closing

    @classmethod
    async def open(
        cls,
        config: Config,
        *,
        store: Store | None = None,
        http: httpx2.AsyncClient | None = None,
        oauth: OAuthClient | None = None,
        authorizer: OAuthAuthorizer | None = None,
        dialogs: Sequence[Dialog] | None = None,
        env: Mapping[str, str] | None = None,
        hooks: ExecutorHooks = NO_HOOKS,
    ) -> Bot:
        """`hooks`: what the executor reports as it runs (metrics), fixed for the bot's life."""
        redaction.install()
        templates = Templates()
        profiles = config.profile_names()
        if dialogs is None:
            loaded = load_dialogs(config.dialogs, templates, profiles=profiles)
        else:  # read by the caller: their service nodes still name profiles config.yaml has
            loaded = list(dialogs)
            problems = [p for d in loaded for p in profile_problems(d, profiles)]
            if problems:
                raise DefinitionError(problems)
        compiled = {d.id: compile_dialog(d, templates) for d in loaded}
        # Every resource opened here is closed again if a later step fails (the store's
        # worker thread would otherwise keep the process from exiting), as aiohttp's
        # cleanup_ctx pairs each resource with its cleanup.
        resources = AsyncExitStack()
        try:
            if store is None:
                store = open_store(
                    config.store.url, config.root, cached=OWN_NAMESPACES, deferred=DEFERRABLE
                )
            await store.open()
            resources.push_async_callback(store.close)
            if http is None:
                http = httpx2.AsyncClient(follow_redirects=False)
                resources.push_async_callback(http.aclose)
            oauth = oauth or OAuthClient()
            resources.push_async_callback(oauth.aclose)
            if authorizer is None:
                authorizer = make_authorizer(config, store, oauth, http, env=env)
            engine = _engine(config, loaded, compiled, store, http, authorizer, hooks)
        except BaseException:
            await resources.aclose()
            raise
        return cls(config, compiled, store, http, engine, oauth, authorizer, resources=resources)

    async def close(self) -> None:
        await self._resources.aclose()

    async def __aenter__(self) -> Bot:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def _engine(
    config: Config,
    loaded: Sequence[Dialog],
    compiled: dict[str, CompiledDialog],
    store: Store,
    http: httpx2.AsyncClient,
    authorizer: OAuthAuthorizer,
    hooks: ExecutorHooks,
) -> Engine:
    conv = config.conversation
    settings = EntitySettings(
        locale=config.bot.locale, timezone=config.bot.timezone, currency=config.bot.currency
    )
    warm_up(settings)
    executor = Executor(
        compiled,
        services=ServiceClient(http),
        settings=settings,
        globals=config.globals,
        authorizer=authorizer,
        hooks=hooks,
    )
    intents = build_matcher(config, loaded)
    return Engine(
        compiled,
        store,
        executor,
        intents,
        words=ConversationWords(
            tuple(conv.cancel_words),
            tuple(conv.restart_words),
            small_talk={r.kind: r.text for r in conv.small_talk},
            greeting=conv.greeting,
        ),
        max_chars=conv.max_message_chars,
        state_ttl=conv.state_ttl_days * DAY if conv.state_ttl_days else None,
        interruptions=Interruptions(conv.interruptions, conv.interrupt_threshold, conv.max_held),
    )
