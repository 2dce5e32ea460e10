"""Webhook signatures: HMAC-SHA256 over `timestamp + "." + payload`, within a time window.

    X-Parley-Timestamp: 1764000000
    X-Parley-Signature: sha256=HEX(HMAC_SHA256(secret, timestamp + "." + payload))

The payload is the body of a request that has one (`POST /webhook`, and the bot's callbacks
to `callback_url`). A request without a body (`GET /webhook/messages`) signs its method, path
and query exactly as sent, percent-encoding and all (`request_payload`):

    GET /webhook/messages?user_id=sms%3A%2B14155550123&after=0

so a signature is good for that one request, not for the same path with another query.
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


def request_payload(method: str, target: str) -> bytes:
    """What a request without a body signs: `METHOD TARGET`, the target being the path and
    query as they appear on the request line (`/webhook/messages?user_id=...&after=0`).

    ChannelError `unauthorized` when the target cannot be written as bytes (it was not read
    from a request line)."""
    try:
        return f"{method} {target}".encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise ChannelError("unauthorized", "The request target cannot be signed.") from None


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The two headers that sign `body` at `now` (default: the current time)."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def signed_request_headers(
    secret: str, method: str, target: str, *, now: float | None = None
) -> dict[str, str]:
    """The two headers that sign a request without a body to `target` (path and query, exactly
    as they will be sent: percent-encoded)."""
    return signed_headers(secret, request_payload(method, target), now=now)


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
