"""Who is on the other end of a browser or WebSocket: signed, expiring user tokens.

A token is the user id and its time of issue signed with HMAC-SHA256 under a key derived from
`secrets.key` (itsdangerous), so the server keeps nothing per user to recognise one. Tokens are
also put in an HttpOnly cookie so the OAuth callback can tell which browser session presents it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from runtime.errors import ChannelError, ConfigError

COOKIE = "parley_session"
MAX_TOKEN_CHARS = 512
_SALT = "parley.user-token.v1"


def new_user_id() -> str:
    """A fresh, unguessable id for a web user."""
    return "web:" + secrets.token_urlsafe(16)


def _signer_with(clock: Callable[[], float]) -> type[TimestampSigner]:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return ClockSigner


class UserTokens:
    """Issues and checks user tokens; `clock` is the time source of both."""

    def __init__(self, key: str, ttl: float, *, clock: Callable[[], float] = time.time) -> None:
        if not key:
            raise ConfigError(["a user token key must not be empty"])
        self.ttl = ttl
        self._serializer = URLSafeTimedSerializer(
            key,
            salt=_SALT,
            signer=_signer_with(clock),
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
        )

    def issue(self, user_id: str) -> str:
        return self._serializer.dumps(user_id)

    def verify(self, token: object) -> str:
        """The user id a token was issued to; ChannelError `unauthorized` when it is not valid."""
        if not isinstance(token, str) or not token:
            raise ChannelError("unauthorized", "A token is required.")
        if len(token) > MAX_TOKEN_CHARS or not token.isascii():
            # Tokens are URL-safe ASCII; anything else (a cookie that was not UTF-8, a lone
            # surrogate) is not one, and must not reach the signer, which encodes it.
            raise ChannelError("unauthorized", "The token is not valid.")
        try:
            user_id = self._serializer.loads(
                token, max_age=round(self.ttl)
            )  # whole seconds, as stamped
        except SignatureExpired:
            raise ChannelError("unauthorized", "The token has expired.") from None
        except BadSignature:
            raise ChannelError("unauthorized", "The token is not valid.") from None
        if not isinstance(user_id, str) or not user_id:
            raise ChannelError("unauthorized", "The token is not valid.")
        return user_id

    def user_or_none(self, token: object) -> str | None:
        """The user id of a valid token, else None (for cookies, which may be stale or
        unreadable: either counts as no cookie)."""
        try:
            return self.verify(token)
        except ChannelError:
            return None
