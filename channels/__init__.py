"""Channels: one aiohttp server turning wire messages into engine calls and back.

WebSocket (`/ws`), webhook (`/webhook`), the web chat page (`/`), the OAuth callback, health
and metrics. No dialog logic lives here; the engine never imports this package.
"""

from channels.server import create_app, open_bot, serve

__all__ = [
    "create_app",
    "open_bot",
    "serve",
]
