"""create_opportunity in all four setups: a stage from the list, a close date and an optional
amount in the bot's currency."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

CREATED = re.compile(r"Opportunity (006\w{15}) created: (.+)\.")
STAGES = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]
DATE_PROMPT = (
    'When do you expect it to close? (for example "December 31", "in 3 weeks" or 2026-12-31)'
)


async def opportunity(crm: Crm, opportunity_id: str) -> dict:
    response = await crm.api("GET", f"/sobjects/Opportunity/{opportunity_id}")
    assert response.status_code == 200, response.text
    return response.json()


def created(said: list[str]) -> tuple[str, str]:
    assert len(said) == 1, said
    match = CREATED.fullmatch(said[0])
    assert match is not None, said
    return match[1], match[2]


async def test_create_an_opportunity_with_an_amount(crm: Crm) -> None:
    assert await crm.say("create an opportunity") == ["What should the opportunity be called?"]
    out = await crm.reply("Acme - 600 Widgets")
    assert [m.text for m in out] == ["Which stage is it at?"]
    assert [label for label, _ in out[0].buttons] == STAGES
    assert await crm.say("proposal") == [DATE_PROMPT]
    assert await crm.say("2026-12-31") == ['How much is it worth? (or "skip")']
    assert await crm.say("-5") == [
        'The amount can\'t be negative. How much is it worth? (or "skip")'
    ]
    out = await crm.reply("$60,000")
    new_id, summary = created([m.text for m in out])
    assert summary == (
        "Acme - 600 Widgets, Proposal/Price Quote, closing 2026-12-31, worth 60,000.00 USD"
    )
    view = f"{crm.org.url}/lightning/r/Opportunity/{new_id}/view"
    assert out[0].to_wire()["buttons"] == [{"label": "View in Salesforce", "url": view}]
    record = await opportunity(crm, new_id)
    assert {k: record[k] for k in ("Name", "StageName", "CloseDate", "Amount", "Probability")} == {
        "Name": "Acme - 600 Widgets",
        "StageName": "Proposal/Price Quote",
        "CloseDate": "2026-12-31",
        "Amount": 60000.0,
        "Probability": 75.0,
    }


async def test_without_an_amount_and_a_relative_date(crm: Crm) -> None:
    await crm.talk("log a deal", "Renewal", "won")
    before = (datetime.now(UTC).date() + timedelta(weeks=3)).isoformat()
    assert await crm.say("in 3 weeks") == ['How much is it worth? (or "skip")']
    after = (datetime.now(UTC).date() + timedelta(weeks=3)).isoformat()
    new_id, summary = created(await crm.say("skip"))
    record = await opportunity(crm, new_id)
    assert record["CloseDate"] in (before, after)
    assert summary == f"Renewal, Closed Won, closing {record['CloseDate']}"
    assert (record["StageName"], record["Amount"], record["IsWon"]) == ("Closed Won", None, True)


async def test_an_unknown_stage_is_asked_again(crm: Crm) -> None:
    await crm.talk("new opportunity", "Pilot")
    said = await crm.say("somewhere in the middle")
    assert len(said) == 1 and "Prospecting" in said[0]
    assert await crm.say("Qualifcation") == [DATE_PROMPT]  # a small typo is fine
    new_id, summary = created(await crm.talk("2027-01-15", "1200"))
    assert summary == "Pilot, Qualification, closing 2027-01-15, worth 1,200.00 USD"
    assert (await opportunity(crm, new_id))["Amount"] == 1200.0
