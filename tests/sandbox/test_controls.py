"""The test controls under /_sandbox: off by default, faults, the request log, reset."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.server import RunningSandbox, run_sandbox
from tests.sandbox.conftest import TLS

Token = Callable[..., Awaitable[dict[str, Any]]]


async def test_controls_are_unreachable_unless_enabled(tmp_path: Path) -> None:
    async with (
        run_sandbox(port=0, db=tmp_path / "o.db") as sb,
        httpx.AsyncClient(base_url=sb.url, verify=TLS) as http,
    ):
        assert sb.controls_url is None
        for path in ("/_sandbox", "/_sandbox/reset", "/_sandbox/faults"):
            assert (await http.get(path)).status_code == 404
            assert (await http.post(path, json={})).status_code in (404, 405)


async def test_state_and_settings(sandbox_org: RunningSandbox, http: httpx.AsyncClient) -> None:
    state = (await http.get("/_sandbox")).json()
    assert state["edition"] == "developer" and state["client_id"] == sandbox_org.client_id
    changed = await http.put("/_sandbox/settings", json={"api_limit": 10, "edition": "trial"})
    assert changed.json()["api_limit"] == 10 and changed.json()["edition"] == "trial"
    bad = await http.put("/_sandbox/settings", json={"edition": "ultimate"})
    assert bad.status_code == 400
    assert "unknown edition 'ultimate'" in bad.json()["error"]
    typo = await http.put("/_sandbox/settings", json={"colour": 1})
    assert typo.json() == {"error": "unknown setting: colour"}
    not_json = await http.put("/_sandbox/settings", content=b"{nope")
    assert not_json.status_code == 400


async def test_fault_with_status_and_body_fires_count_times(
    http: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    made = await http.post(
        "/_sandbox/faults",
        json={"method": "GET", "path": "/services/data/*/limits", "count": 2, "status": 503},
    )
    assert made.status_code == 200
    for _ in range(2):
        answer = await api.get("limits")
        assert answer.status_code == 503
        assert answer.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
        assert answer.headers["sforce-limit-info"].startswith("api-usage=")
    assert (await api.get("limits")).status_code == 200
    custom = await http.post(
        "/_sandbox/faults",
        json={"path": "/services/data/*/query", "status": 500, "body": [{"x": 1}]},
    )
    assert custom.status_code == 200
    assert (await api.get("query", params={"q": "SELECT Id FROM Lead"})).json() == [{"x": 1}]


async def test_fault_only_matches_its_method(
    http: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await http.post(
        "/_sandbox/faults", json={"method": "POST", "path": "*/sobjects/Lead", "status": 500}
    )
    assert (await api.get("sobjects/Lead")).status_code == 200
    refused = await api.post("sobjects/Lead", json={"LastName": "x", "Company": "y"})
    assert refused.status_code == 500
    assert (await http.get("/_sandbox/faults")).json() == {"faults": []}


async def test_fault_drops_the_connection(http: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    await http.post("/_sandbox/faults", json={"path": "/services/data/v59.0/limits", "drop": True})
    with pytest.raises(httpx.RemoteProtocolError):
        await api.get("limits")
    assert (await api.get("limits")).status_code == 200
    log = (await http.get("/_sandbox/requests")).json()["requests"]
    dropped = [e for e in log if e.get("dropped")]
    assert dropped == [
        {"method": "GET", "path": "/services/data/v59.0/limits", "status": None, "dropped": True}
    ]


async def test_fault_delay_holds_the_answer(
    http: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await http.post("/_sandbox/faults", json={"path": "*/limits", "delay": 0.5})
    held = asyncio.create_task(api.get("limits"))
    other = await http.get("/services/data/")
    assert other.status_code == 200
    assert not held.done()
    assert (await held).status_code == 200


async def test_bad_fault_requests(http: httpx.AsyncClient) -> None:
    assert (await http.post("/_sandbox/faults", json={"status": 500})).status_code == 400
    assert (await http.post("/_sandbox/faults", json={"path": "/x"})).status_code == 400
    wrong = await http.post("/_sandbox/faults", json={"path": "/x", "status": "500"})
    assert wrong.json() == {"error": "status: expected int, got str"}


async def test_request_log_never_holds_secrets(
    sandbox_org: RunningSandbox, http: httpx.AsyncClient, token: Token
) -> None:
    issued = await token()
    await http.get(
        "/services/data/v59.0/", headers={"Authorization": f"Bearer {issued['access_token']}"}
    )
    log = (await http.get("/_sandbox/requests")).json()["requests"]
    token_calls = [e for e in log if e["path"] == "/services/oauth2/token"]
    assert token_calls == [
        {
            "method": "POST",
            "path": "/services/oauth2/token",
            "status": 200,
            "grant_type": "authorization_code",
        }
    ]
    assert {"method": "GET", "path": "/services/data/v59.0/", "status": 200} in log
    text = json.dumps(log)
    for secret in (
        sandbox_org.client_secret,
        sandbox_org.password,
        issued["access_token"],
        issued["refresh_token"],
        "code=",
    ):
        assert secret not in text
    await http.delete("/_sandbox/requests")
    assert (await http.get("/_sandbox/requests")).json() == {"requests": []}


async def test_reset_forgets_records_and_tokens(
    sandbox_org: RunningSandbox, http: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await api.post("sobjects/Lead", json={"LastName": "x", "Company": "y"})
    await http.put("/_sandbox/settings", json={"edition": "professional"})
    state = (await http.post("/_sandbox/reset")).json()
    assert state["edition"] == "developer" and state["api_usage"] == 0
    assert state["client_id"] == sandbox_org.client_id
    assert (await api.get("limits")).status_code == 401


async def test_users_and_login_hint(sandbox_org: RunningSandbox, http: httpx.AsyncClient) -> None:
    made = await http.post(
        "/_sandbox/users", json={"username": "ann@example.com", "password": "pw-123456"}
    )
    assert made.status_code == 201 and made.json()["id"].startswith("005")
    taken = await http.post(
        "/_sandbox/users", json={"username": "ann@example.com", "password": "x"}
    )
    assert taken.status_code == 400
    form = {
        "grant_type": "password",
        "client_id": sandbox_org.client_id,
        "client_secret": sandbox_org.client_secret,
        "username": "ann@example.com",
        "password": "pw-123456",
    }
    issued = (await http.post("/services/oauth2/token", data=form)).json()
    assert issued["id"].endswith("/" + made.json()["id"])


async def test_seeding_validates_like_rest(http: httpx.AsyncClient) -> None:
    bad = await http.post("/_sandbox/records/Lead", json={"records": [{"LastName": "x"}]})
    assert bad.status_code == 400
    assert "REQUIRED_FIELD_MISSING" in bad.json()["error"]
    unknown = await http.post("/_sandbox/records/Widget", json={"records": [{}]})
    assert unknown.status_code == 400


async def test_concurrent_faults_are_consumed_once(
    http: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await http.post("/_sandbox/faults", json={"path": "*/limits", "status": 503, "count": 3})
    answers = await asyncio.gather(*(api.get("limits") for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 503, 503, 503]
