"""search_leads in all four setups: SOSL over every field, results by last name."""

from __future__ import annotations

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROMPT = "What should I search for? (a name, company, email or phone)"


async def seed_people(crm: Crm) -> list[str]:
    return await crm.seed(
        "Lead",
        {"FirstName": "Ada", "LastName": "Lovelace", "Company": "Acme Robotics",
         "Email": "ada@acme.example"},
        {"FirstName": "Grace", "LastName": "Hopper", "Company": "Navy Labs"},
        {"FirstName": "Charles", "LastName": "Babbage", "Company": "Acme Robotics"},
        {"LastName": "Turing", "Company": "Bletchley Park", "Phone": "+442079460000"},
    )  # fmt: skip


async def test_search_finds_leads_by_any_field(crm: Crm) -> None:
    ada, _, charles, alan = await seed_people(crm)
    assert await crm.say("search leads") == [PROMPT]
    assert await crm.say("acme") == [
        "2 leads found:\n"
        f"1. Charles Babbage, Acme Robotics. Id: {charles}\n"
        f"2. Ada Lovelace, Acme Robotics. Email: ada@acme.example; Id: {ada}"
    ]
    assert await crm.talk("find leads", "ada@acme.example") == [
        f"1 lead found:\n1. Ada Lovelace, Acme Robotics. Email: ada@acme.example; Id: {ada}"
    ]
    # a lead without a first name, found by its phone number's digits
    assert await crm.talk("search for a lead", "442079460000") == [
        f"1 lead found:\n1. Turing, Bletchley Park. Id: {alan}"
    ]


async def test_nothing_found_and_a_too_short_phrase(crm: Crm) -> None:
    await seed_people(crm)
    assert await crm.talk("search leads", "Zuse") == ['No leads match "Zuse".']
    assert await crm.talk("search leads", "a") == [
        "Give me at least two letters or digits to search for."
    ]
    assert await crm.say("?!") == ["Give me at least two letters or digits to search for."]
    said = await crm.say("Hopper")
    assert len(said) == 1 and said[0].startswith(
        "1 lead found:\n1. Grace Hopper, Navy Labs. Id: 00Q"
    )


async def test_more_than_ten_results_show_the_first_ten(crm: Crm) -> None:
    ids = await crm.seed(
        "Lead", *({"LastName": f"Worker{n:02d}", "Company": "Initech"} for n in range(12))
    )
    said = await crm.talk("search leads", "Initech")
    listed = "\n".join(f"{n + 1}. Worker{n:02d}, Initech. Id: {ids[n]}" for n in range(10))
    assert said == [f'More than 10 leads match "Initech"; the first 10:\n{listed}']


async def test_each_lead_found_is_a_card_whose_button_shows_it(crm: Crm) -> None:
    ada, *_ = await seed_people(crm)
    (found,) = await crm.reply("search leads for Lovelace")
    assert found.type == "cards" and found.heading == "1 lead found:"
    (card,) = found.cards
    assert card == {
        "title": "Ada Lovelace",
        "subtitle": "Acme Robotics",
        "fields": [
            {"label": "Email", "value": "ada@acme.example"},
            {"label": "Id", "value": ada},
        ],
        "buttons": [
            {"label": "Details", "value": f"show lead {ada}"},
            {"label": "Open in Salesforce", "url": f"{crm.org.url}/lightning/r/Lead/{ada}/view"},
        ],
    }
    shown = await crm.say(card["buttons"][0]["value"])  # the Details button, pressed
    assert len(shown) == 1 and ada in shown[0] and "Ada Lovelace" in shown[0], shown
