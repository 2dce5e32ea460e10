"""get_all_leads in all four setups: newest first, five at a time, optionally by status."""

from __future__ import annotations

import pytest

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


def line(position: int, n: int, lead_id: str) -> str:
    status = "Working - Contacted" if n % 3 == 0 else "Open - Not Contacted"
    return f"{position}. Person{n} Surname{n}, Company {n} ({status}) {lead_id}"


async def test_all_leads_a_page_at_a_time(crm: Crm) -> None:
    ids = await seed_seven(crm)
    out = await crm.reply("list leads")
    assert [m.text for m in out] == [PROMPT]
    assert [label for label, _ in out[0].buttons] == STATUSES
    newest = [(n, ids[n - 1]) for n in range(7, 0, -1)]
    first = "\n".join(line(i, n, lead_id) for i, (n, lead_id) in enumerate(newest[:5], 1))
    assert await crm.say("all") == [first, "Show the next 5?"]
    second = "\n".join(line(i, n, lead_id) for i, (n, lead_id) in enumerate(newest[5:], 6))
    assert await crm.say("yes") == [second, "That's all of them."]


async def test_stop_after_the_first_page(crm: Crm) -> None:
    await seed_seven(crm)
    said = await crm.talk("list leads", "all")
    assert said[-1] == "Show the next 5?"
    assert await crm.say("no") == ["Okay."]
    assert (await crm.bot.engine.load(crm.user)).dialog is None


async def test_leads_of_one_status(crm: Crm) -> None:
    ids = await seed_seven(crm)
    assert await crm.talk("list my leads", "working") == [
        f"{line(1, 6, ids[5])}\n{line(2, 3, ids[2])}",
        "That's all of them.",
    ]
    assert await crm.talk("list my leads", "converted") == [
        "There are no Closed - Converted leads in Salesforce yet."
    ]


async def test_an_empty_org(crm: Crm) -> None:
    assert await crm.talk("list leads", "skip") == ["There are no leads in Salesforce yet."]
