"""Writes whose answer never arrived, against the sandbox org: each template's `verify` finds
out what happened and the user is told the truth, in all four setups.

The sandbox commits the write and then drops the connection (`after_commit`), as a real org
does when the network fails on the way back; or it drops it before committing.
"""

from __future__ import annotations

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

LEAD = "/services/data/*/sobjects/Lead/"


def writes(requests: list[dict], method: str, path_end: str) -> list[dict]:
    return [r for r in requests if r["method"] == method and r["path"].endswith(path_end)]


async def test_a_created_lead_whose_answer_was_lost_is_found(crm: Crm) -> None:
    await crm.connect_user()
    await crm.fault(method="POST", path=LEAD, after_commit=True, drop=True)
    said = await crm.talk(
        "create a lead", "Lovelace", "Ada", "Acme Robotics", "skip", "skip", "skip"
    )
    (lead,) = await crm.leads()
    assert said == [f"Lead {lead['Id']} created for Ada Lovelace of Acme Robotics."]
    assert len(writes(await crm.requests(), "POST", "/sobjects/Lead/")) == 1  # never re-sent


async def test_another_lead_by_the_same_name_is_not_mistaken_for_it(crm: Crm) -> None:
    """verify matches every field sent: a Lovelace at Acme with another first name (created
    moments before) is not taken for the one whose answer was lost."""
    await crm.connect_user()
    await crm.seed("Lead", {"FirstName": "Byron", "LastName": "Lovelace", "Company": "Acme"})
    await crm.fault(method="POST", path=LEAD, drop=True)  # lost before it was stored
    said = await crm.talk("create a lead", "Lovelace", "Ada", "Acme", "skip", "skip", "skip")
    leads = await crm.leads()
    assert [lead["FirstName"] for lead in leads] == ["Byron", "Ada"]
    assert said == [f"Lead {leads[-1]['Id']} created for Ada Lovelace of Acme."]


async def test_when_verify_cannot_tell_the_user_is_told_so(crm: Crm) -> None:
    await crm.connect_user()
    crm.quick_retries()
    await crm.fault(method="POST", path=LEAD, after_commit=True, drop=True)
    await crm.fault(method="GET", path="/services/data/*/query", status=503, count=3)
    said = await crm.talk("create a lead", "Lovelace", "skip", "Acme", "skip", "skip", "skip")
    assert said == [
        "I got no answer from Salesforce, so I can't tell whether the lead was created. "
        "Please check in Salesforce before you try again."
    ]
    assert len(await crm.leads()) == 1
    assert len(writes(await crm.requests(), "POST", "/sobjects/Lead/")) == 1


async def test_an_update_whose_answer_was_lost_is_found(crm: Crm) -> None:
    await crm.connect_user()
    (ada,) = await crm.seed("Lead", {"FirstName": "Ada", "LastName": "Lovelace", "Company": "A"})
    await crm.fault(method="PATCH", path=f"{LEAD}{ada}", after_commit=True, drop=True)
    said = await crm.talk("update a lead", "Lovelace", "title", "Countess")
    assert said[0] == "Done: the title of Ada Lovelace is now Countess."
    assert (await crm.lead(ada))["Title"] == "Countess"
    assert len(writes(await crm.requests(), "PATCH", ada)) == 1


async def test_an_update_lost_before_it_was_stored_is_sent_once_more(crm: Crm) -> None:
    await crm.connect_user()
    (ada,) = await crm.seed("Lead", {"FirstName": "Ada", "LastName": "Lovelace", "Company": "A"})
    await crm.fault(method="PATCH", path=f"{LEAD}{ada}", drop=True)
    said = await crm.talk("update a lead", "Lovelace", "title", "Countess")
    assert said[0] == "Done: the title of Ada Lovelace is now Countess."
    assert len(writes(await crm.requests(), "PATCH", ada)) == 2


async def test_a_delete_whose_answer_was_lost_is_found(crm: Crm) -> None:
    await crm.connect_user()
    (ada,) = await crm.seed("Lead", {"FirstName": "Ada", "LastName": "Lovelace", "Company": "A"})
    await crm.fault(method="DELETE", path=f"{LEAD}{ada}", after_commit=True, drop=True)
    said = await crm.talk("delete a lead", "Lovelace", "yes")
    assert said == ["Deleted Ada Lovelace of A."]
    assert await crm.leads() == []
    assert len(writes(await crm.requests(), "DELETE", ada)) == 1


async def test_an_opportunity_whose_answer_was_lost_is_found(crm: Crm) -> None:
    await crm.connect_user()
    await crm.fault(
        method="POST", path="/services/data/*/sobjects/Opportunity/", after_commit=True, drop=True
    )
    said = await crm.talk(
        "create an opportunity", "Acme expansion", "Prospecting", "2027-03-01", "skip"
    )
    assert said[0].startswith("Opportunity 006"), said
    assert said[0].endswith("created: Acme expansion, Prospecting, closing 2027-03-01.")
    opportunities = await crm.api("GET", "/query", q="SELECT Id FROM Opportunity")
    assert opportunities.json()["totalSize"] == 1
    assert len(writes(await crm.requests(), "POST", "/sobjects/Opportunity/")) == 1
