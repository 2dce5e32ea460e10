"""Issuing and checking tokens: access tokens (`<orgId15>!...`), refresh tokens (`5Aep861...`),
authorization codes (`aPrx...`), the response's `signature`, and OpenID Connect id tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from sandbox.org import Org
from sandbox.store import ConnectedApp, RefreshGrant, Session, User, digest

KNOWN_SCOPES = frozenset(
    {
        "api",
        "full",
        "refresh_token",
        "offline_access",
        "id",
        "profile",
        "email",
        "address",
        "phone",
        "openid",
        "web",
        "visualforce",
        "chatter_api",
        "custom_permissions",
        "lightning",
        "content",
        "wave_api",
        "eclair_api",
        "pardot_api",
        "chatbot_api",
        "sfap_api",
    }
)
REFRESH_SCOPES = frozenset({"refresh_token", "offline_access"})
ID_TOKEN_LIFETIME = 300


def _opaque(length: int) -> str:
    return secrets.token_urlsafe(length).replace("-", ".")


def new_code() -> str:
    """An authorization code: base64 with `+`, `.` and `=` in it, so clients must encode it."""
    raw = base64.b64encode(secrets.token_bytes(49)).decode().replace("/", ".")
    return "aPrx" + raw


def parse_scopes(text: str | None) -> list[str]:
    seen: list[str] = []
    for scope in (text or "").split():
        if scope not in seen:
            seen.append(scope)
    return seen


def scopes_allowed(app: ConnectedApp, scopes: list[str]) -> bool:
    """Every scope is known and granted by the app (`full` covers all but refresh scopes)."""
    for scope in scopes:
        if scope not in KNOWN_SCOPES and not scope.startswith("cdp_"):
            return False
        if scope in app.scopes or ("full" in app.scopes and scope not in REFRESH_SCOPES):
            continue
        return False
    return True


def pkce_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class TokenIssuer:
    """Makes token responses for one org."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self._key: RSAKey | None = None

    @property
    def signing_key(self) -> RSAKey:
        """The RSA key id tokens are signed with, made on first use."""
        if self._key is None:
            self._key = RSAKey.generate_key(2048, parameters={"kid": "sandbox-1", "use": "sig"})
        return self._key

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.signing_key.as_dict(private=False)]}

    def session(self, token: str) -> Session | None:
        """The live session behind an access token, or None if unknown, expired or revoked."""
        session = self.org.store.session(token)
        if session is None or not session.valid(time.time()):
            return None
        return session

    async def issue(
        self,
        app: ConnectedApp,
        user: User,
        scopes: tuple[str, ...],
        *,
        refresh_digest: str | None = None,
        new_refresh: bool,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        """A token response with exactly Salesforce's fields, storing what it issues."""
        access = f"{self.org.org_id15}!AQ{_opaque(72)}"
        body: dict[str, Any] = {"access_token": access}
        store = self.org.store
        if new_refresh and REFRESH_SCOPES & set(scopes):
            refresh = f"5Aep861{_opaque(60)}"
            await store.add_refresh_grant(refresh, RefreshGrant(app.client_id, user.id, scopes))
            refresh_digest = digest(refresh)
            body["refresh_token"] = refresh
        now = time.time()
        await store.add_session(
            access,
            Session(
                client_id=app.client_id,
                user_id=user.id,
                scopes=scopes,
                expires_at=now + self.org.token_ttl,
                refresh_digest=refresh_digest,
            ),
        )
        identity = self.org.identity_url(user)
        issued_at = str(int(now * 1000))
        body["signature"] = base64.b64encode(
            hmac.new(
                app.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256
            ).digest()
        ).decode()
        body["scope"] = " ".join(scopes)
        if "openid" in scopes:
            body["id_token"] = self._id_token(app, user, access, now, nonce)
        body["instance_url"] = self.org.base_url
        body["id"] = identity
        body["token_type"] = "Bearer"
        body["issued_at"] = issued_at
        return body

    def _id_token(
        self, app: ConnectedApp, user: User, access: str, now: float, nonce: str | None
    ) -> str:
        half = hashlib.sha256(access.encode()).digest()[:16]
        claims: dict[str, Any] = {
            "at_hash": base64.urlsafe_b64encode(half).rstrip(b"=").decode(),
            "sub": self.org.identity_url(user),
            "aud": app.client_id,
            "iss": self.org.base_url,
            "exp": int(now) + ID_TOKEN_LIFETIME,
            "iat": int(now),
        }
        if nonce:
            claims["nonce"] = nonce
        header = {"alg": "RS256", "kid": "sandbox-1", "typ": "JWT"}
        return jwt.encode(header, claims, self.signing_key)
