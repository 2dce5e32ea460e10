"""The web chat never opens empty and a reload loses nothing: a new user is greeted, and every
(re)connect shows the conversation so far (the server's history), with the question the bot is
waiting for and its buttons, on screen and clickable; older quick replies are disabled."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.channels.browser.chat_page import SIZES, in_view, launch, open_chat, ready
from tests.channels.conftest import LEAD_DIALOG, crm_config
from tests.channels.test_web_chat_layout import PIZZA_DIALOG

GREETING = "Hello! I take pizza orders and create leads."
CONFIG = {"conversation": {"greeting": GREETING}}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as chromium:
        yield chromium


async def test_a_new_user_is_greeted_once_without_asking(serve_bot, browser):
    served = await serve_bot({"order_pizza": PIZZA_DIALOG}, CONFIG)
    chat = await open_chat(browser, served.url)
    page = chat.page
    await expect(chat.bot_says.locator("p").first).to_have_text(GREETING)
    await expect(page.locator(".bubble")).to_have_count(1)  # the history did not repeat it
    await expect(page.locator("#notice")).to_be_hidden()  # the history request was understood
    await in_view(page, chat.bot_says.first, "the greeting")

    # A reload is the same user: the greeting is still the first thing said, and only once.
    await page.reload()
    await ready(page)
    await expect(page.locator(".bubble")).to_have_count(1)
    await expect(chat.bot_says.locator("p").first).to_have_text(GREETING)
    assert chat.watch.errors == []
    await chat.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_reload_shows_the_conversation_and_the_waiting_question_with_its_buttons(
    serve_bot, browser, size
):
    served = await serve_bot({"order_pizza": PIZZA_DIALOG}, CONFIG)
    chat = await open_chat(browser, served.url, SIZES[size])
    page = chat.page
    await chat.say("<img src=x onerror=alert(1)>")
    await chat.say("order a pizza")
    sizes = await chat.bot_asks("What size?")
    await sizes.get_by_role("button", name=re.compile("^large$", re.IGNORECASE)).click()
    await chat.bot_asks("Extra cheese?")
    said = await page.locator(".bubble > p").all_text_contents()

    await page.reload()
    await ready(page)
    # Everything said, in order, each once (a quick reply shows as the text it sent).
    await expect(page.locator(".bubble > p")).to_have_text(
        [re.compile(f"^{re.escape(text)}$", re.IGNORECASE) for text in said]
    )
    assert said[0] == GREETING and said[-1] == "Extra cheese?"
    assert await page.locator(".log img").count() == 0  # the user's text stays text
    await expect(page.locator(".bubble.user").first).to_have_text("<img src=x onerror=alert(1)>")

    # The question answered has its buttons disabled; the one waiting has them clickable, and
    # on screen.
    sizes = page.locator(".bubble.bot", has_text="What size?")
    for chip in await sizes.get_by_role("button").all():
        await expect(chip).to_be_disabled()
    cheese = await chat.bot_asks("Extra cheese?")
    yes = cheese.get_by_role("button", name="Yes")
    await in_view(page, yes, "Yes after the reload")
    await in_view(page, cheese.get_by_role("button", name="No"), "No after the reload")
    await yes.click()
    await chat.bot_asks("A large pizza with extra cheese.")
    await expect(yes).to_be_disabled()
    assert chat.watch.errors == []
    await chat.close()


async def test_what_the_bot_said_while_the_page_was_closed_appears_once(
    serve_bot, sandbox_org, browser
):
    served = await serve_bot({"new_lead": LEAD_DIALOG}, crm_config(sandbox_org) | CONFIG)
    chat = await open_chat(browser, served.url)
    await chat.say("create a lead")
    await chat.say("Babbage")
    await chat.say("Analytical Engines")
    connect = chat.page.locator("a.connect")
    await expect(connect).to_have_text("Connect Sandbox CRM")
    async with chat.context.expect_page() as opened:
        await connect.click()
    login = await opened.value
    await chat.page.close()  # the chat is gone when the account gets connected

    await login.fill("#username", sandbox_org.username)
    await login.fill("#password", sandbox_org.password)
    await login.click("button.allow")
    await expect(login.locator("#result")).to_have_text("Connected. You can return to the chat.")
    await login.close()

    # Back to the chat (same browser, so the same user): the answer given while it was closed
    # is there, once, after the conversation that led to it.
    page = await chat.context.new_page()
    chat.watch.attach(page)
    await page.goto(served.url + "/")
    await ready(page)
    created = page.locator(".bubble.bot", has_text=re.compile(r"Lead 00Q\w+ created"))
    await expect(created).to_have_count(1)
    await expect(page.locator(".bubble").last).to_have_text(
        re.compile(r"^Lead 00Q\w+ created for Analytical Engines\.$")
    )
    await expect(page.locator(".bubble.user")).to_have_text(
        ["create a lead", "Babbage", "Analytical Engines"]
    )
    # The Connect link is still a link in the history (it opens the same authorization).
    link = page.locator("a.connect")
    await expect(link).to_have_count(1)
    assert (await link.get_attribute("href") or "").startswith(sandbox_org.authorize_url + "?")
    assert await link.get_attribute("target") == "_blank"
    await in_view(page, created, "the answer given while the chat was closed")
    assert chat.watch.errors == []
    await chat.close()
