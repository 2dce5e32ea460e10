"""Which browser origins may open the WebSocket and ask for an identity."""

from __future__ import annotations

from urllib.parse import urlsplit

from runtime.config import Config


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-case, default ports left out."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # an unclosed "[" of an IPv6 host, or a port that is not a number
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


class Origins:
    """`channels.websocket.allowed_origins`, or the origin of `server.public_url` when empty.

    A request without an `Origin` header does not come from a browser page (browsers always send
    it on WebSocket handshakes and cross-site POSTs) and is let through: the check exists to stop
    other web sites from using a visitor's browser against the bot.
    """

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = frozenset("*" if o.strip() == "*" else origin_of(o) for o in allowed) - {""}

    @classmethod
    def from_config(cls, config: Config) -> Origins:
        chosen = config.channels.websocket.allowed_origins or (config.server.public_url,)
        return cls(chosen)

    def allows(self, origin: str | None) -> bool:
        if origin is None:
            return True
        return "*" in self.allowed or origin_of(origin) in self.allowed
