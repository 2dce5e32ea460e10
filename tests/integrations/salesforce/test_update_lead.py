"""update_lead in all four setups: find the lead, pick a field from the list, type its value."""

from __future__ import annotations

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIELDS = ["Email", "Phone", "Company", "Title", "Status", "First name", "Last name"]


async def seed_ada(crm: Crm) -> str:
    (ada,) = await crm.seed(
        "Lead",
        {"FirstName": "Ada", "LastName": "Lovelace", "Company": "Acme Robotics",
         "Email": "ada@acme.example"},
    )  # fmt: skip
    return ada


# (the field as the user picks it, its prompt, the value typed, the field's API name and the
# value Salesforce keeps, which is also what the bot says)
CASES = {
    "title": ("job title", "What is the new title?", "Countess", "Title", "Countess"),
    "phone": ("phone number", "What is the new phone number?", "(415) 555-0199", "Phone",
              "+14155550199"),
    "email": ("e-mail", "What is the new email address?", "Ada.King@Example.ORG", "Email",
              "Ada.King@example.org"),
    "status": ("status", "Which status?", "in progress", "Status", "Working - Contacted"),
    "last-name": ("surname", "What is the new last name?", "King", "LastName", "King"),
}  # fmt: skip
WORDS = {"LastName": "last name"}


@pytest.mark.parametrize("case", CASES)
async def test_update_a_field(crm: Crm, case: str) -> None:
    pick, prompt, typed, api_field, stored = CASES[case]
    ada = await seed_ada(crm)
    assert await crm.say("update a lead") == [
        "Which lead should I update? Give me its id, email, name or company."
    ]
    out = await crm.reply("Lovelace")
    assert [m.text for m in out] == ["What should I change for Ada Lovelace of Acme Robotics?"]
    assert [label for label, _ in out[0].buttons] == FIELDS
    assert await crm.say(pick) == [prompt]
    word = WORDS.get(api_field, api_field.lower())
    done = await crm.reply(typed)
    assert [m.text for m in done] == [f"Done: the {word} of Ada Lovelace is now {stored}."]
    assert done[0].to_wire()["buttons"] == [
        {"label": "View in Salesforce", "url": f"{crm.org.url}/lightning/r/Lead/{ada}/view"}
    ]
    assert (await crm.lead(ada))[api_field] == stored


async def test_several_matches_ask_for_the_id(crm: Crm) -> None:
    ada = await seed_ada(crm)
    (charles,) = await crm.seed(
        "Lead", {"FirstName": "Charles", "LastName": "Babbage", "Company": "Acme Robotics"}
    )
    assert await crm.talk("change a lead", "acme") == [
        f'2 leads match "acme": {charles} (Charles Babbage, Acme Robotics); '
        f"{ada} (Ada Lovelace, Acme Robotics). Tell me the id of the one to update.",
        "Which lead should I update? Give me its id, email, name or company.",
    ]
    assert await crm.say(charles) == ["What should I change for Charles Babbage of Acme Robotics?"]
    assert await crm.talk("first name", "Charlie") == [
        "Done: the first name of Charles Babbage is now Charlie."
    ]
    assert (await crm.lead(charles))["FirstName"] == "Charlie"
    assert (await crm.lead(ada))["FirstName"] == "Ada"


async def test_no_match_asks_again(crm: Crm) -> None:
    ada = await seed_ada(crm)
    assert await crm.talk("edit a lead", "Zuse") == [
        'I couldn\'t find a lead matching "Zuse".',
        "Which lead should I update? Give me its id, email, name or company.",
    ]
    assert await crm.say("ada@acme.example") == [
        "What should I change for Ada Lovelace of Acme Robotics?"
    ]
    assert await crm.talk("company", "Analytical Engines") == [
        "Done: the company of Ada Lovelace is now Analytical Engines."
    ]
    assert (await crm.lead(ada))["Company"] == "Analytical Engines"


async def test_a_value_longer_than_the_field_allows_is_asked_again(crm: Crm) -> None:
    ada = await seed_ada(crm)
    await crm.talk("update a lead", "Lovelace")
    assert await crm.say("first name") == ["What is the new first name?"]
    assert await crm.say("A" * 41) == [
        "That's longer than Salesforce allows for a first name (40 characters). Please shorten it."
    ]
    assert await crm.say("A" * 40) == [f"Done: the first name of Ada Lovelace is now {'A' * 40}."]
    assert (await crm.lead(ada))["FirstName"] == "A" * 40
