"""create_lead in all four setups: the conversation, and the lead it leaves in the org."""

from __future__ import annotations

import re

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

CREATED = re.compile(r"Lead (00Q\w{15}) created for (.+)\.")


def created_id(said: list[str], company: str) -> str:
    assert len(said) == 1, said
    match = CREATED.fullmatch(said[0])
    assert match is not None and match[2] == company, said
    return match[1]


async def test_create_a_lead_with_every_field(crm: Crm) -> None:
    assert await crm.say("create a lead") == ["What is the lead's last name?"]
    assert await crm.say("Lovelace") == ['And Lovelace\'s first name? (or "skip")']
    assert await crm.say("Ada") == ["Which company does Ada Lovelace work for?"]
    assert await crm.say("Acme Robotics") == [
        'Their email address? (say "skip" if you don\'t have it)'
    ]
    assert await crm.say("ada@ACME.example") == ['A phone number? (or "skip")']
    assert await crm.say("(415) 555-0100") == ['What is Lovelace\'s job title? (or "skip")']
    out = await crm.reply("Head of Engines")
    lead_id = created_id([m.text for m in out], "Ada Lovelace of Acme Robotics")
    assert out[0].to_wire()["buttons"] == [
        {"label": "View in Salesforce", "url": f"{crm.org.url}/lightning/r/Lead/{lead_id}/view"}
    ]

    lead = await crm.lead(lead_id)
    fields = ("FirstName", "LastName", "Company", "Email", "Phone", "Title", "Status")
    assert {k: lead[k] for k in fields} == {
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "Company": "Acme Robotics",
        "Email": "ada@acme.example",
        "Phone": "+14155550100",
        "Title": "Head of Engines",
        "Status": "Open - Not Contacted",
    }
    assert crm.links == (1 if crm.mode == "per_user" else 0)


async def test_skipped_and_unreadable_answers_leave_fields_empty(crm: Crm) -> None:
    await crm.talk("add a new lead", "Turing", "skip")
    assert await crm.say("Bletchley Park") == [
        'Their email address? (say "skip" if you don\'t have it)'
    ]
    assert await crm.say("alan at bletchley") == [
        'That doesn\'t look like an email address. Try again, or say "skip".'
    ]
    assert await crm.say("skip") == ['A phone number? (or "skip")']
    assert await crm.say("no idea") == [
        'That doesn\'t look like a phone number. Try again, or say "skip".'
    ]
    assert await crm.say("still no idea") == [
        'That doesn\'t look like a phone number. Try again, or say "skip".'
    ]
    # the second retry used up: carried on without a phone
    assert await crm.say("nope, none at all") == ['What is Turing\'s job title? (or "skip")']
    lead_id = created_id(await crm.say("skip"), "Bletchley Park")

    lead = await crm.lead(lead_id)
    assert (lead["LastName"], lead["Company"]) == ("Turing", "Bletchley Park")
    assert (lead["FirstName"], lead["Email"], lead["Phone"], lead["Title"]) == (None,) * 4


async def test_a_second_lead_needs_no_new_authorization(crm: Crm) -> None:
    first = created_id(
        await crm.talk("create a lead", "Hopper", "skip", "Navy Labs", "skip", "skip", "skip"),
        "Navy Labs",
    )
    second = created_id(
        await crm.talk(
            "create a lead", "Babbage", "skip", "Difference Ltd", "skip", "skip", "skip"
        ),
        "Difference Ltd",
    )
    assert first != second
    assert [lead["LastName"] for lead in await crm.leads()] == ["Hopper", "Babbage"]
    assert crm.links == (1 if crm.mode == "per_user" else 0)


async def test_values_longer_than_salesforce_allows_are_asked_again(crm: Crm) -> None:
    await crm.say("create a lead")
    assert await crm.say("L" * 81) == [
        "That's longer than Salesforce allows for a last name (80 characters). Please shorten it."
    ]
    assert await crm.say("L" * 80) == [f'And {"L" * 80}\'s first name? (or "skip")']
    assert await crm.say("F" * 41) == [
        "That's longer than Salesforce allows for a first name (40 characters). Please shorten it."
    ]
    assert await crm.say("F" * 40) == [f"Which company does {'F' * 40} {'L' * 80} work for?"]
    assert await crm.say("C" * 256) == [
        "That's longer than Salesforce allows for a company (255 characters). Please shorten it."
    ]
    await crm.talk("C" * 255, "skip", "skip")
    assert await crm.say("T" * 129) == [
        "That's longer than Salesforce allows for a title (128 characters). Please shorten it."
    ]
    lead_id = created_id(await crm.say("T" * 128), f"{'F' * 40} {'L' * 80} of {'C' * 255}")
    lead = await crm.lead(lead_id)
    assert (lead["FirstName"], lead["LastName"]) == ("F" * 40, "L" * 80)
    assert (lead["Company"], lead["Title"]) == ("C" * 255, "T" * 128)
