"""The web chat as a person sees it, on a desktop and on a phone: every question's buttons and
the "Connect" link are on screen when they arrive (inside the viewport, above the composer, not
covered), also once the conversation is longer than the screen, so no one has to scroll to find
them; the composer stays on screen. Screenshots of each key step go to tmp_path."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, expect

from tests.channels.browser.chat_page import SIZES, ChatPage, in_view, launch, open_chat
from tests.channels.conftest import LEAD_DIALOG, crm_config

PIZZA_DIALOG = """
dialog: order_pizza
intents: [order a pizza, i want a pizza]
nodes:
  - id: size
    type: entity
    entity_type: list
    values: [small, medium, large, family]
    prompt: What size?
  - id: cheese
    type: entity
    entity_type: boolean
    prompt: Extra cheese?
  - id: done
    type: message
    text: "A {{ entities.size }} pizza{% if entities.cheese %} with extra cheese{% endif %}."
"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as chromium:
        yield chromium


async def press(chat: ChatPage, button: Locator, size: str) -> None:
    """A click on a desktop, a tap on a phone."""
    await (button.tap() if size == "phone" else button.click())


async def screenshot(chat: ChatPage, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    await chat.page.screenshot(path=path)
    assert path.stat().st_size > 0


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_each_questions_buttons_and_the_connect_link_are_on_screen_when_they_arrive(
    serve_bot, sandbox_org, browser, size, tmp_path
):
    dialogs = {"order_pizza": PIZZA_DIALOG, "new_lead": LEAD_DIALOG}
    served = await serve_bot(dialogs, crm_config(sandbox_org))
    chat = await open_chat(browser, served.url, SIZES[size])
    page = chat.page

    # Three orders make the conversation longer than the screen: each new question arrives
    # below what is shown, and must be brought into view with its buttons.
    for order in (1, 2, 3):
        await chat.say("order a pizza")
        sizes = await chat.bot_asks("What size?")
        large = sizes.get_by_role("button", name=re.compile("^large$", re.IGNORECASE))
        family = sizes.get_by_role("button", name=re.compile("^family$", re.IGNORECASE))
        await in_view(page, large, f"order {order}: the size button Large")
        await in_view(page, family, f"order {order}: the last size button, Family")
        await press(chat, large, size)

        cheese = await chat.bot_asks("Extra cheese?")
        await expect(chat.user_says.last).to_have_text(re.compile("^large$", re.IGNORECASE))
        for chip in await sizes.locator("button.chip").all():
            await expect(chip).to_be_disabled()  # that question is answered
        yes, no = cheese.get_by_role("button", name="Yes"), cheese.get_by_role("button", name="No")
        await in_view(page, yes, f"order {order}: Yes")
        await in_view(page, no, f"order {order}: No")
        if order == 3:
            await screenshot(chat, tmp_path, f"{size}-yes-no")
        await press(chat, yes if order != 2 else no, size)
        await expect(chat.user_says.last).to_have_text("Yes" if order != 2 else "No")
        await expect(yes).to_be_disabled()
        await expect(no).to_be_disabled()
        cheesy = " with extra cheese" if order != 2 else ""
        await expect(chat.bot_says.last).to_have_text(f"A large pizza{cheesy}.")
        await in_view(page, chat.bot_says.last, f"order {order}: the answer")

    scrolls = await page.evaluate("(l => l.scrollHeight > l.clientHeight)(log)")
    assert scrolls, "the conversation should be longer than the log, or nothing was tested"

    # The key step: the link that connects the account.
    await chat.say("create a lead")
    await expect(chat.bot_says.last).to_have_text("What is the lead's last name?")
    await chat.say("Babbage")
    await chat.say("Analytical Engines")
    connect = page.locator("a.connect")
    await expect(connect).to_have_text("Connect Sandbox CRM")
    await in_view(page, connect, "the Connect link")
    await screenshot(chat, tmp_path, f"{size}-connect")

    async with chat.context.expect_page() as opened:
        await press(chat, connect, size)
    login = await opened.value
    await login.fill("#username", sandbox_org.username)
    await login.fill("#password", sandbox_org.password)
    await login.click("button.allow")
    await expect(login.locator("#result")).to_have_text("Connected. You can return to the chat.")
    await login.close()

    created = await chat.bot_asks(re.compile(r"^Lead 00Q\w+ created for Analytical Engines\.$"))
    await in_view(page, created, "the resumed conversation's answer")
    await screenshot(chat, tmp_path, f"{size}-created")
    assert chat.watch.errors == []
    await chat.close()


LONG_DIALOG = """
dialog: terms
intents: [show me the terms]
nodes:
  - id: agree
    type: entity
    entity_type: boolean
    prompt: "{{ globals.terms }}"
  - id: done
    type: message
    text: "{% if entities.agree %}Agreed.{% else %}Not agreed.{% endif %}"
"""


async def test_a_long_question_on_a_phone_shows_its_buttons_and_the_composer_stays(
    serve_bot, browser, tmp_path
):
    terms = " ".join(["Please read these terms before you agree to them."] * 14) + " Agree?"
    served = await serve_bot({"terms": LONG_DIALOG}, {"globals": {"terms": terms}})
    chat = await open_chat(browser, served.url, SIZES["phone"])
    page = chat.page
    composer = page.locator("#composer")
    for _ in range(2):
        await chat.say("show me the terms")
        question = await chat.bot_asks(terms)
        await in_view(page, question.get_by_role("button", name="Yes"), "Yes under a long text")
        await in_view(page, question.get_by_role("button", name="No"), "No under a long text")
        await expect(composer).to_be_in_viewport(ratio=1)
        await expect(page.locator("#text")).to_be_in_viewport(ratio=1)
        await chat.say("no")
        await expect(chat.bot_says.last).to_have_text("Not agreed.")
    # The page itself never scrolls: only the log does, so the composer cannot leave.
    overflow = await page.evaluate(
        "document.scrollingElement.scrollHeight - document.scrollingElement.clientHeight"
    )
    assert overflow <= 0
    await screenshot(chat, tmp_path, "phone-long-question")
    assert chat.watch.errors == []
    await chat.close()
