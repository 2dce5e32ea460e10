"""Who may call the REST API: tokens, scopes, token expiry, editions and the daily limit
(reference §5, §6)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2

from sandbox.server import run_sandbox
from sandbox.testing import callback_params, complete_authorization, pkce_pair
from tests.sandbox.conftest import CALLBACK, TLS, authorize_url

Token = Callable[..., Awaitable[dict[str, Any]]]
SESSION_EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


async def test_missing_and_invalid_tokens(http: httpx2.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer 00Dx!garbage"}):
        answer = await http.get("/services/data/v59.0/sobjects/Lead/describe", headers=headers)
        assert answer.status_code == 401
        assert answer.json() == SESSION_EXPIRED
        assert answer.headers["www-authenticate"] == "Token"
        assert answer.headers["sforce-limit-info"] == "api-usage=0/15000"


async def test_wrong_scheme(http: httpx2.AsyncClient) -> None:
    answer = await http.get("/services/data/v59.0/", headers={"Authorization": "Basic abc"})
    assert answer.status_code == 401
    assert answer.json() == [{"message": "INVALID_HEADER_TYPE", "errorCode": "INVALID_AUTH_HEADER"}]


async def test_legacy_oauth_scheme_is_accepted(http: httpx2.AsyncClient, token: Token) -> None:
    issued = await token()
    answer = await http.get(
        "/services/data/v59.0/", headers={"Authorization": f"OAuth {issued['access_token']}"}
    )
    assert answer.status_code == 200


async def test_session_without_api_scope(http: httpx2.AsyncClient, token: Token) -> None:
    issued = await token(scope="id refresh_token")
    answer = await http.get(
        "/services/data/v59.0/", headers={"Authorization": f"Bearer {issued['access_token']}"}
    )
    assert answer.status_code == 401
    assert answer.json() == [
        {
            "message": "This session is not valid for use with the REST API",
            "errorCode": "INVALID_SESSION_ID",
        }
    ]


async def test_expired_token_then_refresh(http: httpx2.AsyncClient, token: Token) -> None:
    issued = await token()
    headers = {"Authorization": f"Bearer {issued['access_token']}"}
    assert (await http.get("/services/data/v59.0/", headers=headers)).status_code == 200
    expired = await http.post("/_sandbox/tokens/expire", json={})
    assert expired.json()["expired"] >= 1
    answer = await http.get("/services/data/v59.0/", headers=headers)
    assert (answer.status_code, answer.json()) == (401, SESSION_EXPIRED)


async def test_token_ttl_is_configurable(tmp_path: Path) -> None:
    async with (
        run_sandbox(port=0, db=tmp_path / "o.db", token_ttl=0.000001) as sb,
        httpx2.AsyncClient(base_url=sb.url, verify=TLS) as http,
    ):
        verifier, challenge = pkce_pair()
        redirect = await complete_authorization(
            authorize_url(sb, code_challenge=challenge),
            username=sb.username,
            password=sb.password,
            client=http,
        )
        body = (
            await http.post(
                "/services/oauth2/token",
                data={
                    "grant_type": "authorization_code",
                    "code": callback_params(redirect)["code"],
                    "client_id": sb.client_id,
                    "client_secret": sb.client_secret,
                    "redirect_uri": CALLBACK,
                    "code_verifier": verifier,
                },
            )
        ).json()
        answer = await http.get(
            "/services/data/v59.0/", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert answer.status_code == 401


async def test_professional_edition_has_no_api(http: httpx2.AsyncClient, token: Token) -> None:
    issued = await token()
    await http.put("/_sandbox/edition", json={"edition": "professional"})
    headers = {"Authorization": f"Bearer {issued['access_token']}"}
    for path in ("/services/data/v59.0/", "/services/data/v59.0/query?q=SELECT+Id+FROM+Lead"):
        answer = await http.get(path, headers=headers)
        assert answer.status_code == 403
        assert answer.json() == [
            {
                "message": "The REST API is not enabled for this Organization.",
                "errorCode": "API_DISABLED_FOR_ORG",
            }
        ]
    assert (await http.get("/services/data/")).status_code == 200


async def test_professional_edition_still_issues_tokens(tmp_path: Path) -> None:
    async with (
        run_sandbox(port=0, db=tmp_path / "o.db", edition="professional") as sb,
        httpx2.AsyncClient(base_url=sb.url, verify=TLS) as http,
    ):
        form = {
            "grant_type": "password",
            "client_id": sb.client_id,
            "client_secret": sb.client_secret,
            "username": sb.username,
            "password": sb.password,
        }
        issued = (await http.post("/services/oauth2/token", data=form)).json()
        answer = await http.get(
            "/services/data/v59.0/", headers={"Authorization": f"Bearer {issued['access_token']}"}
        )
        assert answer.status_code == 403


async def test_limit_info_counts_and_limit_is_enforced(tmp_path: Path) -> None:
    async with (
        run_sandbox(port=0, db=tmp_path / "o.db", api_limit=3) as sb,
        httpx2.AsyncClient(base_url=sb.url, verify=TLS) as http,
    ):
        form = {
            "grant_type": "password",
            "client_id": sb.client_id,
            "client_secret": sb.client_secret,
            "username": sb.username,
            "password": sb.password,
        }
        issued = (await http.post("/services/oauth2/token", data=form)).json()
        headers = {"Authorization": f"Bearer {issued['access_token']}"}
        seen = []
        for _ in range(3):
            answer = await http.get("/services/data/v59.0/limits", headers=headers)
            assert answer.status_code == 200
            seen.append(answer.headers["sforce-limit-info"])
        assert seen == ["api-usage=1/3", "api-usage=2/3", "api-usage=3/3"]
        over = await http.get("/services/data/v59.0/limits", headers=headers)
        assert over.status_code == 403
        assert over.json() == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
        assert over.headers["sforce-limit-info"] == "api-usage=4/3"
        assert "retry-after" not in over.headers
