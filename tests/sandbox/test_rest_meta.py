"""Versions, resources, describe and limits (reference §2.1-2.4)."""

from __future__ import annotations

import httpx2

from sandbox.server import RunningSandbox


async def test_versions_list_is_public_and_uncounted(http: httpx2.AsyncClient) -> None:
    answer = await http.get("/services/data/")
    assert answer.status_code == 200
    assert "sforce-limit-info" not in answer.headers
    versions = answer.json()
    assert versions[0] == {"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"}
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    assert [v["version"] for v in versions] == sorted((v["version"] for v in versions), key=float)


async def test_resources_by_version(sandbox_org: RunningSandbox, api: httpx2.AsyncClient) -> None:
    body = (await api.get("")).json()
    assert body["sobjects"] == "/services/data/v59.0/sobjects"
    assert body["query"] == "/services/data/v59.0/query"
    assert body["parameterizedSearch"] == "/services/data/v59.0/parameterizedSearch"
    assert body["identity"].startswith(f"{sandbox_org.url}/id/00D")


async def test_common_headers(api: httpx2.AsyncClient) -> None:
    answer = await api.get("sobjects/Lead/describe")
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-cache,must-revalidate,max-age=0,no-store,private"
    assert answer.headers["sforce-limit-info"].startswith("api-usage=")
    assert "BrowserId=" in answer.headers["set-cookie"]


async def test_describe_lead_status_picklist(api: httpx2.AsyncClient) -> None:
    body = (await api.get("sobjects/Lead/describe/")).json()
    assert body["name"] == "Lead" and body["keyPrefix"] == "00Q"
    fields = {f["name"]: f for f in body["fields"]}
    status = fields["Status"]
    assert [v["value"] for v in status["picklistValues"]] == [
        "Open - Not Contacted",
        "Working - Contacted",
        "Closed - Converted",
        "Closed - Not Converted",
    ]
    assert [v["value"] for v in status["picklistValues"] if v["defaultValue"]] == [
        "Open - Not Contacted"
    ]
    assert status["defaultedOnCreate"] is True
    required = [
        f["name"]
        for f in body["fields"]
        if f["createable"] and not f["nillable"] and not f["defaultedOnCreate"]
    ]
    assert required == ["LastName", "Company"]
    assert fields["Email"]["type"] == "email" and fields["Email"]["soapType"] == "xsd:string"
    assert fields["OwnerId"]["referenceTo"] == ["User"]


async def test_describe_opportunity_stages(api: httpx2.AsyncClient) -> None:
    body = (await api.get("sobjects/opportunity/describe")).json()
    stage = next(f for f in body["fields"] if f["name"] == "StageName")
    assert [v["value"] for v in stage["picklistValues"]][:3] == [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
    ]
    assert "Closed Won" in [v["value"] for v in stage["picklistValues"]]
    assert body["keyPrefix"] == "006"


async def test_describe_global_and_basic_info(api: httpx2.AsyncClient) -> None:
    described = (await api.get("sobjects")).json()
    assert described["encoding"] == "UTF-8" and described["maxBatchSize"] == 200
    names = {o["name"] for o in described["sobjects"]}
    assert {"Lead", "Opportunity", "Organization"} <= names
    await api.post("sobjects/Lead", json={"LastName": "Recent", "Company": "Co"})
    info = (await api.get("sobjects/Lead")).json()
    assert info["objectDescribe"]["name"] == "Lead"
    assert info["recentItems"][0]["Name"] == "Recent"
    assert info["recentItems"][0]["attributes"]["type"] == "Lead"


async def test_if_modified_since_on_describe(api: httpx2.AsyncClient) -> None:
    fresh = await api.get(
        "sobjects/Lead/describe", headers={"If-Modified-Since": "Wed, 01 Jan 2031 00:00:00 GMT"}
    )
    assert fresh.status_code == 304
    stale = await api.get(
        "sobjects/Lead/describe", headers={"If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT"}
    )
    assert stale.status_code == 200


async def test_limits(api: httpx2.AsyncClient) -> None:
    body = (await api.get("limits")).json()
    assert body["DailyApiRequests"]["Max"] == 15000
    assert body["DailyApiRequests"]["Remaining"] < 15000


async def test_unknown_and_retired_versions(
    sandbox_org: RunningSandbox, api: httpx2.AsyncClient
) -> None:
    bad = await api.get(f"{sandbox_org.url}/services/data/viAmABadVersion/sobjects")
    assert bad.status_code == 404
    assert bad.json() == [
        {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
    ]
    retired = await api.get(f"{sandbox_org.url}/services/data/v20.0/sobjects")
    assert retired.status_code == 410
    assert retired.json()[0]["errorCode"] == "GONE"
    future = await api.get(f"{sandbox_org.url}/services/data/v99.0/")
    assert future.status_code == 404


async def test_unknown_resource_and_method(api: httpx2.AsyncClient) -> None:
    missing = await api.get("nothing/here")
    assert missing.status_code == 404
    assert missing.json()[0]["errorCode"] == "NOT_FOUND"
    put = await api.put("sobjects/Lead/00QgS0000000001UAA", json={})
    assert put.status_code == 405
    assert put.json() == [
        {
            "errorCode": "METHOD_NOT_ALLOWED",
            "message": "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,PATCH,DELETE",
        }
    ]
