"""A real third-party client, simple-salesforce, against the sandbox org.

simple-salesforce hard-codes https URLs built from the instance's host and port. The sandbox
serves plain http, so the test mounts a requests transport adapter on the client's session that
sends every `https://127.0.0.1:PORT/...` request to `http://127.0.0.1:PORT/...` unchanged
otherwise. The client runs in a worker thread (it is synchronous) while the sandbox serves on
the test's event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from sandbox.server import RunningSandbox
from tests.sandbox.conftest import TLS


class HttpsToHttp(HTTPAdapter):
    """Sends https requests over plain http to the same host and port."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        assert request.url is not None
        request.url = "http://" + request.url.removeprefix("https://")
        return super().send(request, *args, **kwargs)


def _client(sb: RunningSandbox, access_token: str) -> Salesforce:
    session = requests.Session()
    session.mount(f"https://{urlsplit(sb.url).netloc}", HttpsToHttp())
    return Salesforce(instance_url=sb.url, session_id=access_token, session=session)


async def _in_thread(call: Callable[[], Any]) -> Any:
    return await asyncio.to_thread(call)


async def test_simple_salesforce_round_trip(
    sandbox_org: RunningSandbox, token: Callable[..., Any]
) -> None:
    issued = await token()
    sf = _client(sandbox_org, issued["access_token"])
    assert sf.sf_version == "59.0"

    created = await _in_thread(
        lambda: sf.Lead.create({"LastName": "Hopper", "Company": "Navy", "Email": "g@navy.example"})
    )
    assert created["success"] is True and created["id"].startswith("00Q")
    lead_id = created["id"]

    record = await _in_thread(lambda: sf.Lead.get(lead_id))
    assert record["LastName"] == "Hopper" and record["Status"] == "Open - Not Contacted"

    status = await _in_thread(lambda: sf.Lead.update(lead_id, {"Status": "Working - Contacted"}))
    assert status == 204
    record = await _in_thread(lambda: sf.Lead.get(lead_id))
    assert record["Status"] == "Working - Contacted"

    found = await _in_thread(lambda: sf.search("FIND {Hopper} RETURNING Lead(Id, Name)"))
    assert found["searchRecords"][0]["Id"] == lead_id

    result = await _in_thread(lambda: sf.query(f"SELECT Id, Name FROM Lead WHERE Id = '{lead_id}'"))
    assert result["totalSize"] == 1 and result["records"][0]["Name"] == "Hopper"

    assert await _in_thread(lambda: sf.Lead.delete(lead_id)) == 204
    with pytest.raises(SalesforceResourceNotFound) as deleted:
        await _in_thread(lambda: sf.Lead.delete(lead_id))
    assert deleted.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"

    with pytest.raises(SalesforceMalformedRequest) as missing:
        await _in_thread(lambda: sf.Lead.create({"FirstName": "x"}))
    assert missing.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


async def test_simple_salesforce_query_more_paging(
    sandbox_org: RunningSandbox, token: Callable[..., Any]
) -> None:
    records = [{"LastName": f"P{n:04d}", "Company": "Paged"} for n in range(2300)]
    async with httpx2.AsyncClient(verify=TLS) as http:
        seeded = await http.post(
            f"{sandbox_org.controls_url}/records/Lead", json={"records": records}
        )
        assert seeded.status_code == 201
    issued = await token()
    sf = _client(sandbox_org, issued["access_token"])
    first = await _in_thread(lambda: sf.query("SELECT Id, LastName FROM Lead ORDER BY LastName"))
    assert first["totalSize"] == 2300 and first["done"] is False and len(first["records"]) == 2000
    second = await _in_thread(lambda: sf.query_more(first["nextRecordsUrl"], True))
    assert second["done"] is True and len(second["records"]) == 300
    everything = await _in_thread(lambda: sf.query_all("SELECT Id FROM Lead"))
    assert everything["totalSize"] == 2300 and len(everything["records"]) == 2300
    names = [r["LastName"] for r in first["records"] + second["records"]]
    assert names == sorted(names) and len(set(names)) == 2300


async def test_simple_salesforce_sees_expired_sessions(
    sandbox_org: RunningSandbox, token: Callable[..., Any]
) -> None:
    issued = await token()
    sf = _client(sandbox_org, issued["access_token"])
    async with httpx2.AsyncClient(verify=TLS) as http:
        await http.post(f"{sandbox_org.controls_url}/tokens/expire", json={})
    with pytest.raises(SalesforceExpiredSession):
        await _in_thread(lambda: sf.query("SELECT Id FROM Lead"))
