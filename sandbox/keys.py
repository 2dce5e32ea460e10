"""Typed keys for what the sandbox keeps on its aiohttp application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from sandbox.config import SandboxConfig
    from sandbox.controls import Controls
    from sandbox.org import Org
    from sandbox.query import Locators
    from sandbox.store import Session
    from sandbox.tokens import TokenIssuer

CONFIG: web.AppKey[SandboxConfig] = web.AppKey("config")
ORG: web.AppKey[Org] = web.AppKey("org")
CONTROLS: web.AppKey[Controls] = web.AppKey("controls")
LOCATORS: web.AppKey[Locators] = web.AppKey("locators")
ISSUER: web.AppKey[TokenIssuer] = web.AppKey("issuer")

# Per-request values the API gate sets for the handlers.
VERSION: web.RequestKey[str] = web.RequestKey("version", str)
SESSION: web.RequestKey[Session] = web.RequestKey("session")
METHOD: web.RequestKey[str] = web.RequestKey("method", str)
DROPPED: web.RequestKey[bool] = web.RequestKey("dropped", bool)
