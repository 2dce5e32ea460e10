"""OAuth `state`: random, single use, bound to user, session, profile and node, expiring.

A state record is sealed (it carries the PKCE verifier) and kept in the store, so a callback
can land after a restart or on another instance. Redeeming takes the record atomically and
leaves a tombstone, so a second use is told apart from a state that never existed.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass
from enum import StrEnum

from runtime.auth.crypto import SecretBox
from runtime.store.base import Store

STATES = "oauth_state"
USED = "oauth_state_used"
DEFAULT_TTL = 600.0
KEEP_AFTER_EXPIRY = 86400.0  # how long an expired or used state is still recognised as such


class Redeem(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class PendingAuth:
    state: str
    user_id: str
    channel: str
    session: str
    profile: str
    node: str
    verifier: str
    expires_at: float

    def __repr__(self) -> str:  # the verifier is a secret
        return f"PendingAuth(user={self.user_id!r}, profile={self.profile!r}, node={self.node!r})"


class StateBook:
    def __init__(self, store: Store, box: SecretBox, *, ttl: float = DEFAULT_TTL) -> None:
        self.store = store
        self.box = box
        self.ttl = ttl

    async def issue(
        self, *, user_id: str, channel: str, session: str, profile: str, node: str
    ) -> PendingAuth:
        pending = PendingAuth(
            state=secrets.token_urlsafe(24),
            user_id=user_id,
            channel=channel,
            session=session,
            profile=profile,
            node=node,
            verifier=secrets.token_urlsafe(48),
            expires_at=time.time() + self.ttl,
        )
        sealed = self.box.seal(json.dumps(asdict(pending)).encode())
        await self.store.put(STATES, pending.state, sealed, ttl=self.ttl + KEEP_AFTER_EXPIRY)
        return pending

    async def waiting(self, state: str) -> bool:
        """The state was issued and not yet redeemed: a link carrying it can still complete."""
        return bool(state) and len(state) <= 200 and await self.store.get(STATES, state) is not None

    async def redeem(self, state: str) -> tuple[Redeem, PendingAuth | None]:
        if not state or len(state) > 200:
            return Redeem.UNKNOWN, None
        sealed = await self.store.take(STATES, state)
        if sealed is None:
            used = await self.store.get(USED, state)
            return (Redeem.USED if used else Redeem.UNKNOWN), None
        await self.store.put(USED, state, b"1", ttl=KEEP_AFTER_EXPIRY)
        pending = PendingAuth(**json.loads(self.box.open(sealed)))
        if time.time() > pending.expires_at:
            return Redeem.EXPIRED, pending
        return Redeem.OK, pending
