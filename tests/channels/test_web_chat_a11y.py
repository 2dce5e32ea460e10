"""The web chat for everyone: axe-core finds no accessibility violation (desktop and phone, with
quick replies, links and the Connect link on screen), a keyboard alone can chat and answer
quick replies with visible focus, and loading the page logs no error and fails no request
(the icon included)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx2
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.channels.browser.chat_page import SIZES, axe_violations, launch, open_chat
from tests.channels.conftest import LEAD_DIALOG, crm_config
from tests.channels.test_web_chat_layout import PIZZA_DIALOG

LINK_DIALOG = """
dialog: show_record
intents: [show me the record]
nodes:
  - id: shown
    type: message
    text: Here is the record.
    buttons:
      - label: View in Salesforce
        url: "{{ globals.org_url }}/lightning/r/Lead/00QgS0000000001AAA/view"
      - label: Thanks
        value: thanks
"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as chromium:
        yield chromium


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_axe_finds_no_violation_in_a_conversation(serve_bot, sandbox_org, browser, size):
    dialogs = {"order_pizza": PIZZA_DIALOG, "show_record": LINK_DIALOG, "new_lead": LEAD_DIALOG}
    config = crm_config(sandbox_org) | {"globals": {"org_url": sandbox_org.url}}
    served = await serve_bot(dialogs, config)
    # axe-core is injected as a script tag, which the page's CSP rightly refuses.
    chat = await open_chat(browser, served.url, SIZES[size], bypass_csp=True)
    page = chat.page
    assert await axe_violations(page) == [], "the empty chat"

    await chat.say("order a pizza")
    sizes = await chat.bot_asks("What size?")
    await sizes.get_by_role("button", name=re.compile("^medium$", re.IGNORECASE)).click()
    await chat.bot_asks("Extra cheese?")
    await chat.say("yes")
    await chat.bot_asks("A medium pizza with extra cheese.")
    await chat.say("show me the record")
    await chat.bot_asks("Here is the record.")  # a link button beside a quick reply
    await chat.say("create a lead")
    await chat.say("Babbage")
    await chat.say("Analytical Engines")
    await expect(page.locator("a.connect")).to_be_visible()
    await page.focus("#text")
    assert await axe_violations(page) == [], "a conversation"
    await chat.close()


async def test_axe_finds_no_violation_on_the_callback_page(serve_bot, browser):
    served = await serve_bot({"order_pizza": PIZZA_DIALOG})
    context = await browser.new_context(bypass_csp=True)
    page = await context.new_page()
    await page.goto(served.url + "/oauth/callback?state=unknown&code=x")
    await expect(page.locator("#result")).not_to_be_empty()
    assert await axe_violations(page) == []
    await context.close()


async def focused(page: Page) -> str:
    """What has the keyboard focus, as `id` or `tag "text"`."""
    return await page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return "body";
          return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()} "${el.textContent}"`;
        }"""
    )


async def shows_focus(target: Locator) -> None:
    """The focused element draws a solid outline at least 2px wide (`:focus-visible`)."""
    await expect(target).to_be_focused()
    outline = await target.evaluate(
        """(el) => {
          const style = getComputedStyle(el);
          return [style.outlineStyle, parseFloat(style.outlineWidth)];
        }"""
    )
    assert outline[0] not in ("none", "hidden") and outline[1] >= 2, outline


async def tab_to(page: Page, target: Locator, key: str, presses: int = 12) -> list[str]:
    """Press `key` (Tab or Shift+Tab) until `target` has the focus; the stops on the way."""
    stops: list[str] = []
    for _ in range(presses):
        await page.keyboard.press(key)
        stops.append(await focused(page))
        if await target.evaluate("(el) => el === document.activeElement"):
            return stops
    raise AssertionError(f"{key} never reached {target}: it went {stops}")


async def test_a_keyboard_alone_can_chat_and_answer_quick_replies(serve_bot, browser):
    served = await serve_bot({"order_pizza": PIZZA_DIALOG})
    chat = await open_chat(browser, served.url)
    page = chat.page
    text, send = page.locator("#text"), page.locator("#send")

    # From the top of the page, Tab reaches the message box, then Send.
    await page.evaluate("document.activeElement.blur()")
    stops = await tab_to(page, text, "Tab")
    await shows_focus(text)
    await page.keyboard.press("Tab")
    assert await focused(page) == "#send", stops
    await shows_focus(send)

    # Typing and Enter sends.
    await page.keyboard.press("Shift+Tab")
    await expect(text).to_be_focused()
    await page.keyboard.type("order a pizza")
    await page.keyboard.press("Enter")
    await expect(chat.user_says.last).to_have_text("order a pizza")
    await expect(text).to_have_value("")
    sizes = await chat.bot_asks("What size?")

    # Back from the message box, the quick replies; Enter picks one, and the focus returns to
    # the message box rather than to a disabled button.
    large = sizes.get_by_role("button", name=re.compile("^large$", re.IGNORECASE))
    await tab_to(page, large, "Shift+Tab")
    await shows_focus(large)
    await page.keyboard.press("Enter")
    await expect(chat.user_says.last).to_have_text(re.compile("^large$", re.IGNORECASE))
    cheese = await chat.bot_asks("Extra cheese?")
    await expect(large).to_be_disabled()
    await expect(text).to_be_focused()

    # Space works as well; disabled quick replies are skipped on the way.
    yes = cheese.get_by_role("button", name="Yes")
    stops = await tab_to(page, yes, "Shift+Tab")
    assert stops == ['button "No"', 'button "Yes"']
    await shows_focus(yes)
    await page.keyboard.press("Space")
    await expect(chat.user_says.last).to_have_text("Yes")
    await chat.bot_asks("A large pizza with extra cheese.")
    await expect(cheese.get_by_role("button")).to_have_count(2)
    for chip in await cheese.get_by_role("button").all():
        await expect(chip).to_be_disabled()
    assert chat.watch.errors == []
    await chat.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_loading_the_page_logs_no_error_and_fails_no_request(serve_bot, browser, size):
    served = await serve_bot({"order_pizza": PIZZA_DIALOG})
    chat = await open_chat(browser, served.url, SIZES[size])
    page = chat.page
    await chat.say("order a pizza")
    await chat.bot_asks("What size?")
    await page.reload()
    await expect(page.locator("#status")).to_have_text("Online")
    # The icon the page names is served, as an SVG.
    icon = await page.locator("link[rel=icon]").get_attribute("href")
    assert icon == "/static/favicon.svg"
    answer = await page.request.get(served.url + icon)
    assert answer.status == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert "<svg" in await answer.text()
    assert chat.watch.errors == []
    await chat.close()


async def test_favicon_ico_leads_to_the_icon(serve_bot):
    """Browsers ask for /favicon.ico on pages that name no icon (the callback page of an old
    cached chat, a JSON answer opened in a tab): it is never a 404."""
    served = await serve_bot({"order_pizza": PIZZA_DIALOG})
    async with httpx2.AsyncClient() as http:
        answer = await http.get(served.url + "/favicon.ico", follow_redirects=True)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/svg+xml"
    assert str(answer.url) == served.url + "/static/favicon.svg"
