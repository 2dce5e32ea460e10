"""auth_profiles: the OAuth 2.0 apps that dialogs name in `auth:` (integrations add their own)."""

from __future__ import annotations

import re
from enum import StrEnum

from runtime.config.model import AuthMode, AuthProfile, ServerConfig
from runtime.config.section import Section, section, url
from runtime.config.yaml_tree import Item

_PROFILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _ProfileType(StrEnum):
    OAUTH2 = "oauth2"


def read_auth_profiles(top: Section, server: ServerConfig) -> dict[str, AuthProfile]:
    profiles = {}
    for name, item in top.mapping("auth_profiles").items():
        path = f"auth_profiles.{name}"
        if not _PROFILE_NAME.fullmatch(name):
            top.report.add(
                item.line, path, "a profile name is letters, digits and _ (dialogs use auth.NAME)"
            )
        with section(top.report, item, path, item.line) as s:
            kind = s.choice("type", _ProfileType, _ProfileType.OAUTH2)
            provider = s.text("identity_provider", "")
            client_id = s.text("client_id")
            client_secret = s.text("client_secret", secret=True)
            authorization_url = url(s, "authorization_url")
            token_url = url(s, "token_url")
            profiles[name] = AuthProfile(
                name=name,
                type=kind.value,
                identity_provider=provider,
                client_id=client_id,
                client_secret=client_secret,
                authorization_url=authorization_url,
                token_url=token_url,
                refresh_url=url(s, "refresh_url", ""),  # "": the token URL
                scope=s.text("scope", ""),
                callback_url=url(s, "callback_url", server.callback_url),
                mode=s.choice("mode", AuthMode, AuthMode.PER_USER),
                extra_params={k: v.text for k, v in _extra_params(s).items()},
            )
    return profiles


def _extra_params(s: Section) -> dict[str, Item]:
    params = s.mapping("extra_params")
    for key, item in params.items():
        if isinstance(item.value, dict | list):
            s.wrong(f"extra_params.{key}", item, "a string")
    return params
