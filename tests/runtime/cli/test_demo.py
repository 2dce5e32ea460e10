"""`parley demo` as a newcomer runs it: a real process, then a real browser on its chat page."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[3]
PARLEY = (sys.executable, "-m", "runtime.cli")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo(tmp_path):
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    (tmp_path / "dialogs").mkdir()
    port, sandbox_port = free_port(), free_port()
    proc = subprocess.Popen(
        [*PARLEY, "demo", "--port", str(port), "--sandbox-port", str(sandbox_port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(line.startswith("Try:") for line in lines):
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
    try:
        yield proc, lines, port, tmp_path
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_demo_prints_where_to_go_and_installs_the_templates(demo):
    proc, lines, port, folder = demo
    assert proc.poll() is None, proc.stderr.read()
    assert lines[0].startswith("Installed Salesforce templates into")
    assert re.fullmatch(
        r"Sandbox org:  http://127\.0\.0\.1:\d+  \(login demo@parley\.sandbox / \S+\)", lines[1]
    )
    assert lines[2] == f"Web chat:     http://127.0.0.1:{port}/"
    installed = sorted(p.stem for p in (folder / "dialogs" / "salesforce").glob("*.yaml"))
    assert installed == [
        "create_lead",
        "create_opportunity",
        "delete_lead",
        "get_all_leads",
        "get_lead",
        "search_leads",
        "update_lead",
    ]
    assert httpx2.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}


def test_a_browser_creates_a_lead_with_authorization_then_finds_it(demo):
    proc, lines, port, _ = demo
    assert proc.poll() is None, proc.stderr.read()
    login = re.search(r"login (\S+) / (\S+)\)", lines[1])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#status[data-state=online]")
            box = page.locator("#text")

            def say(text: str, then: str) -> None:
                box.fill(text)
                box.press("Enter")
                page.get_by_text(then, exact=False).last.wait_for()

            say("create a lead", "What is the lead's last name?")
            say("O'Brien", "first name")
            say("skip", "Which company does O'Brien work for?")
            say("Smith & Sons (UK)", "Their email address?")
            say("pat@example.com", "A phone number?")
            say("skip", "job title")
            box.fill("skip")
            box.press("Enter")
            with context.expect_page() as opened:
                page.get_by_text("Connect Salesforce").click()
            consent = opened.value
            consent.wait_for_load_state()
            consent.fill("input[name=username]", login.group(1))
            consent.fill("input[name=password]", login.group(2))
            consent.click("button[value=allow]")
            consent.get_by_text("Connected").wait_for()
            created = page.get_by_text(
                re.compile(r"Lead 00Q\w{15} created for Smith & Sons \(UK\)")
            )
            created.wait_for()
            lead_id = re.search(r"00Q\w{15}", created.inner_text()).group(0)
            say("search leads", "What should I search for?")
            say("O'Brien", "1 lead found")
            card = page.locator(".card").filter(has_text=lead_id).last
            card.wait_for()
            shown = card.inner_text()
            assert "O'Brien" in shown and "Smith & Sons (UK)" in shown, shown
            assert "pat@example.com" in shown, shown
            card.get_by_role("button", name=re.compile("^Details")).click()
            page.get_by_text("O'Brien of Smith & Sons (UK)", exact=False).last.wait_for()
        finally:
            browser.close()
