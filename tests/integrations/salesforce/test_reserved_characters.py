"""Names holding apostrophes and the characters SOQL and SOSL reserve, in all four setups:
created through the conversation, then found by search_leads and by name in update_lead and
delete_lead, without a single query the org could not read."""

from __future__ import annotations

import re

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

CREATED = re.compile(r"Lead (00Q\w{15}) created for Smith & Sons \(UK\)\.")


async def no_refused_queries(crm: Crm) -> None:
    """Every query and search the bot sent was read by the org (a MALFORMED_QUERY or
    MALFORMED_SEARCH would be a 400 there)."""
    reads = [r for r in await crm.requests() if r["path"].endswith(("/query", "/search/"))]
    assert reads, "no query reached the org"
    assert {r["status"] for r in reads} == {200}


async def create_obrien(crm: Crm) -> str:
    said = await crm.talk(
        "create a lead", "O'Brien", "skip", "Smith & Sons (UK)", "skip", "skip", "50% off"
    )
    match = CREATED.fullmatch(said[0]) if len(said) == 1 else None
    assert match is not None, said
    return match[1]


async def test_search_finds_exactly_the_leads_holding_the_words(crm: Crm) -> None:
    obrien = await create_obrien(crm)
    khan, patel, _, andersen = await crm.seed(
        "Lead",
        {"LastName": "Khan", "Company": "50% off"},
        {"LastName": "Patel", "Company": "50 days off"},
        {"LastName": "Brien", "Company": "Smith Brothers"},
        {"LastName": "Andersen", "Company": "Rock AND Roll"},
    )
    assert await crm.talk("search leads", "O'Brien") == [
        f"1 lead found:\n1. O'Brien, Smith & Sons (UK). Id: {obrien}"
    ]
    assert await crm.talk("search leads", "Smith & Sons (UK)") == [
        f"1 lead found:\n1. O'Brien, Smith & Sons (UK). Id: {obrien}"
    ]
    # words match anywhere: the title "50% off" and both companies with 50 and off
    assert await crm.talk("search leads", "50% off") == [
        f"3 leads found:\n1. Khan, 50% off. Id: {khan}\n"
        f"2. O'Brien, Smith & Sons (UK). Id: {obrien}\n3. Patel, 50 days off. Id: {patel}"
    ]
    # AND, OR and NOT are words to look for, not operators
    assert await crm.talk("search leads", "Rock AND") == [
        f"1 lead found:\n1. Andersen, Rock AND Roll. Id: {andersen}"
    ]
    assert await crm.talk("search leads", "Roll OR NOT") == ['No leads match "Roll OR NOT".']
    await no_refused_queries(crm)


async def test_update_and_delete_find_them_by_name_and_company(crm: Crm) -> None:
    obrien = await create_obrien(crm)
    khan, patel, brien = await crm.seed(
        "Lead",
        {"LastName": "Khan", "Company": "50% off"},
        {"LastName": "Patel", "Company": "50 days off"},  # LIKE '%50%off%' would find it too
        {"LastName": "OBrien", "Company": "Brien_Co"},
    )
    assert await crm.talk("update a lead", "O'Brien") == [
        "What should I change for O'Brien of Smith & Sons (UK)?"
    ]
    assert await crm.talk("company", 'Smith & Sons (UK) "Ltd" \\ 100%') == [
        'Done: the company of O\'Brien is now Smith & Sons (UK) "Ltd" \\ 100%.'
    ]
    assert (await crm.lead(obrien))["Company"] == 'Smith & Sons (UK) "Ltd" \\ 100%'
    assert await crm.talk("update a lead", 'Sons (UK) "Ltd" \\ 100') == [
        'What should I change for O\'Brien of Smith & Sons (UK) "Ltd" \\ 100%?'
    ]
    assert await crm.talk("title", "60% off_now") == [
        "Done: the title of O'Brien is now 60% off_now."
    ]

    assert await crm.talk("delete a lead", "50% off") == [
        f"Delete Khan of 50% off ({khan})? This can't be undone here."
    ]
    assert await crm.say("yes") == ["Deleted Khan of 50% off."]
    assert await crm.talk("delete a lead", "n_Co") == [
        f"Delete OBrien of Brien_Co ({brien})? This can't be undone here."
    ]
    assert await crm.say("no") == ["Okay, I left it alone."]
    assert await crm.talk("delete a lead", "O'Brien") == [
        f"Delete O'Brien of Smith & Sons (UK) \"Ltd\" \\ 100% ({obrien})? This can't be undone "
        "here."
    ]
    assert await crm.say("yes") == ['Deleted O\'Brien of Smith & Sons (UK) "Ltd" \\ 100%.']
    left = await crm.leads()
    assert [(lead["LastName"], lead["Title"]) for lead in left] == [
        ("Patel", None),
        ("OBrien", None),
    ]
    assert [lead["Id"] for lead in left] == [patel, brien]
    await no_refused_queries(crm)
