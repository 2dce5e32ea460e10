"""Limits and timings of the channels, with the defaults of spec/channels.md."""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    token_ttl: float = 30 * DAY  # how long a user token of POST /api/sessions stays valid
    max_frame_bytes: int = 64 * 1024  # larger WebSocket frames get `too_long`, socket stays open
    hard_frame_bytes: int = 1024 * 1024  # larger frames close the socket (1009): never buffered
    rate_limit: int = 20  # messages per user ...
    rate_window: float = 10.0  # ... in this many seconds, else `rate_limited`
    heartbeat: float = 30.0  # WebSocket ping interval
    webhook_window: float = 300.0  # how far X-Parley-Timestamp may be from now
    webhook_max_body: int = 64 * 1024
    idempotency_ttl: float = DAY  # how long a webhook answer is kept for repeats
    retry_first: float = 0.5  # first delay before an async webhook callback is retried ...
    retry_max: float = 60.0  # ... doubling up to this
    callback_timeout: float = 10.0  # per async webhook callback attempt
    shutdown_grace: float = 30.0  # how long turns in flight may take to finish on shutdown
    sessions_every: float = 30.0  # /metrics recounts the stored conversations at most this often
