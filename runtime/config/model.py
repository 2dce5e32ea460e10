"""What load_config returns: frozen dataclasses, one per section of config.yaml, and their enums."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from runtime.intents.small_talk import SmallTalkReply, default_small_talk
from runtime.intents.synonyms import Synonym


class AuthMode(StrEnum):
    PER_USER = "per_user"
    PRE_AUTHORIZED = "pre_authorized"


class WebhookMode(StrEnum):
    SYNC = "sync"
    ASYNC = "async"


CALLBACK_PATH = "/oauth/callback"  # the OAuth redirect target that channels/ serves


@dataclass(frozen=True, slots=True)
class BotConfig:
    name: str = "Parley bot"
    locale: str = "en-US"
    timezone: str = "UTC"
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"

    @property
    def callback_url(self) -> str:
        """Where identity providers send the browser back, unless a profile says otherwise."""
        return self.public_url.rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True, slots=True)
class StoreConfig:
    url: str = "sqlite:///var/parley.db"


@dataclass(frozen=True, slots=True)
class SecretsConfig:
    key: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class WebSocketChannelConfig:
    enabled: bool = True
    allowed_origins: tuple[str, ...] = ()  # empty: only the server's own origin


@dataclass(frozen=True, slots=True)
class WebhookChannelConfig:
    enabled: bool = True
    secret: str = field(default="", repr=False)
    mode: WebhookMode = WebhookMode.SYNC
    callback_url: str = ""


@dataclass(frozen=True, slots=True)
class WebChannelConfig:
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ChannelsConfig:
    websocket: WebSocketChannelConfig = field(default_factory=WebSocketChannelConfig)
    webhook: WebhookChannelConfig = field(default_factory=WebhookChannelConfig)
    web: WebChannelConfig = field(default_factory=WebChannelConfig)


class IntegrationsConfig(Mapping[str, Any]):
    """Each installed integration's settings, by name (``integrations.NAME`` in config.yaml),
    as that integration read them; ``config.integrations.salesforce`` reads one too. Each
    settings object has `profile_names()` (runtime.plugins.IntegrationSettings)."""

    __slots__ = ("_settings",)

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self._settings = dict(settings or {})

    def __getitem__(self, name: str) -> Any:
        return self._settings[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._settings)

    def __len__(self) -> int:
        return len(self._settings)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy and pickle probe for hooks before _settings exists
            raise AttributeError(name)
        try:
            return self._settings[name]
        except KeyError:
            raise AttributeError(f"no integration {name!r} in config.integrations") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntegrationsConfig) and self._settings == other._settings

    __hash__ = None  # type: ignore[assignment]  # settings may be unhashable

    def __repr__(self) -> str:
        return f"IntegrationsConfig({self._settings!r})"

    def replace(self, name: str, settings: Any) -> IntegrationsConfig:
        """A copy with `name`'s settings replaced (as dataclasses.replace does a field)."""
        return IntegrationsConfig({**self._settings, name: settings})


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthProfile:
    name: str
    type: str = "oauth2"
    identity_provider: str = ""
    client_id: str
    client_secret: str = field(repr=False)
    authorization_url: str
    token_url: str
    refresh_url: str
    scope: str = ""
    callback_url: str
    mode: AuthMode = AuthMode.PER_USER
    extra_params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `messages` from one user in any `per_seconds`; more get `rate_limited`."""

    messages: int = 20
    per_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class ConversationConfig:
    cancel_words: tuple[str, ...] = ("cancel", "stop", "quit")
    restart_words: tuple[str, ...] = ("restart", "start over")
    intent_threshold: float = 35.0  # a probability in percent (runtime/intents/matcher.py)
    # A string node's answer that matches another dialog at least this well interrupts it.
    interrupt_threshold: float = 85.0
    interruptions: str = "hold"  # one of runtime.dialogs.model.INTERRUPTIONS
    max_held: int = 3  # dialogs kept on hold at once; the oldest is dropped beyond it
    max_message_chars: int = 4000
    rate_limit: RateLimit = field(default_factory=RateLimit)
    state_ttl_days: int = 30  # 0 keeps conversations forever
    # one per kind, in small_talk.KINDS order
    small_talk: tuple[SmallTalkReply, ...] = field(default_factory=default_small_talk)
    greeting: str | None = None  # a new user's first message; None: what the bot can do


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    bot: BotConfig = field(default_factory=BotConfig)
    dialogs: tuple[Path, ...] = ()
    server: ServerConfig = field(default_factory=ServerConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    channels: ChannelsConfig = field(default_factory=ChannelsConfig)
    integrations: IntegrationsConfig = field(default_factory=IntegrationsConfig)
    auth_profiles: dict[str, AuthProfile] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    conversation: ConversationConfig = field(default_factory=ConversationConfig)
    synonyms: tuple[Synonym, ...] = ()  # bot-wide, in file order

    def profile_names(self) -> frozenset[str]:
        """The auth profiles a service node may name: config.yaml's, and an enabled
        integration's own."""
        names = set(self.auth_profiles)
        for settings in self.integrations.values():
            names |= settings.profile_names()
        return frozenset(names)
