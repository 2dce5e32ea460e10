"""The `salesforce` auth profile: the built-in system app, or the administrator's custom one."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from runtime.auth.profiles import Profile
from runtime.config import Config
from runtime.integrations.salesforce.config import NAME, SalesforceApp, SalesforceConfig

SYSTEM_SCOPE = "full refresh_token offline_access"
CLIENT_ID_ENV = "PARLEY_SALESFORCE_CLIENT_ID"
CLIENT_SECRET_ENV = "PARLEY_SALESFORCE_CLIENT_SECRET"


def salesforce_facts(token: dict[str, Any]) -> dict[str, Any]:
    """Non-secret facts of a Salesforce token response: instance, identity URL, org and user."""
    identity = token.get("id", "")
    parts = urlsplit(identity).path.strip("/").split("/") if identity else []
    facts = {
        "instance_url": token.get("instance_url", ""),
        "id": identity,
        "scope": token.get("scope", ""),
    }
    if len(parts) == 3 and parts[0] == "id":
        facts["org_id"], facts["user_id"] = parts[1], parts[2]
    return facts


def salesforce_profile(
    sf: SalesforceConfig, config: Config, profiles: Mapping[str, Profile], env: Mapping[str, str]
) -> Profile | None:
    if not sf.enabled:
        return None
    if sf.app == SalesforceApp.CUSTOM:
        base = profiles[sf.auth_profile]
        return dataclasses.replace(base, name=NAME, mode=sf.mode, facts=salesforce_facts)
    login = sf.login_url.rstrip("/")
    return Profile(
        name=NAME,
        provider="Salesforce",
        client_id=env.get(CLIENT_ID_ENV, ""),
        client_secret=env.get(CLIENT_SECRET_ENV, ""),
        authorization_url=f"{login}/services/oauth2/authorize",
        token_url=f"{login}/services/oauth2/token",
        refresh_url="",  # the token URL
        scope=SYSTEM_SCOPE,
        callback_url=config.server.callback_url,
        mode=sf.mode,
        facts=salesforce_facts,
    )


def pointed_at(sf: SalesforceConfig, login_url: str) -> SalesforceConfig:
    """`sf` on the built-in app at another login URL (a sandbox org's), turned on."""
    return dataclasses.replace(
        sf, enabled=True, app=SalesforceApp.SYSTEM, auth_profile="", login_url=login_url
    )
