"""`parley integrations authorize` and `list`, as processes, against the sandbox org."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import httpx2
import yaml

from sandbox.server import run_sandbox
from sandbox.testing import complete_authorization

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, org, mode: str, callback: str) -> None:
    config = {
        "dialogs": [],
        "secrets": {"key": "k"},
        "integrations": {"salesforce": {"enabled": False}},
        "auth_profiles": {
            "crm": {
                "identity_provider": "Salesforce",
                "client_id": org.client_id,
                "client_secret": org.client_secret,
                "authorization_url": org.authorize_url,
                "token_url": org.token_url,
                "scope": "api refresh_token",
                "callback_url": callback,
                "mode": mode,
            }
        },
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config))


async def parley(*args: str, cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "runtime.cli",
        *args,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def test_authorize_connects_the_bot_through_a_temporary_listener(tmp_path):
    callback = f"http://127.0.0.1:{free_port()}/oauth/callback"
    async with run_sandbox(port=0, db=tmp_path / "org.db") as org:
        write_config(tmp_path, org, "pre_authorized", callback)
        proc = await parley("integrations", "authorize", "crm", cwd=tmp_path)
        link = ""
        while not link.startswith("http"):
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert line, (await proc.stderr.read()).decode()
            link = line.decode().strip()
        waiting = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert "temporary listener" in waiting
        redirect = await complete_authorization(link, username=org.username, password=org.password)
        assert redirect.startswith(callback)
        async with httpx2.AsyncClient() as http:
            page = await http.get(redirect)
        assert "Connected" in page.text
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, err.decode()
        assert f"Connected to Salesforce as {org.username}" in out.decode()
        assert "(org 00D" in out.decode()

        listing = await parley("integrations", "list", cwd=tmp_path)
        out, err = await asyncio.wait_for(listing.communicate(), 30)
        assert listing.returncode == 0, err.decode()
        row = next(line for line in out.decode().splitlines() if line.startswith("crm"))
        assert row.split()[1:4] == ["yes", "yes", "yes"]


async def test_authorize_refuses_a_per_user_profile(tmp_path):
    async with run_sandbox(port=0, db=tmp_path / "org.db") as org:
        write_config(tmp_path, org, "per_user", "http://127.0.0.1:9/oauth/callback")
        proc = await parley("integrations", "authorize", "crm", cwd=tmp_path)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert "per_user" in err.decode() and "Traceback" not in err.decode()


async def test_authorize_an_unknown_profile(tmp_path):
    (tmp_path / "config.yaml").write_text("dialogs: []\n")
    proc = await parley("integrations", "authorize", "nope", cwd=tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert "There is no auth profile 'nope'" in err.decode()


async def test_list_says_what_the_system_salesforce_app_still_needs(tmp_path):
    (tmp_path / "config.yaml").write_text("dialogs: []\n")
    env_before = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PARLEY_SALES")}
    try:
        proc = await parley("integrations", "list", cwd=tmp_path)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        os.environ.update(env_before)
    assert proc.returncode == 0, err.decode()
    row = next(line for line in out.decode().splitlines() if line.startswith("salesforce"))
    assert "no: set PARLEY_SALESFORCE_CLIENT_ID and _SECRET" in row
    assert row.split()[-3:] == ["user", "system", "per_user"]
