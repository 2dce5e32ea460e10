"""``integrations.json_api``: where the API lives and the OAuth 2.0 app that reaches it.

Absent (or empty), the integration is off. Present, ``base_url``, ``authorization_url``,
``token_url``, ``client_id`` and ``client_secret`` are required, as for an auth profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runtime.config import AuthMode
from runtime.config.section import Section, url
from runtime.plugins import ConfigContext

NAME = "json_api"  # the integration, and the auth profile it contributes


@dataclass(frozen=True, slots=True)
class JsonApiConfig:
    enabled: bool = False
    provider: str = "the API"  # what users read: "Please connect your ... account"
    base_url: str = ""
    authorization_url: str = ""
    token_url: str = ""
    refresh_url: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    scope: str = ""
    callback_url: str = ""
    mode: AuthMode = AuthMode.PER_USER

    def profile_names(self) -> frozenset[str]:
        return frozenset({NAME}) if self.enabled else frozenset()


def read_json_api(s: Section, context: ConfigContext) -> JsonApiConfig:
    if not s.values:  # not written (or empty): off, and nothing is required
        return JsonApiConfig()
    default = JsonApiConfig()
    enabled = s.flag("enabled", True)
    token_url = url(s, "token_url")
    return JsonApiConfig(
        enabled=enabled,
        provider=s.text("provider", default.provider),
        base_url=url(s, "base_url"),
        authorization_url=url(s, "authorization_url"),
        token_url=token_url,
        refresh_url=url(s, "refresh_url", ""),  # "": the token URL
        client_id=s.text("client_id"),
        client_secret=s.text("client_secret", secret=True),
        scope=s.text("scope", ""),
        callback_url=url(s, "callback_url", context.server.callback_url),
        mode=s.choice("mode", AuthMode, default.mode),
    )
