"""auth_profiles (OAuth 2.0 apps) and integrations.salesforce, which may use one of them."""

from __future__ import annotations

import difflib
import re
from enum import StrEnum

from runtime.config.model import (
    AuthMode,
    AuthProfile,
    IntegrationsConfig,
    SalesforceApp,
    SalesforceConfig,
    ServerConfig,
)
from runtime.config.section import Section, section, url
from runtime.config.yaml_tree import Item

_API_VERSION = re.compile(r"\d+\.\d+")
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
                refresh_url=url(s, "refresh_url", token_url),
                scope=s.text("scope", ""),
                callback_url=url(s, "callback_url", server.public_url + "/oauth/callback"),
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


def read_integrations(top: Section, profiles: dict[str, AuthProfile]) -> IntegrationsConfig:
    default = SalesforceConfig()
    with top.section("integrations") as integrations, integrations.section("salesforce") as s:
        enabled = s.flag("enabled", default.enabled)
        app = s.choice("app", SalesforceApp, default.app)
        mode = s.choice("mode", AuthMode, default.mode)
        profile = s.text("auth_profile", "")
        login_url = url(s, "login_url", default.login_url)
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
    s: Section, app: SalesforceApp, profile: str, profiles: dict[str, AuthProfile]
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
