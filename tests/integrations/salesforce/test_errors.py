"""Salesforce's errors, each told to the user as one sentence, in all four setups.

Where the real flow produces the error, the test takes that flow (a lead deleted meanwhile, an
id that names no lead, the daily API allowance used up, the org unavailable). Where the
templates never send a request Salesforce would refuse, the sandbox answers with the exact
error body Salesforce sends (a fault).
"""

from __future__ import annotations

import re

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNAVAILABLE = "Salesforce is unavailable right now. Please try again in a few minutes."


async def seed_ada(crm: Crm) -> str:
    (ada,) = await crm.seed(
        "Lead", {"FirstName": "Ada", "LastName": "Lovelace", "Company": "Acme Robotics"}
    )
    return ada


async def test_required_field_missing(crm: Crm) -> None:
    await crm.fault(
        method="POST",
        path="/services/data/*/sobjects/Lead/",
        status=400,
        body=[
            {
                "message": "Required fields are missing: [LastName, Company]",
                "errorCode": "REQUIRED_FIELD_MISSING",
                "fields": ["LastName", "Company"],
            }
        ],
    )
    said = await crm.talk("create a lead", "Lovelace", "skip", "Acme", "skip", "skip", "skip")
    assert said == ["Salesforce needs the last name and company before it can save this."]
    assert await crm.leads() == []


async def test_invalid_field_on_update(crm: Crm) -> None:
    ada = await seed_ada(crm)
    await crm.fault(
        method="PATCH",
        path=f"/services/data/*/sobjects/Lead/{ada}",
        status=400,
        body=[
            {
                "message": "No such column 'Title' on sobject of type Lead",
                "errorCode": "INVALID_FIELD",
            }
        ],
    )
    said = await crm.talk("update a lead", "Lovelace", "title", "Countess")
    assert said == [
        "Salesforce has no field Title on Lead, so I couldn't do that. "
        "Please tell whoever looks after this bot."
    ]
    assert (await crm.lead(ada))["Title"] is None


async def test_invalid_field_in_a_query(crm: Crm) -> None:
    await crm.connect_user()  # the edition check queries too: fault only the dialog's query
    await crm.fault(
        method="GET",
        path="/services/data/*/query",
        status=400,
        body=[
            {
                "message": "\nSELECT Id, FirstName, LastName, Company, Email, Phone, Title, "
                "Status FROM\n                                          ^\nERROR at Row:1:"
                "Column:43\nNo such column 'Title' on entity 'Lead'. If you are attempting to "
                "use a custom field, be sure to append the '__c' after the custom field name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
                "errorCode": "INVALID_FIELD",
            }
        ],
    )
    assert await crm.talk("get a lead", "ada@acme.example") == [
        "Salesforce has no field Title on Lead, so I couldn't do that. "
        "Please tell whoever looks after this bot."
    ]


async def test_not_found(crm: Crm) -> None:
    ada = await seed_ada(crm)
    missing = ada[:12] + "999"  # a lead id of the same org, with a number never issued
    assert await crm.talk("get a lead", missing) == ["I couldn't find that record in Salesforce."]


async def test_an_id_of_another_object(crm: Crm) -> None:
    await crm.connect_user()
    response = await crm.api(
        "POST",
        "/sobjects/Opportunity/",
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-31"},
    )
    deal = response.json()["id"]
    assert await crm.talk("get a lead", deal) == ["That isn't the id of a lead."]


async def test_entity_is_deleted_on_update(crm: Crm) -> None:
    ada = await seed_ada(crm)
    await crm.talk("update a lead", "Lovelace")
    assert (await crm.api("DELETE", f"/sobjects/Lead/{ada}")).status_code == 204
    assert await crm.talk("title", "Countess") == ["That record has been deleted in Salesforce."]


async def test_entity_is_deleted_on_delete(crm: Crm) -> None:
    ada = await seed_ada(crm)
    assert (await crm.talk("delete a lead", "Lovelace"))[0].startswith("Delete Ada Lovelace")
    assert (await crm.api("DELETE", f"/sobjects/Lead/{ada}")).status_code == 204
    assert await crm.say("yes") == ["That record has been deleted in Salesforce."]
    statuses = [r["status"] for r in await crm.requests() if r["method"] == "DELETE"]
    assert statuses == [204, 404]


async def test_request_limit_exceeded(crm: Crm) -> None:
    await seed_ada(crm)
    await crm.connect_user()
    used = (await crm.controls("GET", "/settings"))["api_usage"]
    await crm.controls("PUT", "/settings", {"api_limit": used})
    assert await crm.talk("list leads", "all") == [
        "Your Salesforce org has used up its API requests for now. Please try again later."
    ]
    assert (await crm.requests())[-1]["status"] == 403


async def test_unavailable_after_every_retry(crm: Crm) -> None:
    await seed_ada(crm)
    await crm.connect_user()
    await crm.controls("DELETE", "/requests")
    crm.quick_retries()
    # GET is retried twice on 503: three answers of the org's own 503 body
    await crm.fault(method="GET", path="/services/data/*/query", status=503, count=3)
    assert await crm.talk("list leads", "all") == [UNAVAILABLE]
    assert [r["status"] for r in await crm.requests()] == [503, 503, 503]


async def test_a_503_that_clears_is_retried_unseen(crm: Crm) -> None:
    ada = await seed_ada(crm)
    await crm.connect_user()
    crm.quick_retries()
    await crm.fault(method="GET", path="/services/data/*/query", status=503, count=2)
    said = await crm.talk("list leads", "all")
    assert len(said) == 2 and said[1] == "That's all of them."
    assert re.fullmatch(
        r"Leads, newest first:\n1\. Ada Lovelace, Acme Robotics · Open - Not Contacted\. "
        rf"Created: \d{{4}}-\d\d-\d\d; Id: {ada}",
        said[0],
    ), said


async def test_a_create_is_never_retried(crm: Crm) -> None:
    await crm.connect_user()
    await crm.fault(method="POST", path="/services/data/*/sobjects/Lead/", status=503)
    said = await crm.talk("create a lead", "Lovelace", "skip", "Acme", "skip", "skip", "skip")
    assert said == [UNAVAILABLE]
    posts = [r for r in await crm.requests() if r["path"].endswith("/sobjects/Lead/")]
    assert [r["status"] for r in posts] == [503]
    assert await crm.leads() == []


async def test_salesforce_unreachable(crm: Crm) -> None:
    """The connection drops before Salesforce stored anything: verify finds no lead, so the
    create is sent once more, and the user is told the truth: created, once."""
    await crm.connect_user()
    await crm.fault(method="POST", path="/services/data/*/sobjects/Lead/", drop=True)
    said = await crm.talk("create a lead", "Lovelace", "skip", "Acme", "skip", "skip", "skip")
    (lead,) = await crm.leads()
    assert said == [f"Lead {lead['Id']} created for Acme."]
    posts = [r for r in await crm.requests() if r["path"].endswith("/sobjects/Lead/")]
    assert len(posts) == 2  # the one dropped, the one re-sent
