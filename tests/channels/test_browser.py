"""The web chat in headless Chromium (Debian's, never a downloaded build): chat through a
dialog, open the authorization link, approve on the sandbox org's page, and see the resumed
conversation appear in the chat."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.channels.browser.chat_page import TIMEOUT_MS, launch, ready
from tests.channels.conftest import LEAD_DIALOG, crm_config


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as chromium:
        yield chromium


async def say(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def test_chat_authorize_in_a_new_tab_and_see_the_conversation_resume(
    serve_bot, sandbox_org, browser
):
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org))
    context = await browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(served.url + "/")
    await ready(page)
    bot_says = page.locator(".bubble.bot")

    await say(page, "create a lead")
    await expect(bot_says.last).to_have_text("What is the lead's last name?")
    await say(page, "<img src=x onerror=alert(1)>")
    await expect(bot_says.last).to_have_text(
        "Which company does <img src=x onerror=alert(1)> work for?"
    )
    assert await page.locator(".log img").count() == 0
    await say(page, "Analytical Engines")
    connect = page.locator("a.connect")
    await expect(connect).to_have_text("Connect Sandbox CRM")
    assert await connect.get_attribute("target") == "_blank"

    async with context.expect_page() as opened:
        await connect.click()
    login = await opened.value
    await login.fill("#username", sandbox_org.username)
    await login.fill("#password", sandbox_org.password)
    await login.click("button.allow")
    await expect(login.locator("#result")).to_have_text("Connected. You can return to the chat.")
    assert login.url.startswith(served.url + "/oauth/callback?")

    await expect(bot_says.last).to_have_text(
        re.compile(r"^Lead 00Q\w+ created for Analytical Engines\.$")
    )
    # A reload continues the same conversation: the same user, now connected.
    await page.reload()
    await ready(page)
    await say(page, "create a lead")
    await expect(bot_says.last).to_have_text("What is the lead's last name?")
    await say(page, "Babbage")
    await say(page, "Difference Engines")
    await expect(bot_says.last).to_have_text(
        re.compile(r"^Lead 00Q\w+ created for Difference Engines\.$")
    )
    await context.close()


RECORD_DIALOG = """
dialog: show_record
intents: [show me the record]
nodes:
  - id: shown
    type: message
    text: Here is the record.
    buttons:
      - label: View in Salesforce
        url: "{{ globals.org_url }}/lightning/r/Lead/{{ globals.lead_id }}/view"
      - label: Not a web address
        url: "javascript:alert(1)"
      - label: Thanks
        value: thanks
"""


async def test_a_link_button_opens_its_page_in_a_new_tab(serve_bot, sandbox_org, browser):
    lead_id = "00QgS0000000001AAA"
    config = {"globals": {"org_url": sandbox_org.url, "lead_id": lead_id}}
    served = await serve_bot({"show_record": RECORD_DIALOG}, config)
    context = await browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(served.url + "/")
    await ready(page)

    await say(page, "show me the record")
    reply = page.locator(".bubble.bot").last
    await expect(reply.locator("p")).to_have_text("Here is the record.")
    link = reply.locator("a.chip")
    await expect(link).to_have_count(1)  # the javascript: one is not drawn
    await expect(link).to_be_visible()
    await expect(link).to_have_text("View in Salesforce")
    view = f"{sandbox_org.url}/lightning/r/Lead/{lead_id}/view"
    assert await link.get_attribute("href") == view
    assert await link.get_attribute("target") == "_blank"
    assert await link.get_attribute("rel") == "noopener noreferrer"
    await expect(reply.locator("button.chip")).to_have_text(["Thanks"])

    async with context.expect_page() as opened:
        await link.click()
    record_page = await opened.value
    await record_page.wait_for_load_state()
    assert record_page.url == view
    # opening the link sent nothing: the chat shows no new message from the user
    await expect(page.locator(".bubble.user")).to_have_count(1)
    await expect(reply.locator("button.chip")).to_be_enabled()
    await context.close()
