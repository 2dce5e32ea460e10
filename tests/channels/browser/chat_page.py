"""The web chat as a person sees it, in headless Chromium (Debian's, never a downloaded build).

* `launch()`: a browser; `open_chat(browser, url, PHONE)`: a page on the chat at a screen size,
  with a `Watch` of what went wrong on it (console errors, uncaught exceptions, failed requests).
* `in_view(page, locator)`: waits until the element is where a person sees it: inside the
  viewport, below the header, above the composer, and not covered by anything (the element at
  its centre is itself).
* `axe_violations(page)`: axe-core's findings, injected from `tests/channels/browser/node_modules`
  (`npm ci --prefix tests/channels/browser` installs it; scripts/test does).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    async_playwright,
    expect,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000  # a failsafe, not a measured duration
WAIT = TIMEOUT_MS / 1000
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@asynccontextmanager
async def launch() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Watch:
    """What went wrong on a page: what a person would see in the browser's console."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def _failed(self, request: Request) -> None:
        self.errors.append(f"failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"{response.status}: {response.request.method} {response.url}")


@dataclass
class ChatPage:
    context: BrowserContext
    page: Page
    watch: Watch

    @property
    def bot_says(self) -> Locator:
        return self.page.locator(".bubble.bot")

    @property
    def user_says(self) -> Locator:
        return self.page.locator(".bubble.user")

    async def bot_asks(self, text: str | re.Pattern[str]) -> Locator:
        """The bot's latest message once its text is `text`, pinned: a locator that keeps
        naming that bubble when more messages follow."""
        await expect(self.bot_says.last.locator("p").first).to_have_text(text)
        return self.bot_says.nth(await self.bot_says.count() - 1)

    async def say(self, text: str) -> None:
        await self.page.fill("#text", text)
        await self.page.press("#text", "Enter")

    async def close(self) -> None:
        await self.context.close()


async def open_chat(
    browser: Browser, url: str, size: dict[str, Any] = DESKTOP, **options: Any
) -> ChatPage:
    """A new browser profile (so a new user) on the chat at `url`, once it is online.
    `options` go to the browser context (`bypass_csp=True` lets axe-core's script tag in)."""
    context = await browser.new_context(**size, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    watch = Watch()
    watch.attach(page)
    await page.goto(url + "/")
    await ready(page)
    return ChatPage(context, page, watch)


async def ready(page: Page) -> None:
    """Online, and the conversation so far (asked for on connecting) is shown."""
    await expect(page.locator("#status")).to_have_text("Online")
    await expect(page.locator("#log")).not_to_have_attribute("aria-busy", "true")


# Where the element is compared with what surrounds it; each problem is a sentence.
_WHERE = """(el) => {
  const problems = [];
  const box = el.getBoundingClientRect();
  const log = document.getElementById("log").getBoundingClientRect();
  const composer = document.getElementById("composer").getBoundingClientRect();
  const width = document.documentElement.clientWidth;
  const height = window.innerHeight;
  const name = (node) => node ? node.outerHTML.slice(0, 120) : "nothing";
  if (box.width === 0 || box.height === 0) problems.push("it has no size");
  if (box.left < 0 || box.right > width)
    problems.push(`it spans x ${box.left}..${box.right}, the viewport 0..${width}`);
  if (box.top < log.top) problems.push(`its top ${box.top} is above the log's top ${log.top}`);
  if (box.bottom > composer.top)
    problems.push(`its bottom ${box.bottom} is below the composer's top ${composer.top}`);
  if (composer.top < 0 || composer.bottom > height)
    problems.push(`the composer spans y ${composer.top}..${composer.bottom} of 0..${height}`);
  const x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  if (!hit || !(hit === el || el.contains(hit)))
    problems.push(`at its centre (${x}, ${y}) is ${name(hit)}`);
  return problems;
}"""


async def in_view(page: Page, target: Locator, what: str) -> None:
    """Wait until `target` is fully visible where a person looks, not only in the DOM: the
    chat may still be scrolling to it. Fails with what is wrong after the failsafe."""
    await expect(target).to_be_attached()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        problems = await target.evaluate(_WHERE)
        if not problems:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{what} is not in view: " + "; ".join(problems))
        await asyncio.sleep(0.05)


async def settled(page: Page) -> None:
    """Wait for the page's animations (a new bubble rises into place) and smooth scrolling to
    end, so that what is measured or checked is what stays on screen."""
    await page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
    await page.evaluate(
        """() => new Promise((done) => {
          const log = document.getElementById("log");
          let last = -1;
          const check = () => {
            if (!log || log.scrollTop === last) return done();
            last = log.scrollTop;
            setTimeout(check, 100);
          };
          check();
        })"""
    )


async def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now, one line each (rule, impact, where)."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci --prefix tests/channels/browser`"
    await settled(page)
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    found = await page.evaluate("axe.run().then((r) => r.violations)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + json.dumps([node["target"] for node in v["nodes"]])
        for v in found
    ]
