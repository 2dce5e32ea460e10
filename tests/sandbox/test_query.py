"""`/query`, `/queryAll` and paging over HTTP (reference §3.1-3.2, §6)."""

from __future__ import annotations

import httpx2

from sandbox.server import RunningSandbox


async def _seed(http: httpx2.AsyncClient, count: int) -> list[str]:
    records = [{"LastName": f"Lead{n:04d}", "Company": "Acme"} for n in range(count)]
    answer = await http.post("/_sandbox/records/Lead", json={"records": records})
    assert answer.status_code == 201
    return list(answer.json()["ids"])


async def test_query_shape(http: httpx2.AsyncClient, api: httpx2.AsyncClient) -> None:
    [lead_id] = await _seed(http, 1)
    answer = await api.get("query", params={"q": "SELECT Name, Status FROM Lead"})
    assert answer.status_code == 200
    assert answer.text == (
        '{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Lead","url":'
        f'"/services/data/v59.0/sobjects/Lead/{lead_id}"}},"Name":"Lead0000",'
        '"Status":"Open - Not Contacted"}]}'
    )


async def test_paging_with_batch_size(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    ids = await _seed(http, 450)
    headers = {"Sforce-Query-Options": "batchSize=200"}
    first = (
        await api.get(
            "query/", params={"q": "SELECT Id FROM Lead ORDER BY LastName"}, headers=headers
        )
    ).json()
    assert list(first) == ["totalSize", "done", "nextRecordsUrl", "records"]
    assert (first["totalSize"], first["done"], len(first["records"])) == (450, False, 200)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-200")
    seen = [r["Id"] for r in first["records"]]
    page = first
    while not page["done"]:
        page = (await api.get(sandbox_org.url + page["nextRecordsUrl"])).json()
        assert page["totalSize"] == 450
        seen += [r["Id"] for r in page["records"]]
    assert "nextRecordsUrl" not in page
    assert seen == ids


async def test_batch_size_is_clamped(http: httpx2.AsyncClient, api: httpx2.AsyncClient) -> None:
    await _seed(http, 250)
    small = (
        await api.get(
            "query",
            params={"q": "SELECT Id FROM Lead"},
            headers={"Sforce-Query-Options": "batchSize=5"},
        )
    ).json()
    assert len(small["records"]) == 200
    default = (await api.get("query", params={"q": "SELECT Id FROM Lead"})).json()
    assert default["done"] is True and len(default["records"]) == 250


async def test_invalid_locator(api: httpx2.AsyncClient) -> None:
    answer = await api.get("query/01gD0000002HU6KIAW-2000")
    assert answer.status_code == 400
    assert answer.json() == [
        {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}
    ]


async def test_count_and_query_all(http: httpx2.AsyncClient, api: httpx2.AsyncClient) -> None:
    ids = await _seed(http, 3)
    await api.delete(f"sobjects/Lead/{ids[0]}")
    count = (await api.get("query", params={"q": "SELECT COUNT() FROM Lead"})).json()
    assert count == {"totalSize": 2, "done": True, "records": []}
    everything = (await api.get("queryAll", params={"q": "SELECT Id, IsDeleted FROM Lead"})).json()
    assert everything["totalSize"] == 3
    assert [r["IsDeleted"] for r in everything["records"]] == [True, False, False]


async def test_query_errors(api: httpx2.AsyncClient) -> None:
    missing = await api.get("query")
    assert missing.json() == [
        {"message": "A query string has to be specified", "errorCode": "MALFORMED_QUERY"}
    ]
    empty = await api.get("query", params={"q": " "})
    assert empty.json() == [
        {"message": "SOQL statements cannot be empty or null", "errorCode": "MALFORMED_QUERY"}
    ]
    typo = await api.get("query", params={"q": "SELEKT Id FROM Lead"})
    assert typo.status_code == 400
    assert typo.json() == [{"message": "unexpected token: SELEKT", "errorCode": "MALFORMED_QUERY"}]
    field = await api.get("query", params={"q": "SELECT Bacon__c FROM Lead LIMIT 2"})
    assert field.status_code == 400
    assert field.json()[0]["errorCode"] == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:8" in field.json()[0]["message"]
    assert "sforce-limit-info" in field.headers


async def test_organization_reports_the_edition(
    sandbox_org: RunningSandbox, http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    soql = "SELECT Id, Name, OrganizationType, IsSandbox, TrialExpirationDate FROM Organization"
    developer = (await api.get("query", params={"q": soql})).json()["records"][0]
    assert developer["Id"] == sandbox_org.org.org_id
    assert developer["OrganizationType"] == "Developer Edition"
    assert developer["TrialExpirationDate"] is None and developer["IsSandbox"] is False
    await http.put("/_sandbox/edition", json={"edition": "trial"})
    trial = (await api.get("query", params={"q": soql})).json()["records"][0]
    assert trial["OrganizationType"] == "Enterprise Edition"
    assert trial["TrialExpirationDate"].endswith("+0000")
    await http.put("/_sandbox/edition", json={"edition": "enterprise"})
    enterprise = (await api.get("query", params={"q": soql})).json()["records"][0]
    assert enterprise["OrganizationType"] == "Enterprise Edition"
    assert enterprise["TrialExpirationDate"] is None
