"""The test controls under /_sandbox: off by default, faults, the request log, reset."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from aiohttp.test_utils import TestServer

from sandbox.app import create_app
from sandbox.config import DEMO_PASSWORD, DEMO_USERNAME, SandboxConfig
from sandbox.keys import ORG
from sandbox.server import RunningSandbox, run_sandbox
from tests.sandbox.conftest import TLS

Token = Callable[..., Awaitable[dict[str, Any]]]

LEADS = "/services/data/v59.0/sobjects/Lead"
# A client that gives up after GIVE_UP seconds on an answer held for HOLD: the margins are wide
# so that a slow machine neither times out before the handler ran nor answers in time.
GIVE_UP = 0.5
HOLD = 1.5


async def _log_entry(http: httpx2.AsyncClient, method: str, path: str) -> dict[str, Any]:
    """The last log entry for `method path`, waiting (5 s at most) for it to be written."""
    for _ in range(100):
        log = (await http.get("/_sandbox/requests")).json()["requests"]
        found = [e for e in log if e["method"] == method and e["path"] == path]
        if found:
            return dict(found[-1])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no log entry for {method} {path}")


async def _leads_named(api: httpx2.AsyncClient, last_name: str) -> list[dict[str, Any]]:
    soql = f"SELECT Id, Company FROM Lead WHERE LastName = '{last_name}'"
    answer = await api.get("query", params={"q": soql})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["records"])


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]


async def test_controls_are_unreachable_unless_enabled(tmp_path: Path) -> None:
    async with (
        run_sandbox(port=0, db=tmp_path / "o.db") as sb,
        httpx2.AsyncClient(base_url=sb.url, verify=TLS) as http,
    ):
        assert sb.controls_url is None
        for path in ("/_sandbox", "/_sandbox/reset", "/_sandbox/faults"):
            assert (await http.get(path)).status_code == 404
            assert (await http.post(path, json={})).status_code in (404, 405)


async def test_state_and_settings(sandbox_org: RunningSandbox, http: httpx2.AsyncClient) -> None:
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
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
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
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    await http.post(
        "/_sandbox/faults", json={"method": "POST", "path": "*/sobjects/Lead", "status": 500}
    )
    assert (await api.get("sobjects/Lead")).status_code == 200
    refused = await api.post("sobjects/Lead", json={"LastName": "x", "Company": "y"})
    assert refused.status_code == 500
    assert (await http.get("/_sandbox/faults")).json() == {"faults": []}


async def test_fault_drops_the_connection(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    await http.post("/_sandbox/faults", json={"path": "/services/data/v59.0/limits", "drop": True})
    with pytest.raises(httpx2.RemoteProtocolError):
        await api.get("limits")
    assert (await api.get("limits")).status_code == 200
    log = (await http.get("/_sandbox/requests")).json()["requests"]
    dropped = [e for e in log if e.get("dropped")]
    assert dropped == [
        {"method": "GET", "path": "/services/data/v59.0/limits", "status": None, "dropped": True}
    ]


async def test_fault_delay_holds_the_answer(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    await http.post("/_sandbox/faults", json={"path": "*/limits", "delay": 0.5})
    held = asyncio.create_task(api.get("limits"))
    other = await http.get("/services/data/")
    assert other.status_code == 200
    assert not held.done()
    assert (await held).status_code == 200


async def test_bad_fault_requests(http: httpx2.AsyncClient) -> None:
    assert (await http.post("/_sandbox/faults", json={"status": 500})).status_code == 400
    assert (await http.post("/_sandbox/faults", json={"path": "/x"})).status_code == 400
    wrong = await http.post("/_sandbox/faults", json={"path": "/x", "status": "500"})
    assert wrong.json() == {"error": "status: expected int, got str"}
    backwards = await http.post("/_sandbox/faults", json={"path": "/x", "delay": -1})
    assert backwards.json() == {"error": "delay: must not be negative"}


async def test_bad_after_commit_faults(http: httpx2.AsyncClient) -> None:
    alone = await http.post("/_sandbox/faults", json={"path": "/x", "after_commit": True})
    assert alone.status_code == 400
    assert alone.json() == {"error": "after_commit: needs a status, a delay or drop to apply"}
    inert = await http.post(
        "/_sandbox/faults", json={"path": "/x", "after_commit": True, "body": {"a": 1}}
    )
    assert inert.status_code == 400
    wrong = await http.post("/_sandbox/faults", json={"path": "/x", "after_commit": "yes"})
    assert wrong.json() == {"error": "after_commit: expected bool, got str"}
    assert (await http.get("/_sandbox/faults")).json() == {"faults": []}
    made = await http.post(
        "/_sandbox/faults", json={"path": "/x", "after_commit": True, "status": 500}
    )
    assert made.status_code == 200
    [fault] = made.json()["faults"]
    assert fault["after_commit"] is True and fault["status"] == 500


async def test_after_commit_delay_outlives_the_client(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The POST happened but its answer never arrived: the Lead exists after the timeout."""
    await http.post(
        "/_sandbox/faults",
        json={"method": "POST", "path": "*/sobjects/Lead", "after_commit": True, "delay": HOLD},
    )
    with pytest.raises(httpx2.ReadTimeout):
        await api.post(
            "sobjects/Lead", json={"LastName": "Late", "Company": "Acme"}, timeout=GIVE_UP
        )
    # Stored before the answer was held: there already, while the sandbox still holds it.
    [lead] = await _leads_named(api, "Late")
    assert lead["Company"] == "Acme"
    assert await _log_entry(http, "POST", LEADS) == {
        "method": "POST",
        "path": LEADS,
        "status": None,
        "after_commit": True,
        "committed_status": 201,
        "client_gone": True,
    }
    assert _warnings(caplog) == []


