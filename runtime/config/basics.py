"""The sections every bot has: bot, server, store, secrets and channels."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runtime.config.model import (
    BotConfig,
    ChannelsConfig,
    SecretsConfig,
    ServerConfig,
    StoreConfig,
    WebChannelConfig,
    WebhookChannelConfig,
    WebhookMode,
    WebSocketChannelConfig,
)
from runtime.config.section import Section, url
from runtime.store import store_url_problem

_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


def read_bot(top: Section) -> BotConfig:
    default = BotConfig()
    with top.section("bot") as s:
        name = s.text("name", default.name)
        locale = s.text("locale", default.locale)
        if not _LOCALE.fullmatch(locale):
            s.problem("locale", f"expected a language and region such as en-US, got {locale!r}")
            locale = default.locale
        elif not known_locale(locale):
            s.problem(
                "locale",
                f"{locale!r} is not a language and region Parley knows (for example en-US, "
                "fr-FR, pt-BR)",
            )
            locale = default.locale
        timezone = s.text("timezone", default.timezone)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: `America`, a folder
            s.problem("timezone", f"unknown time zone {timezone!r} (an IANA name such as UTC)")
            timezone = default.timezone
        currency = s.text("currency", default.currency)
        if not _CURRENCY.fullmatch(currency):
            s.problem("currency", f"expected an ISO 4217 code such as USD, got {currency!r}")
            currency = default.currency
        elif not currency_in_use(currency):
            s.problem("currency", f"{currency!r} is not a currency in use today (such as USD)")
            currency = default.currency
    return BotConfig(
        name=name, locale=locale.replace("_", "-"), timezone=timezone, currency=currency.upper()
    )


def known_locale(tag: str) -> bool:
    """Whether entity parsing (numbers, dates, money) has data for `tag`: a language Babel
    knows, with one of its regions (or a region it can guess)."""
    from runtime.entities.base import _locale_parts  # the entities' own test of a locale

    return _locale_parts(tag) is not None


def currency_in_use(code: str) -> bool:
    """Whether money amounts can be read in `code`: a currency some country uses today."""
    from runtime.entities.base import current_currencies

    return code.upper() in current_currencies()


def read_server(top: Section) -> ServerConfig:
    default = ServerConfig()
    with top.section("server") as s:
        host = s.text("host", default.host)
        port = s.whole("port", default.port, 0, 65535)
        shown = f"[{host}]" if ":" in host else host
        public_url = url(s, "public_url", f"http://{shown}:{port}")
    return ServerConfig(host=host, port=port, public_url=public_url)


def read_store(top: Section) -> StoreConfig:
    with top.section("store") as s:
        store_url = s.text("url", StoreConfig().url)
        problem = store_url_problem(store_url)
        if problem:
            s.problem("url", problem)
    return StoreConfig(url=store_url)


def read_secrets(top: Section) -> SecretsConfig:
    with top.section("secrets") as s:
        return SecretsConfig(key=s.text("key", "", secret=True))


def read_channels(top: Section) -> ChannelsConfig:
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
                callback_url=url(s, "callback_url", ""),
            )
            if webhook.enabled and webhook.mode is WebhookMode.ASYNC and not webhook.callback_url:
                s.problem("callback_url", "required when mode is async")
        with channels.section("web") as s:
            web = WebChannelConfig(enabled=s.flag("enabled", True))
    return ChannelsConfig(websocket=websocket, webhook=webhook, web=web)
