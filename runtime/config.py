"""config.yaml: read it, fill ``${NAME}`` from the environment, check it, freeze it.

``load_config`` reports every problem of the file at once, in one ``ConfigError``, each line
naming the file, the YAML line and the key path (``config.yaml:12: server.port: expected a
whole number, got 'abc'``). Secret values never appear in those messages nor in ``repr()``.

Interpolation happens in string scalars before any type check: ``${NAME}`` must be set,
``${NAME:-default}`` falls back when the variable is unset or empty, ``$${`` writes a literal
``${``. Values that come from the environment are strings; numeric and boolean keys accept
``"8080"`` or ``"true"`` for that reason.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from runtime.errors import ConfigError
from runtime.store import store_url_problem

DEFAULT_FILE = "config.yaml"


class SalesforceApp(StrEnum):
    SYSTEM = "system"
    CUSTOM = "custom"


class AuthMode(StrEnum):
    PER_USER = "per_user"
    PRE_AUTHORIZED = "pre_authorized"


class WebhookMode(StrEnum):
    SYNC = "sync"
    ASYNC = "async"


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


@dataclass(frozen=True, slots=True)
class SalesforceConfig:
    enabled: bool = True
    app: SalesforceApp = SalesforceApp.SYSTEM
    mode: AuthMode = AuthMode.PER_USER
    auth_profile: str = ""  # a key of auth_profiles, when app is custom
    login_url: str = "https://login.salesforce.com"
    api_version: str = "60.0"


@dataclass(frozen=True, slots=True)
class IntegrationsConfig:
    salesforce: SalesforceConfig = field(default_factory=SalesforceConfig)


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
class ConversationConfig:
    cancel_words: tuple[str, ...] = ("cancel", "stop", "quit")
    restart_words: tuple[str, ...] = ("restart", "start over")
    intent_threshold: float = 70.0
    max_message_chars: int = 4000
    state_ttl_days: int = 30  # 0 keeps conversations forever


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


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read and check a config.yaml; raises ConfigError listing every problem found.

    Without `path`, ./config.yaml is read when present, else every default applies (rooted at
    the current folder). `env` replaces os.environ for ``${NAME}`` interpolation.
    """
    env = os.environ if env is None else env
    if path is None:
        if not Path(DEFAULT_FILE).is_file():
            return _read(None, Path.cwd(), _Report(None), env)
        path = DEFAULT_FILE
    path = Path(path)
    report = _Report(str(path))
    text = _read_text(path)
    tree = _Tree(report, env).parse(text)
    return _read(tree, path.resolve().parent, report, env)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError([f"{path}: no such file"]) from exc
    except IsADirectoryError as exc:
        raise ConfigError([f"{path}: is a folder, not a config file"]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: not UTF-8 text (byte {exc.start})"]) from exc
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc.strerror}"]) from exc


