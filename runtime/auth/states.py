"""OAuth `state`: random, single use, bound to user, session, profile and node, expiring.

A state record is sealed (it carries the PKCE verifier) and kept in the store, so a callback
can land after a restart or on another instance. Redeeming takes the record atomically and
leaves a tombstone, so a second use is told apart from a state that never existed. A link
presented by a user other than its owner is refused before the record is taken, so the owner
can still complete it.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass
from enum import StrEnum

from runtime.auth.crypto import SecretBox
from runtime.errors import AuthError
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
    WRONG_USER = "wrong_user"  # presented by another user: refused, and not taken


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

    async def redeem(
        self, state: str, *, presenter: str | None = None
    ) -> tuple[Redeem, PendingAuth | None]:
        """Take the state (single use) and say what it was.

        `presenter`, the user presenting the link when known, is checked before the state is
        taken: a link presented by another user is refused (`WRONG_USER`) and stays usable by
        its owner. The record is read, then taken; a state is never reissued, so the record
        taken is the one read, and of two concurrent redeemers only the one whose take
        succeeds gets it (the other is told `USED`: the tombstone is written before the take).
        """
        if not state or len(state) > 200:
            return Redeem.UNKNOWN, None
        peeked = await self.store.get(STATES, state)
        if peeked is None:
            used = await self.store.get(USED, state)
            return (Redeem.USED if used else Redeem.UNKNOWN), None
        owner = self._open(peeked).user_id
        if presenter is not None and owner != presenter:
            return Redeem.WRONG_USER, None
        # The tombstone goes first, so a redeemer that loses the take below is told USED.
        await self._tombstone(state, owner, connected=False)
        sealed = await self.store.take(STATES, state)
        if sealed is None:
            return Redeem.USED, None
        pending = self._open(sealed)
        if time.time() > pending.expires_at:
            return Redeem.EXPIRED, pending
        return Redeem.OK, pending

    async def connected(self, state: str, user_id: str) -> None:
        """The link `state` completed: its owner who opens it again is told so."""
        await self._tombstone(state, user_id, connected=True)

    async def connected_for(self, state: str, presenter: str) -> bool:
        """The used link `state` completed for `presenter` (its owner opening it again)."""
        if not state or len(state) > 200:
            return False
        sealed = await self.store.get(USED, state)
        if sealed is None:
            return False
        try:
            used = json.loads(self.box.open(sealed))
        except (ValueError, TypeError, AuthError):  # an older tombstone, or another key's
            return False
        return bool(used.get("connected")) and used.get("user") == presenter

    async def _tombstone(self, state: str, user_id: str, *, connected: bool) -> None:
        """What is kept of a used state: its owner (sealed), and whether it completed."""
        used = json.dumps({"user": user_id, "connected": connected}).encode()
        await self.store.put(USED, state, self.box.seal(used), ttl=KEEP_AFTER_EXPIRY)

    def _open(self, sealed: bytes) -> PendingAuth:
        return PendingAuth(**json.loads(self.box.open(sealed)))
