"""The Salesforce templates started with everything in one sentence, in all four setups: the
values the sentence holds are not asked for again, what Salesforce stores is what was said, and
the record a message shows carries a "View in Salesforce" link that opens it in the org."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime
from html import unescape
from typing import Any

import pytest

from runtime.engine.messages import Outbound
from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

EMAIL_PROMPT = 'Their email address? (say "skip" if you don\'t have it)'
LEAD_CREATED = re.compile(r"Lead (00Q\w{15}) created for (.+)\.")
DEAL_CREATED = re.compile(r"Opportunity (006\w{15}) created: (.+)\.")


def texts(out: list[Outbound]) -> list[str]:
    return [m.text for m in out]


def one(out: list[Outbound], pattern: re.Pattern[str]) -> re.Match[str]:
    assert len(out) == 1, texts(out)
    match = pattern.fullmatch(out[0].text)
    assert match is not None, texts(out)
    return match


async def opened_link(crm: Crm, message: Outbound, sobject: str, record_id: str) -> str:
    """The message's one button, a link to the record's page in the org; the page's text."""
    url = f"{crm.org.url}/lightning/r/{sobject}/{record_id}/view"
    assert message.to_wire()["buttons"] == [{"label": "View in Salesforce", "url": url}]
    page = await crm.http.get(url)
    assert page.status_code == 200, page.text
    return unescape(page.text)


def a_month_from(day: date) -> date:
    """The same day next month, or that month's last day ("a deal closing next month")."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def record(crm: Crm, sobject: str, record_id: str) -> dict[str, Any]:
    response = await crm.api("GET", f"/sobjects/{sobject}/{record_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def seed_ada(crm: Crm) -> str:
    (ada,) = await crm.seed(
        "Lead",
        {"FirstName": "Ada", "LastName": "Lovelace", "Company": "Acme Robotics",
         "Email": "ada@acme.example"},
    )  # fmt: skip
    return ada


async def test_a_lead_named_with_its_company_asks_only_what_is_missing(crm: Crm) -> None:
    assert await crm.say("create a lead for Pat O'Brien at Acme Corp") == [EMAIL_PROMPT]
    assert await crm.say("skip") == ['A phone number? (or "skip")']
    assert await crm.say("skip") == ["What is O'Brien's job title? (or \"skip\")"]
    out = await crm.reply("skip")
    lead_id, said = one(out, LEAD_CREATED).groups()
    assert said == "Pat O'Brien of Acme Corp"

    lead = await record(crm, "Lead", lead_id)
    assert (lead["FirstName"], lead["LastName"], lead["Company"]) == ("Pat", "O'Brien", "Acme Corp")
    page = await opened_link(crm, out[0], "Lead", lead_id)
    assert "Pat O'Brien" in page and "Acme Corp" in page


async def test_a_sentence_without_a_name_asks_for_everything(crm: Crm) -> None:
    # one of the template's own utterances: "for me" names nobody
    assert await crm.say("can you create a new lead for me?") == ["What is the lead's last name?"]


async def test_a_lead_with_its_email_in_the_sentence(crm: Crm) -> None:
    said = "new lead: Priya Patel from Umbrella Corp, priya.patel@umbrella.com"
    assert await crm.say(said) == ['A phone number? (or "skip")']
    await crm.say("skip")
    lead_id, _ = one(await crm.reply("skip"), LEAD_CREATED).groups()
    lead = await record(crm, "Lead", lead_id)
    assert {k: lead[k] for k in ("FirstName", "LastName", "Company", "Email")} == {
        "FirstName": "Priya",
        "LastName": "Patel",
        "Company": "Umbrella Corp",
        "Email": "priya.patel@umbrella.com",
    }


async def test_a_search_with_its_phrase_searches_right_away(crm: Crm) -> None:
    ada = await seed_ada(crm)
    await crm.seed("Lead", {"LastName": "Turing", "Company": "Bletchley Park"})
    assert await crm.say("search leads for Acme") == [
        f"1 lead found:\n1. Ada Lovelace, Acme Robotics. Email: ada@acme.example; Id: {ada}"
    ]
    searches = [r for r in await crm.requests() if r["path"].endswith("/search/")]
    assert [r["status"] for r in searches] == [200]


async def test_delete_lead_by_id_goes_straight_to_the_confirmation(crm: Crm) -> None:
    ada = await seed_ada(crm)
    out = await crm.reply(f"delete lead {ada}")
    assert texts(out) == [
        f"Delete Ada Lovelace of Acme Robotics ({ada})? This can't be undone here."
    ]
    assert [b["label"] for b in out[0].to_wire()["buttons"]] == ["Yes", "No"]
    assert await crm.say("yes") == ["Deleted Ada Lovelace of Acme Robotics."]
    assert await crm.leads() == []


async def test_show_me_a_lead_by_id_or_by_email(crm: Crm) -> None:
    ada = await seed_ada(crm)
    shown = f"Ada Lovelace of Acme Robotics, Open - Not Contacted. ada@acme.example (id {ada})"
    out = await crm.reply(f"show me lead {ada}")
    assert texts(out) == [shown]
    assert "Ada Lovelace" in await opened_link(crm, out[0], "Lead", ada)
    assert await crm.say("look up the lead with email ada@acme.example") == [shown]


async def test_update_lead_by_id_asks_what_to_change(crm: Crm) -> None:
    ada = await seed_ada(crm)
    assert await crm.say(f"update lead {ada}") == [
        "What should I change for Ada Lovelace of Acme Robotics?"
    ]


async def test_a_deal_with_its_amount_and_close_date(crm: Crm) -> None:
    before = a_month_from(datetime.now(UTC).date())
    assert await crm.say("create a deal worth $10k closing next month") == [
        "What should the opportunity be called?"
    ]
    assert await crm.say("Big Deal") == ["Which stage is it at?"]
    out = await crm.reply("prospecting")
    after = a_month_from(datetime.now(UTC).date())
    deal_id, summary = one(out, DEAL_CREATED).groups()

    deal = await record(crm, "Opportunity", deal_id)
    assert (deal["Name"], deal["StageName"], deal["Amount"]) == ("Big Deal", "Prospecting", 10000.0)
    assert deal["CloseDate"] in (before.isoformat(), after.isoformat())
    assert summary == f"Big Deal, Prospecting, closing {deal['CloseDate']}, worth 10,000.00 USD"
    assert "Big Deal" in await opened_link(crm, out[0], "Opportunity", deal_id)


async def test_a_deal_said_whole_is_created_without_a_question(crm: Crm) -> None:
    out = await crm.reply(
        "create an opportunity called Globex renewal worth $12,500, stage negotiation, "
        "closing 2027-03-31"
    )
    deal_id, summary = one(out, DEAL_CREATED).groups()
    assert summary == "Globex renewal, Negotiation/Review, closing 2027-03-31, worth 12,500.00 USD"
    deal = await record(crm, "Opportunity", deal_id)
    assert (deal["Name"], deal["StageName"], deal["CloseDate"], deal["Amount"]) == (
        "Globex renewal",
        "Negotiation/Review",
        "2027-03-31",
        12500.0,
    )
