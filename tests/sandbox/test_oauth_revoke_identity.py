"""Revoke, UserInfo and the identity URL (reference §1.7-1.8)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx2

from sandbox.server import RunningSandbox

Token = Callable[..., Awaitable[dict[str, Any]]]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_revoking_an_access_token_ends_its_session(
    http: httpx2.AsyncClient, token: Token
) -> None:
    issued = await token()
    answer = await http.post("/services/oauth2/revoke", data={"token": issued["access_token"]})
    assert answer.status_code == 200
    assert answer.content == b""
    rest = await http.get("/services/data/v59.0/", headers=_bearer(issued["access_token"]))
    assert rest.status_code == 401
    assert rest.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


async def test_revoking_a_refresh_token_cascades(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, token: Token
) -> None:
    issued = await token()
    answer = await http.get("/services/oauth2/revoke", params={"token": issued["refresh_token"]})
    assert answer.status_code == 200
    rest = await http.get("/services/data/v59.0/", headers=_bearer(issued["access_token"]))
    assert rest.status_code == 401
    refresh = await http.post(
        "/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
            "client_id": sandbox_org.client_id,
            "client_secret": sandbox_org.client_secret,
        },
    )
    assert refresh.json()["error"] == "invalid_grant"


async def test_revoke_errors_and_jsonp(http: httpx2.AsyncClient, token: Token) -> None:
    bad = await http.post("/services/oauth2/revoke", data={"token": "nope"})
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_token", "error_description": "Token was invalid"}
    issued = await token()
    ok = await http.get(
        "/services/oauth2/revoke", params={"token": issued["access_token"], "callback": "done"}
    )
    assert ok.text == "done({})"
    again = await http.get(
        "/services/oauth2/revoke", params={"token": issued["access_token"], "callback": "done"}
    )
    assert again.text == 'done({"error": "invalid_token"})'


async def test_userinfo(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, token: Token
) -> None:
    issued = await token()
    info = await http.get("/services/oauth2/userinfo", headers=_bearer(issued["access_token"]))
    assert info.status_code == 200
    body = info.json()
    org = sandbox_org.org
    assert body["sub"] == issued["id"]
    assert body["user_id"] == org.demo_user.id
    assert body["organization_id"] == org.org_id
    assert body["preferred_username"] == sandbox_org.username
    assert body["urls"]["rest"] == f"{sandbox_org.url}/services/data/v{{version}}/"
    assert body["is_salesforce_integration_user"] is False


async def test_identity_url(http: httpx2.AsyncClient, token: Token) -> None:
    issued = await token()
    answer = await http.get(
        issued["id"], params={"version": "59.0"}, headers=_bearer(issued["access_token"])
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == issued["id"]
    assert body["username"] == "demo@parley.sandbox"
    assert body["urls"]["query"].endswith("/services/data/v59.0/query/")
    assert {"display_name", "nick_name", "first_name", "last_name", "photos"} <= set(body)


async def test_identity_endpoints_refuse_bad_tokens(http: httpx2.AsyncClient, token: Token) -> None:
    missing = await http.get("/services/oauth2/userinfo")
    assert (missing.status_code, missing.text) == (403, "Missing_OAuth_Token")
    bad = await http.get("/services/oauth2/userinfo", headers=_bearer("00Dx!nope"))
    assert (bad.status_code, bad.text) == (403, "Bad_OAuth_Token")
    issued = await token()
    await http.post("/_sandbox/tokens/expire", json={"token": issued["access_token"]})
    expired = await http.get(issued["id"], headers=_bearer(issued["access_token"]))
    assert (expired.status_code, expired.text) == (403, "Bad_OAuth_Token")