async def test_after_commit_delay_still_answers_a_patient_client(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    await http.post(
        "/_sandbox/faults", json={"path": "*/sobjects/Lead", "after_commit": True, "delay": 0.2}
    )
    made = await api.post("sobjects/Lead", json={"LastName": "Patient", "Company": "Acme"})
    assert made.status_code == 201 and made.json()["success"] is True
    assert await _leads_named(api, "Patient") == [
        {
            "attributes": {"type": "Lead", "url": f"{LEADS}/{made.json()['id']}"},
            "Id": made.json()["id"],
            "Company": "Acme",
        }
    ]
    assert await _log_entry(http, "POST", LEADS) == {
        "method": "POST",
        "path": LEADS,
        "status": 201,
        "after_commit": True,
        "committed_status": 201,
    }


async def test_after_commit_drop_loses_the_answer_not_the_update(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    lead_id = (await api.post("sobjects/Lead", json={"LastName": "Drop", "Company": "Old"})).json()[
        "id"
    ]
    await http.post(
        "/_sandbox/faults",
        json={"method": "PATCH", "path": "*/sobjects/Lead/*", "after_commit": True, "drop": True},
    )
    with pytest.raises(httpx2.RemoteProtocolError):
        await api.patch(f"sobjects/Lead/{lead_id}", json={"Company": "New"})
    got = await api.get(f"sobjects/Lead/{lead_id}")
    assert got.status_code == 200 and got.json()["Company"] == "New"
    assert await _log_entry(http, "PATCH", f"{LEADS}/{lead_id}") == {
        "method": "PATCH",
        "path": f"{LEADS}/{lead_id}",
        "status": None,
        "dropped": True,
        "after_commit": True,
        "committed_status": 204,
    }
    assert _warnings(caplog) == []


async def test_after_commit_status_answers_500_for_a_stored_record(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    await http.post(
        "/_sandbox/faults",
        json={"method": "POST", "path": "*/sobjects/Lead", "after_commit": True, "status": 500},
    )
    refused = await api.post("sobjects/Lead", json={"LastName": "Stored", "Company": "Acme"})
    assert refused.status_code == 500
    assert refused.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    assert len(await _leads_named(api, "Stored")) == 1
    assert await _log_entry(http, "POST", LEADS) == {
        "method": "POST",
        "path": LEADS,
        "status": 500,
        "after_commit": True,
        "committed_status": 201,
    }


async def test_after_commit_passes_a_refusal_on(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    """A handler that refuses commits nothing: the fault holds its error answer like any."""
    await http.post(
        "/_sandbox/faults", json={"path": "*/sobjects/Lead", "after_commit": True, "delay": 0.1}
    )
    refused = await api.post("sobjects/Lead", json={"LastName": "No company"})
    assert refused.status_code == 400
    assert refused.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert await _log_entry(http, "POST", LEADS) == {
        "method": "POST",
        "path": LEADS,
        "status": 400,
        "after_commit": True,
        "committed_status": 400,
    }


async def test_delay_before_the_handler_never_takes_effect(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Without after_commit, a client that gives up during the delay leaves nothing behind:
    no Lead created, none deleted, and no error in the sandbox."""
    kept = (await api.post("sobjects/Lead", json={"LastName": "Kept", "Company": "Acme"})).json()
    await http.delete("/_sandbox/requests")
    for method in ("POST", "DELETE"):
        await http.post(
            "/_sandbox/faults", json={"method": method, "path": f"{LEADS}*", "delay": HOLD}
        )
    gave_up = await asyncio.gather(
        api.post("sobjects/Lead", json={"LastName": "Never", "Company": "Acme"}, timeout=GIVE_UP),
        api.delete(f"sobjects/Lead/{kept['id']}", timeout=GIVE_UP),
        return_exceptions=True,
    )
    assert [type(e) for e in gave_up] == [httpx2.ReadTimeout, httpx2.ReadTimeout]
    gone = {"status": None, "client_gone": True}
    assert await _log_entry(http, "POST", LEADS) == {"method": "POST", "path": LEADS, **gone}
    deleted = f"{LEADS}/{kept['id']}"
    assert await _log_entry(http, "DELETE", deleted) == {
        "method": "DELETE",
        "path": deleted,
        **gone,
    }
    assert await _leads_named(api, "Never") == []
    assert (await api.get(f"sobjects/Lead/{kept['id']}")).status_code == 200
    assert _warnings(caplog) == []


async def test_after_commit_delay_cancelled_with_the_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """aiohttp's TestServer cancels the handler of a client that leaves (handler_cancellation):
    the cancelled delay comes after the commit, so the Lead is stored and the request logged."""
    app = create_app(SandboxConfig(controls=True))
    async with (
        TestServer(app, host="127.0.0.1") as server,
        httpx2.AsyncClient(base_url=str(server.make_url("")), verify=TLS) as http,
    ):
        demo = app[ORG].demo_app
        form = {
            "grant_type": "password",
            "client_id": demo.client_id,
            "client_secret": demo.client_secret,
            "username": DEMO_USERNAME,
            "password": DEMO_PASSWORD,
        }
        issued = (await http.post("/services/oauth2/token", data=form)).json()
        api = httpx2.AsyncClient(
            base_url=str(server.make_url("/services/data/v59.0/")),
            headers={"Authorization": f"Bearer {issued['access_token']}"},
            verify=TLS,
        )
        async with api:
            await http.post(
                "/_sandbox/faults",
                json={"path": "*/sobjects/Lead", "after_commit": True, "delay": HOLD},
            )
            with pytest.raises(httpx2.ReadTimeout):
                await api.post(
                    "sobjects/Lead", json={"LastName": "Cut", "Company": "Acme"}, timeout=GIVE_UP
                )
            assert await _log_entry(http, "POST", LEADS) == {
                "method": "POST",
                "path": LEADS,
                "status": None,
                "after_commit": True,
                "committed_status": 201,
                "client_gone": True,
            }
            assert len(await _leads_named(api, "Cut")) == 1
    assert _warnings(caplog) == []


async def test_request_log_never_holds_secrets(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, token: Token
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
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    await api.post("sobjects/Lead", json={"LastName": "x", "Company": "y"})
    await http.put("/_sandbox/settings", json={"edition": "professional"})
    state = (await http.post("/_sandbox/reset")).json()
    assert state["edition"] == "developer" and state["api_usage"] == 0
    assert state["client_id"] == sandbox_org.client_id
    assert (await api.get("limits")).status_code == 401


async def test_users_and_login_hint(sandbox_org: RunningSandbox, http: httpx2.AsyncClient) -> None:
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


async def test_seeding_validates_like_rest(http: httpx2.AsyncClient) -> None:
    bad = await http.post("/_sandbox/records/Lead", json={"records": [{"LastName": "x"}]})
    assert bad.status_code == 400
    assert "REQUIRED_FIELD_MISSING" in bad.json()["error"]
    unknown = await http.post("/_sandbox/records/Widget", json={"records": [{}]})
    assert unknown.status_code == 400


async def test_concurrent_faults_are_consumed_once(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    await http.post("/_sandbox/faults", json={"path": "*/limits", "status": 503, "count": 3})
    answers = await asyncio.gather(*(api.get("limits") for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 503, 503, 503]
