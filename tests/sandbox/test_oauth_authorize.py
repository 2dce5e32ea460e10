"""The authorize step: the login and consent page, its errors and redirects (reference §1.1-1.2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx2

from sandbox.server import RunningSandbox
from sandbox.testing import callback_params
from tests.sandbox.conftest import CALLBACK, authorize_url

Authorize = Callable[..., Awaitable[Any]]


async def test_page_shows_login_and_consent(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    page = await http.get(authorize_url(sandbox_org, login_hint="demo@parley.sandbox"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    for needle in ('name="username"', 'name="password"', 'value="allow"', 'value="deny"'):
        assert needle in html
    assert 'value="demo@parley.sandbox"' in html
    assert "Parley Demo" in html


async def test_allow_redirects_with_code_and_state(authorize: Authorize) -> None:
    done = await authorize()
    assert done.redirect_url.startswith(CALLBACK + "?")
    assert done.params["state"] == "st-123"
    assert done.params["code"].startswith("aPrx")
    assert done.params["code"].endswith("==")


async def test_deny_redirects_with_access_denied(authorize: Authorize) -> None:
    done = await authorize(allow=False)
    assert done.params == {
        "error": "access_denied",
        "error_description": "end-user denied authorization",
        "state": "st-123",
    }
    assert "error_description=end-user+denied+authorization" in done.redirect_url


async def test_state_absent_when_not_sent(authorize: Authorize) -> None:
    done = await authorize(state=None)
    assert set(done.params) == {"code"}


async def test_wrong_password_shows_the_page_again(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    url = authorize_url(sandbox_org)
    answer = await http.post(
        url, data={"username": sandbox_org.username, "password": "nope", "action": "allow"}
    )
    assert answer.status_code == 200
    assert "Please check your username and password" in answer.text


async def test_unknown_client_gets_error_page_not_redirect(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    page = await http.get(authorize_url(sandbox_org, client_id="3MVG9nope"))
    assert page.status_code == 400
    assert "location" not in page.headers
    assert page.text == "error=invalid_client_id&error_description=client%20identifier%20invalid"


async def test_unregistered_callback_gets_error_page(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    page = await http.get(authorize_url(sandbox_org, redirect_uri="https://evil.example/cb"))
    assert page.status_code == 400
    assert page.text == (
        "error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration"
    )
    missing = await http.get(authorize_url(sandbox_org, redirect_uri=""))
    assert missing.text.startswith("error=redirect_uri_missing&")


async def test_demo_app_accepts_any_loopback_callback(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    for callback in ("http://localhost:1234/x", "http://127.0.0.1:9/cb?keep=1"):
        page = await http.get(authorize_url(sandbox_org, redirect_uri=callback))
        assert page.status_code == 200, callback
    https = await http.get(authorize_url(sandbox_org, redirect_uri="https://127.0.0.1:9/cb"))
    assert https.status_code == 400


async def test_registered_app_matches_callbacks_exactly(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    made = await http.post(
        "/_sandbox/apps", json={"name": "Exact", "callback_urls": ["https://app.example/cb"]}
    )
    client_id = made.json()["client_id"]
    ok = await http.get(
        authorize_url(sandbox_org, client_id=client_id, redirect_uri="https://app.example/cb")
    )
    assert ok.status_code == 200
    loopback = await http.get(authorize_url(sandbox_org, client_id=client_id))
    assert loopback.status_code == 400
    assert loopback.text.startswith("error=redirect_uri_mismatch")


async def test_bad_response_type_and_scope_are_redirected(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    token_flow = await http.get(authorize_url(sandbox_org, response_type="token"))
    assert token_flow.status_code == 302
    assert callback_params(token_flow.headers["location"]) == {
        "error": "unsupported_response_type",
        "error_description": "response type not supported",
        "state": "st-123",
    }
    scope = await http.get(authorize_url(sandbox_org, scope="api bogus"))
    assert callback_params(scope.headers["location"])["error"] == "invalid_scope"


async def test_pkce_method_other_than_s256_is_refused(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    answer = await http.get(
        authorize_url(sandbox_org, code_challenge="x" * 43, code_challenge_method="plain")
    )
    assert callback_params(answer.headers["location"])["error"] == "invalid_request"


async def test_auto_approve_and_immediate(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    immediate = await http.get(authorize_url(sandbox_org, immediate="true"))
    assert callback_params(immediate.headers["location"])["error"] == "immediate_unsuccessful"
    await http.put("/_sandbox/settings", json={"auto_approve": True})
    auto = await http.get(authorize_url(sandbox_org))
    assert auto.status_code == 302
    target = urlsplit(auto.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == CALLBACK
    assert callback_params(auto.headers["location"])["code"].startswith("aPrx")
