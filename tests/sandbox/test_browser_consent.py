"""Headless Chromium completes the login and consent page once, end to end: the browser is
sent to a real callback server on loopback, and the code it carries buys a token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright

from sandbox.server import RunningSandbox
from sandbox.testing import callback_params, pkce_pair
from tests.sandbox.conftest import authorize_url

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def callback_server() -> AsyncIterator[TestServer]:
    async def landed(request: web.Request) -> web.Response:
        return web.Response(text="<h1>Connected</h1>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/oauth/callback", landed)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


async def test_chromium_logs_in_and_allows(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, callback_server: TestServer
) -> None:
    callback = str(callback_server.make_url("/oauth/callback"))
    verifier, challenge = pkce_pair()
    start = authorize_url(sandbox_org, redirect_uri=callback, code_challenge=challenge)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page()
            await page.goto(start)
            assert await page.title() == "Log in | Parley Sandbox"
            await page.fill("#username", sandbox_org.username)
            await page.fill("#password", sandbox_org.password)
            async with page.expect_navigation(url=f"{callback}?*"):
                await page.click("button.allow")
            landed_url = page.url
            assert await page.inner_text("h1") == "Connected"
        finally:
            await browser.close()
    params = callback_params(landed_url)
    assert params["state"] == "st-123"
    exchange = await http.post(
        "/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "client_id": sandbox_org.client_id,
            "client_secret": sandbox_org.client_secret,
            "redirect_uri": callback,
            "code_verifier": verifier,
        },
    )
    assert exchange.status_code == 200
    assert exchange.json()["token_type"] == "Bearer"
