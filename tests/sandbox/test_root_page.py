"""The sandbox org's root address, over real HTTP: an HTML page that says what the server is (a
local test org for Parley, not Salesforce) and leads to its login page and its API."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import httpx2
from aiohttp import web

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.server import RunningSandbox, run_sandbox
from sandbox.testing import callback_params, complete_authorization


class Page(HTMLParser):
    """The attributes of each element with an id, and the page's text with its tags removed."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.tags: list[str] = []
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.by_id[str(found["id"])] = found

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())


async def test_the_root_page_says_what_the_server_is_and_where_to_log_in(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
):
    answer = await http.get("/")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    page = Page(answer.text)
    assert "Salesforce-compatible test org for Parley" in page.text
    assert "It is not Salesforce" in page.text
    assert sandbox_org.username in page.text
    assert sandbox_org.password not in answer.text
    assert f"{sandbox_org.url}/services/data/v" in page.text  # the API base

    # The login link opens the real login page, and logging in there comes back to this page.
    login = page.by_id["login"]["href"]
    assert login is not None and login.startswith(sandbox_org.authorize_url + "?")
    form = Page((await http.get(login)).text)
    assert {"username", "password"} <= form.by_id.keys()
    back = await complete_authorization(
        login, username=sandbox_org.username, password=sandbox_org.password, client=http
    )
    assert back.startswith(sandbox_org.url + "/?")
    assert "code" in callback_params(back)
    after = Page((await http.get(back)).text)
    assert "You logged in" in after.text

    versions = await http.get(page.by_id["versions"]["href"] or "")
    assert versions.status_code == 200
    assert {"label", "url", "version"} <= versions.json()[0].keys()
    assert page.by_id["controls"]["href"] == sandbox_org.controls_url


async def test_the_root_page_escapes_the_org_name(tmp_path: Path):
    name = '<script>alert(1)</script><img src=x onerror=alert(2)> "Smith & Sons"'
    async with (
        run_sandbox(port=0, db=tmp_path / "org.db", org_name=name) as sb,
        httpx2.AsyncClient() as http,
    ):
        answer = await http.get(sb.url + "/")
    assert answer.status_code == 200
    page = Page(answer.text)
    assert name in page.text  # shown as text ...
    assert "script" not in page.tags and "img" not in page.tags  # ... never as markup
    assert "<script>" not in answer.text
    assert "controls" not in page.by_id  # controls off: not mentioned


async def test_an_org_on_a_public_address_names_its_login_url_instead_of_linking_it():
    """The demo app only calls back to loopback addresses, so a link coming back to this page
    would end on an error: the page names the authorize URL for apps to use instead."""
    base = "http://sandbox.example:8000"
    runner = web.AppRunner(create_app(SandboxConfig(base_url=base)), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        async with httpx2.AsyncClient() as http:
            answer = await http.get(f"http://127.0.0.1:{port}/")
    finally:
        await runner.cleanup()
    assert answer.status_code == 200
    page = Page(answer.text)
    assert "href" not in page.by_id["login"]
    assert f"{base}/services/oauth2/authorize" in page.text
    assert "It is not Salesforce" in page.text
