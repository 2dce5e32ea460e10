"""Limits and timings of the channels, with the defaults of spec/channels.md. The rate limit is
config.yaml's (`conversation.rate_limit`) unless set here."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.config import RateLimit

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    token_ttl: float = 30 * DAY  # how long a user token of POST /api/sessions stays valid
    max_frame_bytes: int = 64 * 1024  # larger WebSocket frames get `too_long`, socket stays open
    hard_frame_bytes: int = 1024 * 1024  # larger frames close the socket (1009): never buffered
    # Messages per user in a window of seconds, else `rate_limited`; None (the default) takes
    # `conversation.rate_limit` of config.yaml (20 in 10 s unless set there).
    rate_limit: int | None = None
    rate_window: float | None = None
    heartbeat: float = 30.0  # WebSocket ping interval
    webhook_window: float = 300.0  # how far X-Parley-Timestamp may be from now
    webhook_max_body: int = 64 * 1024
    idempotency_ttl: float = DAY  # how long a webhook answer is kept for repeats
    retry_first: float = 0.5  # first delay before an async webhook callback is retried ...
    retry_max: float = 60.0  # ... doubling up to this
    callback_timeout: float = 10.0  # per async webhook callback attempt
    shutdown_grace: float = 30.0  # how long turns in flight may take to finish on shutdown
    sessions_every: float = 30.0  # /metrics recounts the stored conversations at most this often

    def rate(self, configured: RateLimit) -> RateLimit:
        """The rate limit in force: these settings' where set, else config.yaml's."""
        return RateLimit(
            messages=configured.messages if self.rate_limit is None else self.rate_limit,
            per_seconds=configured.per_seconds if self.rate_window is None else self.rate_window,
        )
