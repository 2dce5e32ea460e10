"""``integrations.salesforce`` in config.yaml: the built-in (system) app or the administrator's
own auth profile (custom), per-user or pre-authorized, the login URL and the API version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from runtime.config import AuthMode
from runtime.config.section import Section, url
from runtime.plugins import ConfigContext
from runtime.suggestions import did_you_mean

NAME = "salesforce"  # the integration, and the auth profile it contributes
_API_VERSION = re.compile(r"\d+\.\d+")


class SalesforceApp(StrEnum):
    SYSTEM = "system"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class SalesforceConfig:
    enabled: bool = True
    app: SalesforceApp = SalesforceApp.SYSTEM
    mode: AuthMode = AuthMode.PER_USER
    auth_profile: str = ""  # a key of auth_profiles, when app is custom
    login_url: str = "https://login.salesforce.com"
    api_version: str = "60.0"

    def profile_names(self) -> frozenset[str]:
        return frozenset({NAME}) if self.enabled else frozenset()


def read_salesforce(s: Section, context: ConfigContext) -> SalesforceConfig:
    default = SalesforceConfig()
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
        _check_profile(s, app, profile, list(context.auth_profiles))
    return SalesforceConfig(
        enabled=enabled,
        app=app,
        mode=mode,
        auth_profile=profile,
        login_url=login_url,
        api_version=api_version,
    )


def _check_profile(s: Section, app: SalesforceApp, profile: str, profiles: list[str]) -> None:
    if app is SalesforceApp.SYSTEM:
        if profile:
            s.problem("auth_profile", "only used with app: custom")
        if NAME in profiles:
            s.problem(
                "app",
                "auth_profiles.salesforce clashes with the built-in Salesforce profile; "
                "rename it, or use it with app: custom and auth_profile: salesforce",
            )
    elif not profile:
        s.problem("auth_profile", "required when app is custom")
    elif profile not in profiles:
        hint = did_you_mean(profile, profiles)
        hint = f" ({hint})" if hint else ""
        s.problem("auth_profile", f"auth_profiles has no profile {profile!r}{hint}")
