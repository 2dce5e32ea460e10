"""`python -m sandbox` / `parley sandbox`: prints how to log in, serves, stops cleanly."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from pathlib import Path

import httpx2
import pytest

from sandbox.cli import main
from tests.sandbox.conftest import TLS


async def _start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _banner(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    lines = []
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert line, "the sandbox exited before printing its banner"
        lines.append(line)
        if line.startswith("Press Ctrl+C"):
            return "".join(lines)


async def test_runs_prints_credentials_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    process = await _start("--port", "0", "--db", str(db), "--controls", "--edition", "trial")
    try:
        banner = await _banner(process)
        url = re.search(r"running at (http://127\.0\.0\.1:\d+)", banner)
        assert url is not None
        client_id = re.search(r"client id:\s+(\S+)", banner)
        secret = re.search(r"client secret:\s+(\S+)", banner)
        password = re.search(r"password:\s+(\S+)", banner)
        assert client_id and secret and password
        assert "login URL:      " + url.group(1) + "/services/oauth2/authorize" in banner
        assert "username:       demo@parley.sandbox" in banner
        async with httpx2.AsyncClient(base_url=url.group(1), verify=TLS) as http:
            state = (await http.get("/_sandbox")).json()
            assert state["edition"] == "trial" and state["client_id"] == client_id.group(1)
            issued = await http.post(
                "/services/oauth2/token",
                data={
                    "grant_type": "password",
                    "client_id": client_id.group(1),
                    "client_secret": secret.group(1),
                    "username": "demo@parley.sandbox",
                    "password": password.group(1),
                },
            )
            assert issued.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0
    assert db.exists()


async def test_port_in_use_is_one_clear_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await _start("--port", str(port), "--db", str(tmp_path / "x.db"))
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    text = err.decode()
    assert text == (
        f"cannot listen on 127.0.0.1:{port}: another program is using port {port}; "
        "choose another with --port\n"
    )
    assert "Traceback" not in text


def test_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", "70000"])
    assert exited.value.code == 2
    assert "expected a port from 1 to 65535 (0 for any free port)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["--edition", "galactic"])
    assert exited.value.code == 2
    assert "invalid choice: 'galactic'" in capsys.readouterr().err


def test_unusable_database_is_one_clear_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", "0", "--db", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Cannot open the sandbox database {tmp_path}: ")
    assert "Traceback" not in err
