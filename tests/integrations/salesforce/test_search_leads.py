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
        f"2 leads found: Charles Babbage (Acme Robotics) {charles}; "
        f"Ada Lovelace (Acme Robotics, ada@acme.example) {ada}."
    ]
    assert await crm.talk("find leads", "ada@acme.example") == [
        f"1 lead found: Ada Lovelace (Acme Robotics, ada@acme.example) {ada}."
    ]
    # a lead without a first name, found by its phone number's digits
    assert await crm.talk("search for a lead", "442079460000") == [
        f"1 lead found: Turing (Bletchley Park) {alan}."
    ]


async def test_nothing_found_and_a_too_short_phrase(crm: Crm) -> None:
    await seed_people(crm)
    assert await crm.talk("search leads", "Zuse") == ['No leads match "Zuse".']
    assert await crm.talk("search leads", "a") == [
        "Give me at least two letters or digits to search for."
    ]
    assert await crm.say("?!") == ["Give me at least two letters or digits to search for."]
    said = await crm.say("Hopper")
    assert len(said) == 1 and said[0].startswith("1 lead found: Grace Hopper (Navy Labs) 00Q")


async def test_more_than_ten_results_show_the_first_ten(crm: Crm) -> None:
    ids = await crm.seed(
        "Lead", *({"LastName": f"Worker{n:02d}", "Company": "Initech"} for n in range(12))
    )
    said = await crm.talk("search leads", "Initech")
    listed = "; ".join(f"Worker{n:02d} (Initech) {ids[n]}" for n in range(10))
    assert said == [f'More than 10 leads match "Initech"; the first 10: {listed}.']
