"""A bot of real processes on the sandbox org, shared by the benches and the test suite's fleet
(`tests/support/fleet.py`): the installed `parley` command, a bot folder with the Salesforce
template ``create_lead`` in mode ``pre_authorized`` on a `sandbox.testing.SandboxOrg`, and the
bot connected as its administrator would, by running ``parley integrations authorize
salesforce``.

    org = SandboxOrg(root / "org")
    await org.start()
    config = write_bot(root / "bot", org=org, port=port, store="sqlite:///var/parley.db",
                       webhook_secret=None, key=secrets.token_urlsafe(32))
    await authorize(config, org)
    # then `parley serve --config CONFIG` with env=bot_env()
"""

from __future__ import annotations

import asyncio
import os
import shutil
import string
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx2
import yaml

from runtime.integrations.installer import Installer
from runtime.integrations.salesforce.profile import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from sandbox.testing import CLIENT_ID, CLIENT_SECRET, START_TIMEOUT, SandboxOrg


class BotFailed(Exception):
    """The bot could not be set up or connected; the message says why."""


def parley_command() -> str:
    """The installed `parley` script: the one beside this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "parley"
    if beside.is_file():
        return str(beside)
    found = shutil.which("parley")
    if found is None:
        raise BotFailed("the `parley` command is not installed (pip install -e .)")
    return found


def write_bot(
    root: Path,
    *,
    org: SandboxOrg,
    port: int,
    store: str,
    webhook_secret: str | None,
    key: str,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """A bot folder at `root` for an instance on `port`: create_lead installed from the
    templates as they are now, the salesforce integration (system app) in pre_authorized mode
    on `org`, the webhook in sync mode (off when `webhook_secret` is None). `extra` adds
    top-level sections of config.yaml (`conversation`, say). Returns config.yaml's path."""
    (root / "var").mkdir(parents=True, exist_ok=True)
    done = Installer("salesforce", root / "dialogs").install(["create_lead"])
    if done != [("create_lead", "installed")]:
        raise BotFailed(f"installing create_lead: {done}")
    address = f"http://127.0.0.1:{port}"
    webhook: dict[str, Any] = {"enabled": False}
    if webhook_secret is not None:
        webhook = {"enabled": True, "secret": webhook_secret, "mode": "sync"}
    config = {
        "dialogs": ["dialogs/"],
        # the port in config.yaml too: `serve --port` is not applied when public_url is set
        "server": {"host": "127.0.0.1", "port": port, "public_url": address},
        "store": {"url": store},
        "secrets": {"key": key},
        "integrations": {
            "salesforce": {"app": "system", "mode": "pre_authorized", "login_url": org.url}
        },
        "channels": {"webhook": webhook},
        **(extra or {}),
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def bot_env() -> dict[str, str]:
    """The bots' environment: this one's, with the system app's credentials on the sandbox."""
    return {**os.environ, CLIENT_ID_ENV: CLIENT_ID, CLIENT_SECRET_ENV: CLIENT_SECRET}


async def authorize(config: Path, org: SandboxOrg) -> str:
    """Connect the bot itself: run ``parley integrations authorize salesforce`` and do what its
    administrator does with the link it prints (the sandbox approves at once). Returns what the
    command said at the end."""
    process = await asyncio.create_subprocess_exec(
        parley_command(),
        "integrations",
        "authorize",
        "salesforce",
        "--config",
        str(config),
        cwd=config.parent,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=bot_env(),
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        link = ""
        while not link.startswith("http"):
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
            if not line:
                raise BotFailed(
                    "parley integrations authorize printed no link: "
                    + (await process.stderr.read()).decode(errors="replace")
                )
            link = line.decode().strip()
        waiting = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
        if b"Waiting for the callback" not in waiting:
            raise BotFailed(f"parley integrations authorize said {waiting!r}")
        approve = await org.http.get(link, follow_redirects=False)
        if approve.status_code != 302:
            raise BotFailed(f"the sandbox did not approve: {approve.status_code} {approve.text}")
        page = await _callback(org.http, approve.headers["Location"])
        if "Connected" not in page.text:
            raise BotFailed(f"the callback page says: {page.text}")
        out, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if process.returncode != 0:
        raise BotFailed(f"parley integrations authorize failed: {err.decode(errors='replace')}")
    return out.decode()


async def _callback(http: httpx2.AsyncClient, url: str) -> httpx2.Response:
    """Open the callback URL; the command says it waits a moment before it listens."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            return await http.get(url)
        except httpx2.ConnectError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


def letters(number: int, width: int = 5) -> str:
    """`number` written in `width` lowercase letters: names that differ for every user (a
    last name of letters only, as create_lead asks for)."""
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = string.ascii_lowercase[digit] + out
    return out
