"""A list of records drawn as cards (a `cards` message, spec/channels.md): the node's text above
them, each card's title, subtitle and fields as text (never markup), its buttons working (a
value button says which card it is about; a link opens in a new tab), readable on a phone and a
desktop, on screen when it arrives, still there after a reload, and without axe violations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.channels.browser.chat_page import (
    PHONE,
    SIZES,
    axe_violations,
    in_view,
    launch,
    open_chat,
    ready,
)

LEADS = [
    {
        "Id": "00QgS0000000001AAA",
        "Name": "Pat O'Brien",
        "Company": "Smith & Sons (UK)",
        "Email": "pat@example.com",
        "Status": "Open - Not Contacted",
    },
    {
        "Id": "00QgS0000000002AAA",
        "Name": "<img src=x onerror=alert(1)>",
        "Company": "<b>Bold</b> Ltd",
        "Email": "a.very.long.address.that.must.wrap.on.a.phone@subsidiary.example.com",
        "Status": "Working - Contacted",
    },
    {
        "Id": "00QgS0000000003AAA",
        "Name": "Ada Lovelace",
        "Company": "Analytical Engines",
        "Email": "ada@example.org",
        "Status": "Closed - Converted",
    },
]

LIST_DIALOG = """
dialog: list_leads
intents: [list my leads]
nodes:
  - id: show
    type: message
    text: "I found {{ globals.leads | length }} leads:"
    cards:
      items: "{{ globals.leads }}"
      title: "{{ item.Name }}"
      subtitle: "{{ item.Company }}"
      fields: {Email: "{{ item.Email }}", Status: "{{ item.Status }}"}
      buttons:
        - {label: Delete, value: "delete lead {{ item.Id }}"}
        - {label: View, url: "{{ globals.org_url }}/lightning/r/Lead/{{ item.Id }}/view"}
"""

DELETE_DIALOG = """
dialog: delete_lead
intents: [delete lead]
nodes:
  - id: lead_id
    type: entity
    entity_type: regex
    pattern: "(00Q[0-9A-Za-z]{15})"
    prompt: Which lead?
  - id: done
    type: message
    text: "Deleting {{ entities.lead_id }}."
"""

ORG = "http://127.0.0.1:9"  # never opened: the test reads the links, it does not follow them
CONFIG = {"globals": {"leads": LEADS, "org_url": ORG}}
DIALOGS = {"list_leads": LIST_DIALOG, "delete_lead": DELETE_DIALOG}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as chromium:
        yield chromium


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_leads_are_drawn_as_cards_that_can_be_read_and_used(
    serve_bot, browser, size, tmp_path
):
    served = await serve_bot(DIALOGS, CONFIG)
    chat = await open_chat(browser, served.url, SIZES[size])
    page = chat.page
    await chat.say("list my leads")
    found = await chat.bot_asks("I found 3 leads:")
    cards = found.locator(".card")
    await expect(cards).to_have_count(3)
    await expect(found.locator(".card-title")).to_have_text([lead["Name"] for lead in LEADS])
    await expect(found.locator(".card-subtitle")).to_have_text([lead["Company"] for lead in LEADS])
    await expect(cards.nth(1).locator("dt")).to_have_text(["Email", "Status"])
    await expect(cards.nth(1).locator("dd")).to_have_text([LEADS[1]["Email"], LEADS[1]["Status"]])
    assert await page.locator(".log img, .log b").count() == 0  # text, never markup

    # On screen as it arrives, every card whole, nothing wider than the screen.
    await in_view(page, found.locator("p").first, "the heading")
    for number in range(3):
        card = cards.nth(number)
        await in_view(page, card.get_by_role("button", name="Delete"), f"card {number}: Delete")
        await in_view(page, card.get_by_role("link", name="View"), f"card {number}: View")
        box, bubble = await card.bounding_box(), await found.bounding_box()
        assert box and bubble and box["x"] >= bubble["x"]
        assert box["x"] + box["width"] <= bubble["x"] + bubble["width"]
    email = await cards.nth(1).locator("dd").first.bounding_box()
    card_box = await cards.nth(1).bounding_box()
    assert email and card_box and email["x"] + email["width"] <= card_box["x"] + card_box["width"]
    wide = await page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert wide <= 0, "the page scrolls sideways"
    shot = tmp_path / f"{size}-cards.png"
    await page.screenshot(path=shot)
    assert shot.stat().st_size > 0

    # A link opens the record in a new tab; a value button sends its value, saying which card.
    view = cards.nth(2).get_by_role("link", name="View")
    assert await view.get_attribute("href") == f"{ORG}/lightning/r/Lead/{LEADS[2]['Id']}/view"
    assert await view.get_attribute("target") == "_blank"
    assert await view.get_attribute("rel") == "noopener noreferrer"
    delete = cards.nth(0).get_by_role("button", name="Delete")
    await (delete.tap() if size == "phone" else delete.click())
    await expect(chat.user_says.last).to_have_text("Delete: Pat O'Brien")
    await chat.bot_asks(f"Deleting {LEADS[0]['Id']}.")
    for button in await found.get_by_role("button").all():
        await expect(button).to_be_disabled()  # the list is answered; the links stay
    await expect(found.get_by_role("link", name="View")).to_have_count(3)
    assert chat.watch.errors == []
    await chat.close()


async def test_cards_come_back_after_a_reload_with_their_buttons(serve_bot, browser):
    served = await serve_bot(DIALOGS, CONFIG)
    chat = await open_chat(browser, served.url, PHONE)
    page = chat.page
    await chat.say("list my leads")
    await chat.bot_asks("I found 3 leads:")

    await page.reload()
    await ready(page)
    found = await chat.bot_asks("I found 3 leads:")
    await expect(found.locator(".card-title")).to_have_text([lead["Name"] for lead in LEADS])
    await expect(found.locator("dd").first).to_have_text(LEADS[0]["Email"])
    assert await page.locator(".log img, .log b").count() == 0
    # The last thing the bot said: its buttons still work after the reload.
    delete = found.locator(".card").nth(2).get_by_role("button", name="Delete")
    await in_view(page, delete, "Delete after the reload")
    await delete.tap()
    await chat.bot_asks(f"Deleting {LEADS[2]['Id']}.")
    # After another reload the list is an answered question: its buttons are disabled.
    await page.reload()
    await ready(page)
    await expect(chat.user_says).to_have_count(2)
    await chat.bot_asks(f"Deleting {LEADS[2]['Id']}.")
    await expect(page.locator(".card")).to_have_count(3)
    for button in await page.locator(".card").get_by_role("button").all():
        await expect(button).to_be_disabled()
    assert chat.watch.errors == []
    await chat.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_axe_finds_no_violation_in_cards(serve_bot, browser, size):
    served = await serve_bot(DIALOGS, CONFIG)
    chat = await open_chat(browser, served.url, SIZES[size], bypass_csp=True)
    await chat.say("list my leads")
    await chat.bot_asks("I found 3 leads:")
    assert await axe_violations(chat.page) == []
    await chat.close()
