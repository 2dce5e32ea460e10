"""A small OAuth 2.0 provider and JSON API on 127.0.0.1, standing in for "any REST API".

OAuth: ``GET /authorize`` shows a consent form (Allow / Deny) after checking the client, the
redirect URI and a PKCE S256 challenge; ``POST /authorize`` sends the browser back with a code
or ``error=access_denied``; ``POST /token`` exchanges a code (checking the client secret, the
redirect URI and the PKCE verifier) or a refresh token for a bearer token.

API: ``/api/items`` (GET lists, POST creates) and ``/api/items/{id}`` (GET), each answering
401 without a valid bearer token. One item, ``welcome``, exists from the start.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

CLIENT_ID = "example-client"
CLIENT_SECRET = "example-secret"
SCOPE = "items.read items.write"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str


@dataclass
class ExampleApi:
    """The server's state; tests read and change it while the server runs."""

    url: str = ""
    grants: dict[str, Grant] = field(default_factory=dict)  # by code, used once
    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    items: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"welcome": {"id": "welcome", "name": "Welcome kit"}}
    )
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (method, raw path, bearer)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"{self.url}/api"

    def env(self) -> dict[str, str]:
        """What the example bot's config.yaml reads."""
        return {
            "EXAMPLE_API_URL": self.url,
            "EXAMPLE_API_CLIENT_ID": CLIENT_ID,
            "EXAMPLE_API_CLIENT_SECRET": CLIENT_SECRET,
        }

    def expire_access_tokens(self) -> None:
        self.access.clear()

    # -- OAuth -----------------------------------------------------------------------------

    async def authorize_page(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != CLIENT_ID or not q.get("redirect_uri"):
            return web.Response(status=400, text="unknown client or no redirect_uri")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return web.Response(status=400, text="PKCE (S256) is required")
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in q.items()
        )
        body = (
            "<!doctype html><title>Example API</title><form method='post' action='/authorize'>"
            f"{hidden}<button name='decision' value='allow'>Allow</button>"
            "<button name='decision' value='deny'>Deny</button></form>"
        )
        return web.Response(text=body, content_type="text/html")

    async def authorize(self, request: web.Request) -> web.Response:
        form = await request.post()
        redirect, state = str(form["redirect_uri"]), str(form.get("state", ""))
        if form.get("decision") != "allow":
            query = urlencode({"error": "access_denied", "state": state})
            raise web.HTTPFound(f"{redirect}?{query}")
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            str(form["client_id"]),
            redirect,
            str(form["code_challenge"]),
            str(form.get("scope", "")),
        )
        raise web.HTTPFound(f"{redirect}?{urlencode({'code': code, 'state': state})}")

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("grant_type") == "authorization_code":
            grant = self.grants.pop(str(form.get("code", "")), None)
            if grant is None or form.get("redirect_uri") != grant.redirect_uri:
                return web.json_response({"error": "invalid_grant"}, status=400)
            if _s256(str(form.get("code_verifier", ""))) != grant.challenge:
                return web.json_response({"error": "invalid_grant"}, status=400)
            return web.json_response(self._issue(grant.scope, refresh=True))
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh:
                return web.json_response({"error": "invalid_grant"}, status=400)
            return web.json_response(self._issue(SCOPE, refresh=False))
        return web.json_response({"error": "unsupported_grant_type"}, status=400)

    def _issue(self, scope: str, *, refresh: bool) -> dict[str, Any]:
        token = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}
        token |= {"expires_in": 3600, "scope": scope}
        self.access.add(token["access_token"])
        if refresh:
            token["refresh_token"] = secrets.token_urlsafe(16)
            self.refresh.add(token["refresh_token"])
        return token

    # -- the JSON API ----------------------------------------------------------------------

    def _bearer(self, request: web.Request) -> str:
        kind, _, token = request.headers.get("Authorization", "").partition(" ")
        self.calls.append((request.method, request.raw_path, token))
        if kind != "Bearer" or token not in self.access:
            raise web.HTTPUnauthorized(
                text='{"message": "a valid bearer token is required"}',
                content_type="application/json",
            )
        return token

    async def list_items(self, request: web.Request) -> web.Response:
        self._bearer(request)
        return web.json_response(list(self.items.values()))

    async def create_item(self, request: web.Request) -> web.Response:
        self._bearer(request)
        body = await request.json()
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return web.json_response({"message": "an item needs a name"}, status=422)
        item = {"id": str(next(self._ids)), "name": name}
        self.items[item["id"]] = item
        return web.json_response(item, status=201)

    async def get_item(self, request: web.Request) -> web.Response:
        self._bearer(request)
        item = self.items.get(request.match_info["id"])
        if item is None:
            message = f"no item {request.match_info['id']!r}"
            return web.json_response({"error": {"message": message}}, status=404)
        return web.json_response(item)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/authorize", self.authorize_page)
        app.router.add_post("/authorize", self.authorize)
        app.router.add_post("/token", self.token)
        app.router.add_get("/api/items", self.list_items)
        app.router.add_post("/api/items", self.create_item)
        app.router.add_get("/api/items/{id}", self.get_item)
        return app


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@asynccontextmanager
async def run_example_api() -> AsyncIterator[ExampleApi]:
    """The server on a free port of 127.0.0.1, for as long as the block runs."""
    api = ExampleApi()
    runner = web.AppRunner(api.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    api.url = f"http://127.0.0.1:{port}"
    try:
        yield api
    finally:
        await runner.cleanup()
