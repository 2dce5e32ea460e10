"""sObject rows: create, get, update, delete and their exact errors (reference §2.5-2.11, §5)."""

from __future__ import annotations

import gzip
import json
import re

import httpx2

from sandbox.ids import normalize, to18

OPPORTUNITY_ID = to18("006gS0000000001")

NEW_LEAD = {
    "FirstName": "Jane",
    "LastName": "Smith",
    "Company": "Tech Innovations Inc",
    "Email": "jane.smith@example.com",
    "LeadSource": "Web",
}


async def _create(api: httpx2.AsyncClient, sobject: str, body: dict[str, object]) -> str:
    answer = await api.post(f"sobjects/{sobject}/", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_create_answers_201_with_location(api: httpx2.AsyncClient) -> None:
    answer = await api.post("sobjects/Lead", json=NEW_LEAD)
    assert answer.status_code == 201
    body = answer.json()
    assert list(body) == ["id", "success", "errors"]
    assert body["success"] is True and body["errors"] == []
    lead_id = body["id"]
    assert re.fullmatch(r"00Q[0-9A-Za-z]{15}", lead_id) and normalize(lead_id) == lead_id
    assert answer.headers["location"] == f"/services/data/v59.0/sobjects/Lead/{lead_id}"
    assert answer.text == f'{{"id":"{lead_id}","success":true,"errors":[]}}'


async def test_get_returns_all_fields_with_system_fields_and_defaults(
    api: httpx2.AsyncClient,
) -> None:
    lead_id = await _create(api, "Lead", NEW_LEAD)
    record = (await api.get(f"sobjects/Lead/{lead_id}")).json()
    assert list(record)[:3] == ["attributes", "Id", "IsDeleted"]
    assert record["attributes"] == {
        "type": "Lead",
        "url": f"/services/data/v59.0/sobjects/Lead/{lead_id}",
    }
    assert record["Status"] == "Open - Not Contacted"
    assert record["Name"] == "Jane Smith"
    assert record["IsDeleted"] is False and record["IsConverted"] is False
    assert record["Phone"] is None
    assert record["OwnerId"].startswith("005") and record["CreatedById"] == record["OwnerId"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", record["CreatedDate"])
    assert record["PhotoUrl"] == f"/services/images/photo/{lead_id}"


async def test_get_with_fields_and_15_character_id(api: httpx2.AsyncClient) -> None:
    lead_id = await _create(api, "Lead", NEW_LEAD)
    answer = await api.get(f"sobjects/Lead/{lead_id[:15]}", params={"fields": "email,Company"})
    assert answer.status_code == 200
    assert answer.json() == {
        "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{lead_id}"},
        "Email": "jane.smith@example.com",
        "Company": "Tech Innovations Inc",
    }
    bad = await api.get(f"sobjects/Lead/{lead_id}", params={"fields": "Bacon__c"})
    assert bad.status_code == 400
    assert bad.json()[0]["errorCode"] == "INVALID_FIELD"
    assert bad.json()[0]["message"].startswith("No such column 'Bacon__c' on entity 'Lead'.")


async def test_required_fields_missing(api: httpx2.AsyncClient) -> None:
    both = await api.post("sobjects/Lead", json={"FirstName": "X"})
    assert both.status_code == 400
    assert both.json() == [
        {
            "message": "Required fields are missing: [LastName, Company]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["LastName", "Company"],
        }
    ]
    one = await api.post("sobjects/Lead", json={"LastName": "X", "Company": ""})
    assert one.json()[0]["message"] == "Required fields are missing: [Company]"
    opportunity = await api.post("sobjects/Opportunity", json={})
    assert opportunity.json()[0]["fields"] == ["Name", "StageName", "CloseDate"]


async def test_unknown_field_has_no_fields_key(api: httpx2.AsyncClient) -> None:
    answer = await api.post("sobjects/Lead", json={**NEW_LEAD, "FavoritePet__c": "cat"})
    assert answer.status_code == 400
    assert answer.json() == [
        {
            "message": "No such column 'FavoritePet__c' on sobject of type Lead",
            "errorCode": "INVALID_FIELD",
        }
    ]


async def test_read_only_fields_are_refused(api: httpx2.AsyncClient) -> None:
    answer = await api.post("sobjects/Lead", json={**NEW_LEAD, "Name": "X", "IsDeleted": True})
    assert answer.status_code == 400
    body = answer.json()[0]
    assert body["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert body["fields"] == ["Name", "IsDeleted"]
    assert body["message"].startswith("Unable to create/update fields: Name, IsDeleted. Please")


async def test_restricted_picklist(api: httpx2.AsyncClient) -> None:
    answer = await api.post("sobjects/Lead", json={**NEW_LEAD, "Rating": "Terrible"})
    assert answer.status_code == 400
    assert answer.json() == [
        {
            "message": "Rating: bad value for restricted picklist field: Terrible",
            "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "fields": ["Rating"],
        }
    ]
    unrestricted = await api.post("sobjects/Lead", json={**NEW_LEAD, "LeadSource": "Carrier"})
    assert unrestricted.status_code == 201


async def test_value_errors(api: httpx2.AsyncClient) -> None:
    email = await api.post("sobjects/Lead", json={**NEW_LEAD, "Email": "not-an-email"})
    assert email.json() == [
        {
            "message": "Email: invalid email address: not-an-email",
            "errorCode": "INVALID_EMAIL_ADDRESS",
            "fields": ["Email"],
        }
    ]
    long = await api.post("sobjects/Lead", json={**NEW_LEAD, "LastName": "x" * 81})
    assert long.json()[0]["errorCode"] == "STRING_TOO_LONG"
    assert long.json()[0]["message"].endswith("(max length=80)")
    owner = await api.post("sobjects/Lead", json={**NEW_LEAD, "OwnerId": OPPORTUNITY_ID})
    assert owner.json()[0]["errorCode"] == "MALFORMED_ID"
    assert owner.json()[0]["fields"] == ["OwnerId"]


async def test_json_parser_errors(api: httpx2.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    broken = await api.post("sobjects/Lead", content=b'{"LastName" "x"}', headers=headers)
    assert broken.status_code == 400
    [error] = broken.json()
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert error["message"].startswith(
        "Unexpected character ('\"' (code 34)): was expecting a colon to separate field name and "
        "value at [line:1, column:"
    )
    empty = await api.post("sobjects/Lead", content=b"", headers=headers)
    assert empty.json() == [
        {
            "message": "The HTTP entity body is required, but this request has no entity body.",
            "errorCode": "JSON_PARSER_ERROR",
        }
    ]
    wrong_type = await api.post(
        "sobjects/Opportunity",
        json={"Name": "A", "StageName": "Prospecting", "CloseDate": "2013-08-12T15:20:00+0000"},
    )
    message = wrong_type.json()[0]["message"]
    assert message.startswith(
        "Cannot deserialize instance of date from VALUE_STRING value 2013-08-12T15:20:00+0000 "
        "or request may be missing a required field at [line:1, column:"
    )


async def test_update_is_204_without_body(api: httpx2.AsyncClient) -> None:
    lead_id = await _create(api, "Lead", NEW_LEAD)
    before = (await api.get(f"sobjects/Lead/{lead_id}")).json()
    answer = await api.patch(
        f"sobjects/Lead/{lead_id}", json={"Status": "Working - Contacted", "Phone": "+1555000999"}
    )
    assert answer.status_code == 204
    assert answer.content == b"" and "content-type" not in answer.headers
    assert answer.headers["sforce-limit-info"].startswith("api-usage=")
    after = (await api.get(f"sobjects/Lead/{lead_id}")).json()
    assert after["Status"] == "Working - Contacted" and after["Phone"] == "+1555000999"
    assert after["LastModifiedDate"] >= before["LastModifiedDate"]
    assert after["CreatedDate"] == before["CreatedDate"]


async def test_update_errors(api: httpx2.AsyncClient) -> None:
    lead_id = await _create(api, "Lead", NEW_LEAD)
    unknown = await api.patch(f"sobjects/Lead/{lead_id}", json={"Color__c": "red"})
    assert unknown.json() == [
        {
            "message": "No such column 'Color__c' on sobject of type Lead",
            "errorCode": "INVALID_FIELD",
        }
    ]
    cleared = await api.patch(f"sobjects/Lead/{lead_id}", json={"LastName": None})
    assert cleared.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    wrong_type = await api.patch(f"sobjects/Lead/{OPPORTUNITY_ID}", json={"Phone": "1"})
    assert wrong_type.status_code == 400
    assert wrong_type.json() == [
        {
            "message": f"Lead ID: id value of incorrect type: {OPPORTUNITY_ID}",
            "errorCode": "MALFORMED_ID",
            "fields": ["Id"],
        }
    ]


async def test_not_found_cases(api: httpx2.AsyncClient) -> None:
    missing = await api.get(f"sobjects/Lead/{to18('00QgS0000000zzz')}")
    assert missing.status_code == 404
    assert missing.text == (
        '[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]'
    )
    malformed = await api.get("sobjects/Lead/001i000000xxxxxx")
    assert malformed.status_code == 404
    assert malformed.json() == [
        {
            "errorCode": "NOT_FOUND",
            "message": "Provided external ID field does not exist or is not accessible: "
            "001i000000xxxxxx",
        }
    ]
    unknown_type = await api.post("sobjects/PlayingCard__c", json={"Name": "x"})
    assert unknown_type.status_code == 404
    assert unknown_type.json()[0]["errorCode"] == "NOT_FOUND"


async def test_delete_then_delete_again(api: httpx2.AsyncClient) -> None:
    lead_id = await _create(api, "Lead", NEW_LEAD)
    first = await api.delete(f"sobjects/Lead/{lead_id}")
    assert first.status_code == 204 and first.content == b""
    second = await api.delete(f"sobjects/Lead/{lead_id}")
    assert second.status_code == 404
    assert (
        second.text
        == '[{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}]'
    )
    gone = await api.get(f"sobjects/Lead/{lead_id}")
    assert gone.status_code == 404
    patched = await api.patch(f"sobjects/Lead/{lead_id}", json={"Phone": "1"})
    assert patched.json()[0]["errorCode"] == "ENTITY_IS_DELETED"


async def test_opportunity_stage_sets_derived_fields(api: httpx2.AsyncClient) -> None:
    opp_id = await _create(
        api,
        "Opportunity",
        {
            "Name": "Acme - 600 Widgets",
            "StageName": "Prospecting",
            "CloseDate": "2025-12-31",
            "Amount": 60000,
        },
    )
    assert opp_id.startswith("006")
    record = (await api.get(f"sobjects/Opportunity/{opp_id}")).json()
    assert record["Probability"] == 10.0 and record["ForecastCategoryName"] == "Pipeline"
    assert record["IsClosed"] is False and record["ExpectedRevenue"] == 6000.0
    assert record["Amount"] == 60000.0 and record["FiscalQuarter"] == 4
    await api.patch(f"sobjects/Opportunity/{opp_id}", json={"StageName": "Closed Won"})
    won = (await api.get(f"sobjects/Opportunity/{opp_id}")).json()
    assert (won["IsClosed"], won["IsWon"], won["Probability"]) == (True, True, 100.0)
    assert won["ForecastCategory"] == "Closed"
    bad = await api.patch(f"sobjects/Opportunity/{opp_id}", json={"StageName": "Dreaming"})
    assert bad.json()[0]["message"] == "Stage: bad value for restricted picklist field: Dreaming"


async def test_method_override_and_organization_row(api: httpx2.AsyncClient) -> None:
    lead_id = await _create(api, "Lead", NEW_LEAD)
    answer = await api.post(
        f"sobjects/Lead/{lead_id}", params={"_HttpMethod": "PATCH"}, json={"Title": "CTO"}
    )
    assert answer.status_code == 204
    assert (await api.get(f"sobjects/Lead/{lead_id}")).json()["Title"] == "CTO"
    org = (await api.get("query", params={"q": "SELECT Id FROM Organization"})).json()
    org_id = org["records"][0]["Id"]
    row = (await api.get(f"sobjects/Organization/{org_id}")).json()
    assert row["OrganizationType"] == "Developer Edition"
    refused = await api.delete(f"sobjects/Organization/{org_id}")
    assert refused.status_code == 400


async def test_gzip_request_body_and_pretty_print(api: httpx2.AsyncClient) -> None:
    body = gzip.compress(json.dumps(NEW_LEAD).encode())
    answer = await api.post(
        "sobjects/Lead",
        content=body,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert answer.status_code == 201
    pretty = await api.get(f"sobjects/Lead/{answer.json()['id']}", headers={"X-PrettyPrint": "1"})
    assert pretty.text.startswith('{\n  "attributes" : {\n    "type" : "Lead",')


async def test_large_answers_are_gzipped_when_accepted(api: httpx2.AsyncClient) -> None:
    described = await api.get("sobjects/Lead/describe", headers={"Accept-Encoding": "gzip"})
    assert described.headers["content-encoding"] == "gzip"
    assert described.json()["name"] == "Lead"
    plain = await api.get("sobjects/Lead/describe", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
