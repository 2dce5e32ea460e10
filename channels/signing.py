"""Webhook signatures: HMAC-SHA256 over `timestamp + "." + body`, within a time window.

    X-Parley-Timestamp: 1764000000
    X-Parley-Signature: sha256=HEX(HMAC_SHA256(secret, timestamp + "." + body))

The same scheme signs requests to the bot and the bot's callbacks to `callback_url`.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from runtime.errors import ChannelError

TIMESTAMP_HEADER = "X-Parley-Timestamp"
SIGNATURE_HEADER = "X-Parley-Signature"
_PREFIX = "sha256="


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The two headers that sign `body` at `now` (default: the current time)."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def check_signature(
    secret: str,
    timestamp: str | None,
    signed: str | None,
    body: bytes,
    *,
    window: float,
    now: float | None = None,
) -> None:
    """Raise ChannelError `unauthorized` unless `signed` signs `body` at a recent `timestamp`."""
    if not timestamp or not signed:
        raise ChannelError("unauthorized", f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} required.")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise ChannelError("unauthorized", f"{TIMESTAMP_HEADER} must be Unix seconds.")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window:
        raise ChannelError("unauthorized", "The request's timestamp is outside the allowed window.")
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signed.strip().encode("utf-8", "replace")):
        raise ChannelError("unauthorized", "The signature does not match.")
