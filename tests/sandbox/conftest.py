"""Fixtures for tests of the sandbox org, reusable by any test under tests/sandbox/.

* `sandbox_org`: a sandbox org on 127.0.0.1, port 0, SQLite file in tmp_path, controls on.
* `http`: an httpx2.AsyncClient on the org's base URL (no auth).
* `authorize`: `await authorize(**params)` builds an authorize URL for the demo app (PKCE S256,
  state, loopback callback), completes the login and consent page with plain HTTP, and returns
  an `Authorized` with the callback URL, its parameters and the PKCE verifier.
* `token`: `await token(scope="api refresh_token")` runs the whole code flow and returns the
  token response (a dict).
* `api`: an httpx2.AsyncClient on `/services/data/v59.0/` with a Bearer token (scope `api
  refresh_token`).

Outside this folder, use `sandbox.server.run_sandbox` and `sandbox.testing.complete_authorization`
directly: they are what these fixtures are made of.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest

from sandbox.server import RunningSandbox, run_sandbox
from sandbox.testing import callback_params, complete_authorization, pkce_pair

CALLBACK = "http://127.0.0.1:8765/oauth/callback"
VERSION = "59.0"
# Building an SSL context costs ~25 ms; the sandbox is plain http, so every client shares one.
TLS = ssl.create_default_context()


@dataclass(frozen=True)
class Authorized:
    redirect_url: str
    params: dict[str, str]
    verifier: str


@pytest.fixture
async def sandbox_org(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    async with run_sandbox(port=0, db=tmp_path / "sandbox.db", controls=True) as sb:
        yield sb


@pytest.fixture
async def http(sandbox_org: RunningSandbox) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(base_url=sandbox_org.url, verify=TLS) as client:
        yield client


def authorize_url(sb: RunningSandbox, **params: str) -> str:
    """The demo app's authorize URL; keyword arguments override or add parameters."""
    query = {
        "response_type": "code",
        "client_id": sb.client_id,
        "redirect_uri": CALLBACK,
        "scope": "api refresh_token",
        "state": "st-123",
    }
    query.update(params)
    return f"{sb.authorize_url}?{urlencode({k: v for k, v in query.items() if v is not None})}"


@pytest.fixture
def authorize(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> Callable[..., Awaitable[Authorized]]:
    async def run(allow: bool = True, **params: str) -> Authorized:
        verifier, challenge = pkce_pair()
        params.setdefault("code_challenge", challenge)
        params.setdefault("code_challenge_method", "S256")
        redirect = await complete_authorization(
            authorize_url(sandbox_org, **params),
            username=sandbox_org.username,
            password=sandbox_org.password,
            allow=allow,
            client=http,
        )
        return Authorized(redirect, callback_params(redirect), verifier)

    return run


@pytest.fixture
def token(
    sandbox_org: RunningSandbox,
    http: httpx2.AsyncClient,
    authorize: Callable[..., Awaitable[Authorized]],
) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def run(scope: str = "api refresh_token") -> dict[str, Any]:
        done = await authorize(scope=scope)
        response = await http.post(
            "/services/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": done.params["code"],
                "client_id": sandbox_org.client_id,
                "client_secret": sandbox_org.client_secret,
                "redirect_uri": CALLBACK,
                "code_verifier": done.verifier,
            },
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    return run


@pytest.fixture
async def api(
    sandbox_org: RunningSandbox, token: Callable[..., Awaitable[dict[str, Any]]]
) -> AsyncIterator[httpx2.AsyncClient]:
    issued = await token()
    async with httpx2.AsyncClient(
        base_url=f"{sandbox_org.url}/services/data/v{VERSION}/",
        headers={"Authorization": f"Bearer {issued['access_token']}"},
        verify=TLS,
    ) as client:
        yield client
