"""Auth profiles as the runtime uses them: config's own, plus those integrations contribute."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

PER_USER = "per_user"
PRE_AUTHORIZED = "pre_authorized"
BOT_SUBJECT = "bot"

# After an authorization: (profile, token facts, access token, http) -> a refusal sentence or None
Verifier = Callable[["Profile", dict[str, Any], str, httpx.AsyncClient], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    provider: str
    client_id: str
    client_secret: str = field(repr=False)
    authorization_url: str
    token_url: str
    refresh_url: str
    scope: str
    callback_url: str
    mode: str = PER_USER
    extra_params: Mapping[str, str] = field(default_factory=dict)
    verify: Verifier | None = field(default=None, compare=False)
    facts: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None, compare=False)

    def subject(self, user_id: str) -> str:
        return BOT_SUBJECT if self.mode == PRE_AUTHORIZED else user_id

    def missing(self) -> list[str]:
        """Fields an administrator still has to fill in before the profile can be used."""
        names = ("client_id", "client_secret", "authorization_url", "token_url")
        return [n for n in names if not getattr(self, n)]


def profiles_from_config(config: Any, env: Mapping[str, str] | None = None) -> dict[str, Profile]:
    from runtime.integrations.salesforce.profile import salesforce_facts, salesforce_profile

    env = os.environ if env is None else env
    profiles = {
        name: Profile(
            name=name,
            provider=p.identity_provider or name,
            client_id=p.client_id,
            client_secret=p.client_secret,
            authorization_url=p.authorization_url,
            token_url=p.token_url,
            refresh_url=p.refresh_url or p.token_url,
            scope=p.scope,
            callback_url=p.callback_url,
            mode=p.mode,
            extra_params=dict(p.extra_params),
            facts=salesforce_facts if p.identity_provider.lower() == "salesforce" else None,
        )
        for name, p in config.auth_profiles.items()
    }

    salesforce = salesforce_profile(config, profiles, env)
    if salesforce is not None:
        profiles["salesforce"] = salesforce
    return profiles
