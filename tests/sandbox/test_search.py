"""`/search` (SOSL) and `/parameterizedSearch` over HTTP (reference §3.4-3.5)."""

from __future__ import annotations

import httpx2


async def _seed(http: httpx2.AsyncClient) -> list[str]:
    answer = await http.post(
        "/_sandbox/records/Lead",
        json={
            "records": [
                {
                    "FirstName": "Ada",
                    "LastName": "Lovelace",
                    "Company": "Engines",
                    "Email": "ada@engines.example",
                },
                {"FirstName": "Alan", "LastName": "Turing", "Company": "Bletchley"},
            ]
        },
    )
    return list(answer.json()["ids"])


async def test_sosl_search(http: httpx2.AsyncClient, api: httpx2.AsyncClient) -> None:
    ada, _ = await _seed(http)
    answer = await api.get("search/", params={"q": "FIND {Lovelace} RETURNING Lead(Name, Email)"})
    assert answer.status_code == 200
    assert answer.json() == {
        "searchRecords": [
            {
                "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{ada}"},
                "Name": "Ada Lovelace",
                "Email": "ada@engines.example",
            }
        ]
    }
    ids_only = (await api.get("search", params={"q": "FIND {Turing}"})).json()
    [record] = ids_only["searchRecords"]
    assert set(record) == {"attributes", "Id"}


async def test_sosl_errors(api: httpx2.AsyncClient) -> None:
    missing = await api.get("search")
    assert missing.status_code == 400
    assert missing.json()[0]["errorCode"] == "MALFORMED_SEARCH"
    braces = await api.get("search", params={"q": "FIND Lovelace"})
    assert braces.json() == [
        {
            "message": "No search term found. The search term must be enclosed in braces.",
            "errorCode": "MALFORMED_SEARCH",
        }
    ]


async def test_parameterized_search_get_and_post(
    http: httpx2.AsyncClient, api: httpx2.AsyncClient
) -> None:
    _, alan = await _seed(http)
    got = await api.get(
        "parameterizedSearch/",
        params={"q": "Turing", "sobject": "Lead", "Lead.fields": "Name,Company"},
    )
    assert got.json() == {
        "searchRecords": [
            {
                "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{alan}"},
                "Name": "Alan Turing",
                "Company": "Bletchley",
            }
        ]
    }
    posted = await api.post(
        "parameterizedSearch",
        json={"q": "Turing", "fields": ["Id", "LastName"], "sobjects": [{"name": "Lead"}]},
    )
    assert posted.json()["searchRecords"][0]["LastName"] == "Turing"
    assert posted.json()["searchRecords"][0]["Id"] == alan
    no_q = await api.get("parameterizedSearch", params={"sobject": "Lead"})
    assert no_q.status_code == 400
    assert no_q.json()[0]["errorCode"] == "MALFORMED_SEARCH"
