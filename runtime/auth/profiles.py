"""An auth profile as the runtime uses it: an OAuth 2.0 app, whoever defined it (config.yaml's
auth_profiles or an integration: `runtime.auth.bot_profiles` gathers them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

PER_USER = "per_user"
PRE_AUTHORIZED = "pre_authorized"
BOT_SUBJECT = "bot"

# After an authorization: (profile, token facts, access token, http) -> a refusal sentence or None
Verifier = Callable[["Profile", dict[str, Any], str, httpx2.AsyncClient], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    provider: str
    client_id: str
    client_secret: str = field(repr=False)
    authorization_url: str
    token_url: str
    refresh_url: str  # "": refresh at the token URL (see refresh_endpoint)
    scope: str
    callback_url: str
    mode: str = PER_USER
    extra_params: Mapping[str, str] = field(default_factory=dict)
    verify: Verifier | None = field(default=None, compare=False)
    facts: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None, compare=False)

    @property
    def refresh_endpoint(self) -> str:
        """Where a refresh token is exchanged: `refresh_url`, or else the token URL."""
        return self.refresh_url or self.token_url

    def subject(self, user_id: str) -> str:
        return BOT_SUBJECT if self.mode == PRE_AUTHORIZED else user_id

    def missing(self) -> list[str]:
        """Fields an administrator still has to fill in before the profile can be used."""
        names = ("client_id", "client_secret", "authorization_url", "token_url")
        return [n for n in names if not getattr(self, n)]
