"""The small parts the server is made of, each on its own: rate limits, origins, tokens,
signatures."""

from __future__ import annotations

import pytest

from channels.identity import UserTokens
from channels.origins import Origins, origin_of
from channels.ratelimit import RateLimiter
from channels.signing import check_signature, signed_headers
from runtime.errors import ChannelError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_limit_slides_and_only_accepted_messages_count():
    clock = Clock()
    limiter = RateLimiter(3, 10.0, clock=clock)
    assert [limiter.allow("u") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("v")
    clock.now += 5
    assert not limiter.allow("u")
    clock.now += 5.001  # the first three leave the window; the refusals never entered it
    assert [limiter.allow("u") for _ in range(4)] == [True, True, True, False]


def test_idle_users_are_forgotten_by_the_rate_limiter():
    clock = Clock()
    limiter = RateLimiter(3, 10.0, clock=clock)
    for n in range(100):
        limiter.allow(f"user-{n}")
    clock.now += 11
    limiter.allow("late")
    assert len(limiter) == 1


@pytest.mark.parametrize(
    ("allowed", "origin", "ok"),
    [
        (("http://127.0.0.1:8080",), "http://127.0.0.1:8080", True),
        (("http://127.0.0.1:8080/",), "HTTP://127.0.0.1:8080", True),
        (("https://chat.example.com",), "https://chat.example.com:443", True),
        (("http://127.0.0.1:8080",), "http://127.0.0.1:8081", False),
        (("http://127.0.0.1:8080",), "https://127.0.0.1:8080", False),
        (("http://127.0.0.1:8080",), "null", False),
        (("http://127.0.0.1:8080",), "http://127.0.0.1:99999", False),
        (("*",), "https://anywhere.example", True),
        (("http://127.0.0.1:8080",), None, True),
    ],
)
def test_origins(allowed, origin, ok):
    assert Origins(allowed).allows(origin) is ok


def test_origin_of_drops_paths_and_default_ports():
    assert origin_of("https://Example.com:443/chat?x=1") == "https://example.com"
    assert origin_of("http://[::1]:8080/") == "http://[::1]:8080"
    assert origin_of("not a url") == ""


def test_tokens_carry_the_user_and_expire():
    clock = Clock()
    tokens = UserTokens("key", 60.0, clock=clock)
    token = tokens.issue("web:ada")
    assert tokens.verify(token) == "web:ada"
    clock.now += 61
    with pytest.raises(ChannelError, match="expired"):
        tokens.verify(token)
    assert tokens.user_or_none(token) is None
    with pytest.raises(ChannelError, match="not valid"):
        UserTokens("other key", 60.0, clock=clock).verify(tokens.issue("web:ada"))
    with pytest.raises(ChannelError, match="required"):
        tokens.verify(None)


def test_a_signature_is_bound_to_body_time_and_secret():
    headers = signed_headers("s", b"body", now=5000)
    stamp, signed = headers["X-Parley-Timestamp"], headers["X-Parley-Signature"]
    check_signature("s", stamp, signed, b"body", window=300, now=5100)
    for secret, body, now in (("t", b"body", 5100), ("s", b"bodY", 5100), ("s", b"body", 5301)):
        with pytest.raises(ChannelError):
            check_signature(secret, stamp, signed, body, window=300, now=now)
