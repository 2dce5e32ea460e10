"""The token endpoint: code exchange, PKCE, refresh, password, errors (reference §1.3-1.6)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import httpx2
from joserfc import jwt
from joserfc.jwk import KeySet

from sandbox.server import RunningSandbox, run_sandbox
from sandbox.testing import callback_params, complete_authorization, pkce_pair
from tests.sandbox.conftest import CALLBACK, TLS, authorize_url

Authorize = Callable[..., Awaitable[Any]]
Token = Callable[..., Awaitable[dict[str, Any]]]


def _exchange(sb: RunningSandbox, code: str, verifier: str | None, **extra: str) -> dict[str, str]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
        "redirect_uri": CALLBACK,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    form.update(extra)
    return form


async def test_code_exchange_has_exactly_the_documented_fields(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, authorize: Authorize
) -> None:
    done = await authorize(scope="api refresh_token")
    before = int(time.time() * 1000)
    answer = await http.post(
        "/services/oauth2/token", data=_exchange(sandbox_org, done.params["code"], done.verifier)
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    body = answer.json()
    assert list(body) == [
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    ]
    org_id = sandbox_org.org.org_id
    assert body["access_token"].startswith(org_id[:15] + "!")
    assert body["refresh_token"].startswith("5Aep861")
    assert body["scope"] == "api refresh_token"
    assert body["instance_url"] == sandbox_org.url
    assert body["id"] == f"{sandbox_org.url}/id/{org_id}/{sandbox_org.org.demo_user.id}"
    assert body["token_type"] == "Bearer"
    assert isinstance(body["issued_at"], str) and int(body["issued_at"]) >= before
    expected = base64.b64encode(
        hmac.new(
            sandbox_org.client_secret.encode(),
            (body["id"] + body["issued_at"]).encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    assert body["signature"] == expected


async def test_no_refresh_token_without_its_scope(token: Token) -> None:
    body = await token(scope="api")
    assert "refresh_token" not in body
    assert "expires_in" not in body
    offline = await token(scope="full offline_access")
    assert offline["refresh_token"].startswith("5Aep861")


async def test_codes_are_single_use(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, authorize: Authorize
) -> None:
    done = await authorize()
    form = _exchange(sandbox_org, done.params["code"], done.verifier)
    first = await http.post("/services/oauth2/token", data=form)
    assert first.status_code == 200
    again = await http.post("/services/oauth2/token", data=form)
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "expired authorization code",
    }


async def test_codes_expire(tmp_path: Any) -> None:
    async with (
        run_sandbox(port=0, db=tmp_path / "o.db", code_ttl=0.0) as sb,
        httpx2.AsyncClient(base_url=sb.url, verify=TLS) as http,
    ):
        verifier, challenge = pkce_pair()
        url = authorize_url(sb, code_challenge=challenge)
        redirect = await complete_authorization(
            url, username=sb.username, password=sb.password, client=http
        )
        code = callback_params(redirect)["code"]
        answer = await http.post("/services/oauth2/token", data=_exchange(sb, code, verifier))
        assert answer.status_code == 400
        assert answer.json()["error_description"] == "expired authorization code"


async def test_pkce_is_enforced(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, authorize: Authorize
) -> None:
    missing = await authorize()
    answer = await http.post(
        "/services/oauth2/token", data=_exchange(sandbox_org, missing.params["code"], None)
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    wrong = await authorize()
    answer = await http.post(
        "/services/oauth2/token",
        data=_exchange(sandbox_org, wrong.params["code"], "w" * 43),
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


async def test_redirect_uri_must_match_the_authorize_step(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, authorize: Authorize
) -> None:
    done = await authorize()
    form = _exchange(
        sandbox_org, done.params["code"], done.verifier, redirect_uri="http://127.0.0.1:1/other"
    )
    answer = await http.post("/services/oauth2/token", data=form)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "redirect_uri_mismatch",
        "error_description": "redirect_uri must match configuration",
    }


async def test_client_errors(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, authorize: Authorize
) -> None:
    done = await authorize()
    unknown = await http.post(
        "/services/oauth2/token",
        data=_exchange(sandbox_org, done.params["code"], done.verifier, client_id="3MVG9x"),
    )
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error": "invalid_client_id",
        "error_description": "client identifier invalid",
    }
    bad_secret = await http.post(
        "/services/oauth2/token",
        data=_exchange(sandbox_org, done.params["code"], done.verifier, client_secret="nope"),
    )
    assert bad_secret.status_code == 400
    assert bad_secret.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }


async def test_json_body_and_unknown_grant_are_unsupported(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    expected = {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
    as_json = await http.post(
        "/services/oauth2/token",
        json={"grant_type": "authorization_code", "client_id": sandbox_org.client_id},
    )
    assert (as_json.status_code, as_json.json()) == (400, expected)
    credentials = await http.post(
        "/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": sandbox_org.client_id},
    )
    assert (credentials.status_code, credentials.json()) == (400, expected)


async def test_basic_auth_and_urlencoded_format(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, authorize: Authorize
) -> None:
    done = await authorize()
    form = _exchange(sandbox_org, done.params["code"], done.verifier, format="urlencoded")
    del form["client_id"], form["client_secret"]
    answer = await http.post(
        "/services/oauth2/token",
        data=form,
        auth=(sandbox_org.client_id, sandbox_org.client_secret),
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-www-form-urlencoded")
    fields = parse_qs(answer.text)
    assert fields["token_type"] == ["Bearer"]
    assert fields["access_token"][0].startswith(sandbox_org.org.org_id[:15] + "!")


async def test_refresh_returns_new_access_token_without_refresh_token(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, token: Token
) -> None:
    first = await token()
    answer = await http.post(
        "/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": sandbox_org.client_id,
            "client_secret": sandbox_org.client_secret,
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert "refresh_token" not in body
    assert body["access_token"] != first["access_token"]
    assert list(body) == [
        "access_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    ]
    data = await http.get(
        "/services/data/v59.0/",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert data.status_code == 200


async def test_refresh_with_revoked_or_unknown_token(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, token: Token
) -> None:
    first = await token()
    await http.post("/_sandbox/refresh-tokens/revoke", json={"token": first["refresh_token"]})
    for refresh in (first["refresh_token"], "5Aep861unknown"):
        answer = await http.post(
            "/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": sandbox_org.client_id,
                "client_secret": sandbox_org.client_secret,
            },
        )
        assert answer.status_code == 400
        assert answer.json() == {
            "error": "invalid_grant",
            "error_description": "expired access/refresh token",
        }


async def test_rotating_app_issues_new_refresh_token(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient
) -> None:
    made = (
        await http.post(
            "/_sandbox/apps",
            json={
                "name": "Rotating",
                "callback_urls": [CALLBACK],
                "rotate_refresh_tokens": True,
            },
        )
    ).json()
    verifier, challenge = pkce_pair()
    url = authorize_url(sandbox_org, client_id=made["client_id"], code_challenge=challenge)
    redirect = await complete_authorization(
        url, username=sandbox_org.username, password=sandbox_org.password, client=http
    )
    form = _exchange(sandbox_org, callback_params(redirect)["code"], verifier)
    form.update(client_id=made["client_id"], client_secret=made["client_secret"])
    first = (await http.post("/services/oauth2/token", data=form)).json()
    refresh_form = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": made["client_id"],
        "client_secret": made["client_secret"],
    }
    rotated = (await http.post("/services/oauth2/token", data=refresh_form)).json()
    assert rotated["refresh_token"] != first["refresh_token"]
    stale = await http.post("/services/oauth2/token", data=refresh_form)
    assert stale.json()["error"] == "invalid_grant"


async def test_password_grant(sandbox_org: RunningSandbox, http: httpx2.AsyncClient) -> None:
    form = {
        "grant_type": "password",
        "client_id": sandbox_org.client_id,
        "client_secret": sandbox_org.client_secret,
        "username": sandbox_org.username,
        "password": sandbox_org.password,
        "scope": "api",
    }
    ok = await http.post("/services/oauth2/token", data=form)
    assert ok.status_code == 200 and ok.json()["scope"] == "api"
    wrong = await http.post("/services/oauth2/token", data={**form, "password": "x"})
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


async def test_openid_scope_adds_a_verifiable_id_token(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, authorize: Authorize
) -> None:
    done = await authorize(scope="openid api", nonce="n-1")
    body = (
        await http.post(
            "/services/oauth2/token",
            data=_exchange(sandbox_org, done.params["code"], done.verifier),
        )
    ).json()
    keys = KeySet.import_key_set((await http.get("/id/keys")).json())
    claims = jwt.decode(body["id_token"], keys).claims
    assert claims["aud"] == sandbox_org.client_id
    assert claims["sub"] == body["id"]
    assert claims["nonce"] == "n-1"
    assert list(body)[:5] == ["access_token", "signature", "scope", "id_token", "instance_url"]
