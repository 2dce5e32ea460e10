"""A conversation parked at a service node until its user connects an account.

`Parked` is written by the authorizer when it sends the link, kept in the stored state, and
read by the engine to remind the user of the link or to tell whether it can still complete.
It holds nothing secret: the PKCE verifier stays sealed in the authorizer's state book.

The stored keys are the ones the untyped dict of earlier versions had ("profile", "provider",
"link", "until"), so conversations parked before this struct existed still read.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import msgspec

from runtime.engine.messages import Outbound

FIRST_ASK = "Please connect your {provider} account to continue."
REMINDER = "I'm still waiting for you to connect your account. Use this link, or say cancel."


class Parked(msgspec.Struct, frozen=True, omit_defaults=True):
    profile: str  # the auth profile the service node needs
    provider: str = ""  # its provider's name, for the user
    link: str = ""  # the authorization link the user was sent
    until: float = 0.0  # epoch seconds: when the link's state expires

    def expired(self, now: float | None = None) -> bool:
        return not self.link or self.until <= (time.time() if now is None else now)

    def link_state(self) -> str:
        """The `state` the link carries: it names the link in the authorizer's state book."""
        return parse_qs(urlsplit(self.link).query).get("state", [""])[0]

    def auth_link(self, text: str) -> Outbound:
        """The message that gives the user the link (the first time, and as a reminder)."""
        return Outbound(
            type="auth_link", profile=self.profile, provider=self.provider, url=self.link, text=text
        )
