"""get_all_leads in all four setups: newest first, five at a time, optionally by status."""

from __future__ import annotations

import re
from typing import Any

import pytest

from runtime.engine.messages import Outbound
from tests.integrations.salesforce.conftest import Crm

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROMPT = 'Which leads? Pick a status, or say "all".'
STATUSES = [
    "All",
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
]


async def seed_seven(crm: Crm) -> list[str]:
    """Seven leads created together: the newest first means the highest id first."""
    return await crm.seed(
        "Lead",
        *(
            {
                "FirstName": f"Person{n}",
                "LastName": f"Surname{n}",
                "Company": f"Company {n}",
                "Status": "Working - Contacted" if n % 3 == 0 else "Open - Not Contacted",
            }
            for n in range(1, 8)
        ),
    )


TODAY = r"\d{4}-\d\d-\d\d"  # the sandbox's date of creation


def card(n: int, lead_id: str, created: str, instance: str) -> dict[str, Any]:
    status = "Working - Contacted" if n % 3 == 0 else "Open - Not Contacted"
    return {
        "title": f"Person{n} Surname{n}",
        "subtitle": f"Company {n} · {status}",
        "fields": [{"label": "Created", "value": created}, {"label": "Id", "value": lead_id}],
        "buttons": [
            {"label": "Details", "value": f"show lead {lead_id}"},
            {"label": "Open in Salesforce", "url": f"{instance}/lightning/r/Lead/{lead_id}/view"},
        ],
    }


def line(position: int, n: int, lead_id: str) -> str:
    """A card as the plain text of the message shows it, as a regular expression."""
    status = "Working - Contacted" if n % 3 == 0 else "Open - Not Contacted"
    return re.escape(f"{position}. Person{n} Surname{n}, Company {n} · {status}. Created: ") + (
        f"{TODAY}; Id: {lead_id}"
    )


def cards_of(message: Outbound) -> list[dict[str, Any]]:
    assert message.type == "cards", message
    return list(message.cards)


async def test_all_leads_a_page_at_a_time(crm: Crm) -> None:
    ids = await seed_seven(crm)
    out = await crm.reply("list leads")
    assert [m.text for m in out] == [PROMPT]
    assert [label for label, _ in out[0].buttons] == STATUSES
    newest = [(n, ids[n - 1]) for n in range(7, 0, -1)]
    page, more = await crm.reply("all")
    assert page.heading == "Leads, newest first:"
    created = cards_of(page)[0]["fields"][0]["value"]
    assert re.fullmatch(TODAY, created)
    assert cards_of(page) == [card(n, lead_id, created, crm.org.url) for n, lead_id in newest[:5]]
    lines = "\n".join(line(i, n, lead_id) for i, (n, lead_id) in enumerate(newest[:5], 1))
    assert re.fullmatch(re.escape(page.heading) + "\n" + lines, page.text), page.text
    assert more.text == "Show the next 5?"
    page, done = await crm.reply("yes")
    assert page.heading == "Leads, newest first (from number 6 on):"
    assert cards_of(page) == [card(n, lead_id, created, crm.org.url) for n, lead_id in newest[5:]]
    assert done.text == "That's all of them."


async def test_stop_after_the_first_page(crm: Crm) -> None:
    await seed_seven(crm)
    said = await crm.talk("list leads", "all")
    assert said[-1] == "Show the next 5?"
    assert await crm.say("no") == ["Okay."]
    assert (await crm.bot.engine.load(crm.user)).dialog is None


async def test_leads_of_one_status(crm: Crm) -> None:
    ids = await seed_seven(crm)
    await crm.reply("list my leads")
    page, done = await crm.reply("working")
    assert page.heading == "Working - Contacted leads, newest first:"
    lines = f"{line(1, 6, ids[5])}\n{line(2, 3, ids[2])}"
    assert re.fullmatch(re.escape(page.heading) + "\n" + lines, page.text), page.text
    assert done.text == "That's all of them."
    assert await crm.talk("list my leads", "converted") == [
        "There are no Closed - Converted leads in Salesforce yet."
    ]


async def test_an_empty_org(crm: Crm) -> None:
    assert await crm.talk("list leads", "skip") == ["There are no leads in Salesforce yet."]
