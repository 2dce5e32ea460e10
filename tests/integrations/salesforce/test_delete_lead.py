"""delete_lead in all four setups: find the lead, show it, delete only after a yes."""

from __future__ import annotations

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROMPT = "Which lead should I delete? Give me its id, email, name or company."


async def test_delete_after_yes_keep_after_no(crm: Crm) -> None:
    ada, grace = await crm.seed(
        "Lead",
        {"FirstName": "Ada", "LastName": "Lovelace", "Company": "Acme Robotics"},
        {"FirstName": "Grace", "LastName": "Hopper", "Company": "Navy Labs"},
    )
    confirm = f"Delete Ada Lovelace of Acme Robotics ({ada})? This can't be undone here."
    assert await crm.say("delete a lead") == [PROMPT]
    assert await crm.say("lovelace") == [confirm]
    assert await crm.say("no") == ["Okay, I left it alone."]
    assert [lead["Id"] for lead in await crm.leads()] == [ada, grace]

    assert await crm.talk("remove a lead", ada) == [confirm]
    assert await crm.say("maybe") == ["Please answer yes or no."]
    assert await crm.say("yes") == ["Deleted Ada Lovelace of Acme Robotics."]
    assert [lead["Id"] for lead in await crm.leads()] == [grace]
    gone = await crm.api("GET", f"/sobjects/Lead/{ada}")
    assert gone.status_code == 404


async def test_a_lead_without_first_name_found_by_company(crm: Crm) -> None:
    (alan,) = await crm.seed("Lead", {"LastName": "Turing", "Company": "Bletchley Park"})
    assert await crm.talk("delete a lead", "bletchley") == [
        f"Delete Turing of Bletchley Park ({alan})? This can't be undone here."
    ]
    assert await crm.say("yep") == ["Deleted Turing of Bletchley Park."]
    assert await crm.leads() == []


async def test_no_match_asks_again(crm: Crm) -> None:
    (grace,) = await crm.seed(
        "Lead", {"FirstName": "Grace", "LastName": "Hopper", "Company": "Navy Labs"}
    )
    assert await crm.talk("delete a lead", "Zuse") == [
        'I couldn\'t find a lead matching "Zuse".',
        PROMPT,
    ]
    assert await crm.say("Grace Hopper") == [
        f"Delete Grace Hopper of Navy Labs ({grace})? This can't be undone here."
    ]
    assert await crm.say("cancel") == ["Okay, I've cancelled that."]
    assert [lead["Id"] for lead in await crm.leads()] == [grace]