class _Report:
    """Collects problems as `file:line: key.path: message`, in file order."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.found: list[tuple[int, str]] = []

    def add(self, line: int | None, path: str, message: str) -> None:
        where = ""
        if self.file:
            where = f"{self.file}:{line}: " if line else f"{self.file}: "
        subject = f"{path}: " if path else ""
        self.found.append((line or 0, f"{where}{subject}{message}"))

    def raise_if_any(self) -> None:
        if self.found:
            raise ConfigError([message for _, message in sorted(self.found, key=lambda f: f[0])])


@dataclass(slots=True)
class _Item:
    """A YAML value with its line; `text` is how a scalar was written (after interpolation)."""

    value: Any  # dict[str, _Item], list[_Item] or a scalar
    line: int
    text: str = ""
    broken: bool = False  # already reported (a failed ${...}): no "required" on top


_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)
_BAD_REFERENCE = "bad ${...}: write ${NAME} or ${NAME:-default} (and $${ for a literal ${)"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _Tree:
    """YAML text to an _Item tree: lines kept, string scalars interpolated."""

    def __init__(self, report: _Report, env: Mapping[str, str]) -> None:
        self.report = report
        self.env = env
        self.loader: yaml.SafeLoader | None = None

    def parse(self, text: str) -> _Item | None:
        self.loader = yaml.SafeLoader(text)
        try:
            node = self.loader.get_single_node()
            return None if node is None else self._item(node, "")
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            column = f" (column {mark.column + 1})" if mark else ""
            reason = ", ".join(part for part in (exc.context, exc.problem) if part)
            message = f"not valid YAML{column}: {reason}"
            raise ConfigError([self._where(line) + message]) from exc
        except yaml.YAMLError as exc:
            reason = getattr(exc, "reason", "") or "unreadable"
            raise ConfigError([self._where(None) + f"not valid YAML: {reason}"]) from exc
        finally:
            self.loader.dispose()

    def _where(self, line: int | None) -> str:
        return f"{self.report.file}:{line}: " if line else f"{self.report.file}: "

    def _item(self, node: yaml.Node, path: str) -> _Item:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return _Item(self._mapping(node, path), line)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.report.add(line, path, f"unsupported YAML tag {node.tag}")
            return _Item([self._item(n, f"{path}[{i}]") for i, n in enumerate(node.value)], line)
        assert self.loader is not None
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            self.report.add(line, path, f"unsupported YAML value (tag {node.tag})")
            return _Item(None, line)
        if isinstance(value, str):
            reported = len(self.report.found)
            value = self._interpolate(value, line, path)
            return _Item(value, line, value, broken=len(self.report.found) > reported)
        return _Item(value, line, node.value)

    def _mapping(self, node: yaml.MappingNode, path: str) -> dict[str, _Item]:
        assert self.loader is not None
        line = node.start_mark.line + 1
        if node.tag != _MAP_TAG:
            self.report.add(line, path, f"unsupported YAML tag {node.tag}")
        self.loader.flatten_mapping(node)
        items: dict[str, _Item] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.report.add(key_line, path, "a key must be a plain word")
                continue
            key = key_node.value
            key_path = f"{path}.{key}" if path else key
            if key in items:
                first = items[key].line
                self.report.add(key_line, key_path, f"duplicate key (first at line {first})")
                continue
            item = self._item(value_node, key_path)
            item.line = key_line
            items[key] = item
        return items

    def _interpolate(self, text: str, line: int, path: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            body = match.group(1)
            reference = body and _NAME.fullmatch(body)
            if not reference:
                self.report.add(line, path, _BAD_REFERENCE)
                return ""
            name, default = reference.group(1), reference.group(2)
            value = self.env.get(name)
            if value:
                return value
            if default is not None:
                return default
            if value is None:
                self.report.add(
                    line,
                    path,
                    f"environment variable {name} is not set "
                    f"(write ${{{name}:-default}} to give a default)",
                )
            return ""

        return _REFERENCE.sub(replace, text)


def _kind(item: _Item) -> str:
    """What an item is, without its value (which may be a misplaced secret)."""
    if isinstance(item.value, bool):
        return "true or false"
    if isinstance(item.value, int | float):
        return "a number"
    return {dict: "a mapping", list: "a list"}.get(type(item.value), "a string")


def _describe(item: _Item) -> str:
    if isinstance(item.value, dict):
        return "a mapping"
    if isinstance(item.value, list):
        return "a list"
    shown = item.text if len(item.text) <= 40 else item.text[:37] + "..."
    return repr(shown)


_E = TypeVar("_E", bound=StrEnum)
_WHOLE = re.compile(r"[+-]?\d+")
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


class _Section:
    """Reads the keys of one mapping; every key asked for is known, any other is reported."""

    def __init__(self, report: _Report, item: _Item | None, path: str, line: int) -> None:
        self.report = report
        self.path = path
        self.line = item.line if item is not None else line
        self.values: dict[str, _Item] = {}
        self.known: list[str] = []
        self.broken = False  # not a mapping, already reported: its keys are not "required"
        if item is not None and item.value is not None:
            if isinstance(item.value, dict):
                self.values = item.value
            else:
                self.report.add(item.line, path, f"expected a mapping, got {_kind(item)}")
                self.broken = True

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str, item: _Item | None = None) -> None:
        item = item or self.values.get(key)
        self.report.add(item.line if item else self.line, self.key_path(key), message)

    def get(self, key: str) -> _Item | None:
        """The key's item, or None when absent, null, empty or already reported."""
        self.known.append(key)
        item = self.values.get(key)
        if item is None or item.value is None or item.value == "" or item.broken:
            return None
        return item

    def wrong(self, key: str, item: _Item, expected: str, *, secret: bool = False) -> None:
        got = "" if secret else f", got {_describe(item)}"
        self.problem(key, f"expected {expected}{got}", item)

    def text(self, key: str, default: str | None = None, *, secret: bool = False) -> str:
        """A string; `default` None makes the key required."""
        item = self.get(key)
        if item is None:
            written = self.values.get(key)
            if default is None and not self.broken and not (written and written.broken):
                self.problem(key, "required")
            return default or ""
        if isinstance(item.value, dict | list):
            self.wrong(key, item, "a string", secret=secret)
            return default or ""
        return item.text

    def whole(self, key: str, default: int, low: int, high: int | None = None) -> int:
        item = self.get(key)
        if item is None:
            return default
        value = item.value
        if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong(key, item, "a whole number")
            return default
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.problem(key, f"expected a whole number {bounds}, got {value}", item)
            return default
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        item = self.get(key)
        if item is None:
            return default
        value = item.value
        if isinstance(value, str):
            with suppress(ValueError):
                value = float(value)
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.wrong(key, item, "a number")
            return default
        if not low <= value <= high:
            self.problem(key, f"expected a number from {low:g} to {high:g}, got {value:g}", item)
            return default
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        item = self.get(key)
        if item is None:
            return default
        if isinstance(item.value, bool):
            return item.value
        word = item.text.strip().lower() if isinstance(item.value, str) else ""
        if word in _TRUE | _FALSE:
            return word in _TRUE
        self.wrong(key, item, "true or false")
        return default

    def choice(self, key: str, options: type[_E], default: _E) -> _E:
        item = self.get(key)
        if item is None:
            return default
        names = [o.value for o in options]
        if isinstance(item.value, str) and item.text in names:
            return options(item.text)
        close = difflib.get_close_matches(item.text, names, n=1) if item.text else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        expected = f"expected one of {', '.join(names)}, got {_describe(item)}{hint}"
        self.problem(key, expected, item)
        return default

    def texts(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A list of strings (a single string counts as a list of one)."""
        item = self.get(key)
        if item is None:
            return default
        if isinstance(item.value, dict):
            self.wrong(key, item, "a list of strings")
            return default
        entries = item.value if isinstance(item.value, list) else [item]
        found = []
        for i, entry in enumerate(entries):
            if entry.value is None or entry.value == "" or isinstance(entry.value, dict | list):
                self.wrong(f"{key}[{i}]", entry, "a non-empty string")
            else:
                found.append(entry.text)
        return tuple(found)

    def mapping(self, key: str) -> dict[str, _Item]:
        item = self.get(key)
        if item is None:
            return {}
        if not isinstance(item.value, dict):
            self.problem(key, f"expected a mapping, got {_kind(item)}", item)
            return {}
        return item.value

    @contextmanager
    def section(self, key: str) -> Iterator[_Section]:
        with _section(self.report, self.get(key), self.key_path(key), self.line) as inner:
            yield inner

    def report_unknown(self) -> None:
        for key, item in self.values.items():
            if key in self.known:
                continue
            close = difflib.get_close_matches(key, self.known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(self.known)}"
            self.problem(key, f"unknown key ({hint})", item)


@contextmanager
def _section(report: _Report, item: _Item | None, path: str, line: int) -> Iterator[_Section]:
    section = _Section(report, item, path, line)
    yield section
    section.report_unknown()


def _plain(item: _Item) -> Any:
    if isinstance(item.value, dict):
        return {key: _plain(value) for key, value in item.value.items()}
    if isinstance(item.value, list):
        return [_plain(value) for value in item.value]
    return item.value


def _read(tree: _Item | None, root: Path, report: _Report, env: Mapping[str, str]) -> Config:
    with _section(report, tree, "", 1) as top:
        bot = _bot(top)
        dialogs = tuple(root / Path(p).expanduser() for p in top.texts("dialogs", ("dialogs",)))
        server = _server(top)
        store = _store(top)
        with top.section("secrets") as s:
            secrets = SecretsConfig(key=s.text("key", "", secret=True))
        channels = _channels(top)
        profiles = _auth_profiles(top, server)
        integrations = _integrations(top, profiles)
        globals_ = {key: _plain(value) for key, value in top.mapping("globals").items()}
        conversation = _conversation(top)
    report.raise_if_any()
    return Config(
        root=root,
        bot=bot,
        dialogs=dialogs,
        server=server,
        store=store,
        secrets=secrets,
        channels=channels,
        integrations=integrations,
        auth_profiles=profiles,
        globals=globals_,
        conversation=conversation,
    )


_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_API_VERSION = re.compile(r"\d+\.\d+")
_PROFILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _bot(top: _Section) -> BotConfig:
    default = BotConfig()
    with top.section("bot") as s:
        name = s.text("name", default.name)
        locale = s.text("locale", default.locale)
        if not _LOCALE.fullmatch(locale):
            s.problem("locale", f"expected a language and region such as en-US, got {locale!r}")
            locale = default.locale
        timezone = s.text("timezone", default.timezone)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            s.problem("timezone", f"unknown time zone {timezone!r} (an IANA name such as UTC)")
            timezone = default.timezone
        currency = s.text("currency", default.currency)
        if not _CURRENCY.fullmatch(currency):
            s.problem("currency", f"expected an ISO 4217 code such as USD, got {currency!r}")
            currency = default.currency
    return BotConfig(
        name=name, locale=locale.replace("_", "-"), timezone=timezone, currency=currency.upper()
    )


def _url(section: _Section, key: str, default: str | None = None) -> str:
    """An http(s) URL without a trailing slash; `default` None makes it required."""
    url = section.text(key, default)
    if not url or url == default:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        section.problem(key, f"expected an http:// or https:// URL, got {url!r}")
        return default or ""
    return url.rstrip("/")


def _server(top: _Section) -> ServerConfig:
    default = ServerConfig()
    with top.section("server") as s:
        host = s.text("host", default.host)
        port = s.whole("port", default.port, 0, 65535)
        shown = f"[{host}]" if ":" in host else host
        public_url = _url(s, "public_url", f"http://{shown}:{port}")
    return ServerConfig(host=host, port=port, public_url=public_url)


def _store(top: _Section) -> StoreConfig:
    with top.section("store") as s:
        url = s.text("url", StoreConfig().url)
        problem = store_url_problem(url)
        if problem:
            s.problem("url", problem)
    return StoreConfig(url=url)


def _channels(top: _Section) -> ChannelsConfig:
    with top.section("channels") as channels:
        with channels.section("websocket") as s:
            websocket = WebSocketChannelConfig(
                enabled=s.flag("enabled", True),
                allowed_origins=s.texts("allowed_origins", ()),
            )
        with channels.section("webhook") as s:
            webhook = WebhookChannelConfig(
                enabled=s.flag("enabled", True),
                secret=s.text("secret", "", secret=True),
                mode=s.choice("mode", WebhookMode, WebhookMode.SYNC),
                callback_url=_url(s, "callback_url", ""),
            )
            if webhook.enabled and webhook.mode is WebhookMode.ASYNC and not webhook.callback_url:
                s.problem("callback_url", "required when mode is async")
        with channels.section("web") as s:
            web = WebChannelConfig(enabled=s.flag("enabled", True))
    return ChannelsConfig(websocket=websocket, webhook=webhook, web=web)


def _auth_profiles(top: _Section, server: ServerConfig) -> dict[str, AuthProfile]:
    profiles = {}
    for name, item in top.mapping("auth_profiles").items():
        path = f"auth_profiles.{name}"
        if not _PROFILE_NAME.fullmatch(name):
            top.report.add(
                item.line, path, "a profile name is letters, digits and _ (dialogs use auth.NAME)"
            )
        with _section(top.report, item, path, item.line) as s:
            kind = s.choice("type", _ProfileType, _ProfileType.OAUTH2)
            provider = s.text("identity_provider", "")
            client_id = s.text("client_id")
            client_secret = s.text("client_secret", secret=True)
            authorization_url = _url(s, "authorization_url")
            token_url = _url(s, "token_url")
            profiles[name] = AuthProfile(
                name=name,
                type=kind.value,
                identity_provider=provider,
                client_id=client_id,
                client_secret=client_secret,
                authorization_url=authorization_url,
                token_url=token_url,
                refresh_url=_url(s, "refresh_url", token_url),
                scope=s.text("scope", ""),
                callback_url=_url(s, "callback_url", server.public_url + "/oauth/callback"),
                mode=s.choice("mode", AuthMode, AuthMode.PER_USER),
                extra_params={k: v.text for k, v in _extra_params(s).items()},
            )
    return profiles


class _ProfileType(StrEnum):
    OAUTH2 = "oauth2"


def _extra_params(s: _Section) -> dict[str, _Item]:
    params = s.mapping("extra_params")
    for key, item in params.items():
        if isinstance(item.value, dict | list):
            s.wrong(f"extra_params.{key}", item, "a string")
    return params


def _integrations(top: _Section, profiles: dict[str, AuthProfile]) -> IntegrationsConfig:
    default = SalesforceConfig()
    with top.section("integrations") as integrations, integrations.section("salesforce") as s:
        enabled = s.flag("enabled", default.enabled)
        app = s.choice("app", SalesforceApp, default.app)
        mode = s.choice("mode", AuthMode, default.mode)
        profile = s.text("auth_profile", "")
        login_url = _url(s, "login_url", default.login_url)
        api_version = s.text("api_version", default.api_version)
        if api_version.isdigit():
            api_version += ".0"
        if not _API_VERSION.fullmatch(api_version):
            s.problem("api_version", f"expected a version such as 60.0, got {api_version!r}")
            api_version = default.api_version
        if enabled:
            _check_salesforce_profile(s, app, profile, profiles)
    salesforce = SalesforceConfig(
        enabled=enabled,
        app=app,
        mode=mode,
        auth_profile=profile,
        login_url=login_url,
        api_version=api_version,
    )
    return IntegrationsConfig(salesforce=salesforce)


def _check_salesforce_profile(
    s: _Section, app: SalesforceApp, profile: str, profiles: dict[str, AuthProfile]
) -> None:
    if app is SalesforceApp.SYSTEM:
        if profile:
            s.problem("auth_profile", "only used with app: custom")
        if "salesforce" in profiles:
            s.problem(
                "app",
                "auth_profiles.salesforce clashes with the built-in Salesforce profile; "
                "rename it, or use it with app: custom and auth_profile: salesforce",
            )
    elif not profile:
        s.problem("auth_profile", "required when app is custom")
    elif profile not in profiles:
        close = difflib.get_close_matches(profile, list(profiles), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        s.problem("auth_profile", f"auth_profiles has no profile {profile!r}{hint}")


def _conversation(top: _Section) -> ConversationConfig:
    default = ConversationConfig()
    with top.section("conversation") as s:
        cancel = s.texts("cancel_words", default.cancel_words)
        restart = s.texts("restart_words", default.restart_words)
        return ConversationConfig(
            cancel_words=tuple(w.strip().lower() for w in cancel),
            restart_words=tuple(w.strip().lower() for w in restart),
            intent_threshold=s.number("intent_threshold", default.intent_threshold, 0, 100),
            max_message_chars=s.whole("max_message_chars", default.max_message_chars, 1),
            state_ttl_days=s.whole("state_ttl_days", default.state_ttl_days, 0),
        )
