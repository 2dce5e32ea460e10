"""get_lead in all four setups: by email (a query) and by id (a record GET)."""

from __future__ import annotations

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROMPT = "Which lead? Give me its Salesforce id or email address."


async def seed_ada(crm: Crm) -> str:
    (ada,) = await crm.seed(
        "Lead",
        {
            "FirstName": "Ada",
            "LastName": "Lovelace",
            "Company": "Acme Robotics",
            "Email": "ada@acme.example",
            "Phone": "+14155550100",
            "Title": "Head of Engines",
            "Status": "Working - Contacted",
        },
    )
    return ada


def shown(ada: str) -> str:
    return (
        "Ada Lovelace of Acme Robotics, Working - Contacted. Head of Engines, ada@acme.example, "
        f"+14155550100 (id {ada})"
    )


async def test_get_a_lead_by_email(crm: Crm) -> None:
    ada = await seed_ada(crm)
    assert await crm.say("get a lead") == [PROMPT]
    assert await crm.say("ada@acme.example") == [shown(ada)]
    assert await crm.talk("look up a lead", "nobody@acme.example") == [
        "I couldn't find a lead with the email nobody@acme.example."
    ]


async def test_get_a_lead_by_id_in_either_form(crm: Crm) -> None:
    ada = await seed_ada(crm)
    await crm.say("get a lead")
    out = await crm.reply(ada)
    assert [m.text for m in out] == [shown(ada)]
    assert out[0].to_wire()["buttons"] == [
        {"label": "View in Salesforce", "url": f"{crm.org.url}/lightning/r/Lead/{ada}/view"}
    ]
    assert await crm.talk("get a lead", f"  {ada[:15]} ") == [shown(ada)]


async def test_a_lead_without_first_name_or_details(crm: Crm) -> None:
    (alan,) = await crm.seed("Lead", {"LastName": "Turing", "Company": "Bletchley Park"})
    assert await crm.talk("get a lead", alan) == [
        f"Turing of Bletchley Park, Open - Not Contacted. (id {alan})"
    ]


async def test_neither_an_id_nor_an_email(crm: Crm) -> None:
    assert await crm.talk("get a lead", "Internationally") == [
        '"Internationally" is neither a Salesforce id (like 00Q5g00000AbCdEFGH) nor an email '
        'address. To find a lead by name, say "search leads".'
    ]
    assert crm.links == 0  # nothing was asked of Salesforce
