"""docs/getting-started.md, done the way a newcomer does it.

The page is walked from top to bottom in an empty folder: each file it shows is written when the
page shows it (or, when a command already wrote it, compared with what the command wrote), and
each command of a ```text block (a line starting with `$ `) runs with the installed `parley`
and must print what the page shows under it. `parley chat` without a pipe runs on a
pseudo-terminal, typing the page's `you>` lines. `parley serve` starts on a free port, greets a
new web chat user as the page shows and keeps the history; it is stopped by this test.
"""

from __future__ import annotations

import asyncio
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.docs.pages import ROOT

PAGE = ROOT / "docs" / "getting-started.md"
# The `parley` command pip installs next to this Python: the one a newcomer types.
PARLEY = Path(sys.executable).with_name("parley")
ENV = {
    **os.environ,
    "PATH": f"{PARLEY.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    "PYTHONPATH": str(ROOT),
    "COLUMNS": "80",  # `parley --help` wraps at the terminal's width
}
BLOCK = re.compile(r"(?:<!-- file: (\S+) -->\n)?```(\w+)\n(.*?)```", re.DOTALL)
# The page's example of a mistake: in this file, this line written as that one.
MISTAKE = (
    "dialogs/order_coffee.yaml",
    "    prompt: How many cups?\n",
    "    promt: How many cups?\n",
)
SHOWN_FOLDER = "/home/you/coffee-bot"  # where the page's bot folder is in its sample output
SERVE = "parley serve"
TIMEOUT = 120


@dataclass(frozen=True)
class File:
    name: str
    text: str


@dataclass(frozen=True)
class Command:
    line: str
    output: str  # what the page shows under it


@dataclass(frozen=True)
class Done:
    """A step of the walk: what the page shows, and what happened."""

    what: str
    shown: str
    got: str


@dataclass(frozen=True)
class Walk:
    folder: Path
    steps: list[Done]


def page_steps() -> list[File | Command]:
    """The page's files and commands, in the order the page gives them."""
    steps: list[File | Command] = []
    for name, kind, body in BLOCK.findall(PAGE.read_text()):
        if name:
            steps.append(File(name, body))
        elif kind == "text" and body.startswith("$ "):
            for chunk in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
                line, _, output = chunk.partition("\n")
                steps.append(Command(line, output))
    return steps


def shown(text: str) -> str:
    """Output as the page shows it: no trailing spaces, no blank lines at the end."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).rstrip()


def run(line: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=ENV,
    )


def with_mistake(folder: Path, line: str) -> tuple[str, int]:
    """`line` run with the page's misspelt key in the dialog, then the key put back."""
    file = folder / MISTAKE[0]
    text = file.read_text()
    assert MISTAKE[1] in text
    file.write_text(text.replace(MISTAKE[1], MISTAKE[2]))
    try:
        done = run(line, folder)
    finally:
        file.write_text(text)
    return (done.stdout + done.stderr).replace(str(folder), SHOWN_FOLDER), done.returncode


def on_a_terminal(folder: Path, typed: list[str]) -> str:
    """`parley chat` on a pseudo-terminal: each of `typed` is typed after a `you>` prompt, then
    Ctrl-D. Returns the screen, the terminal's echo of what was typed included."""
    main, child = pty.openpty()
    chat = subprocess.Popen(
        [str(PARLEY), "chat"],
        cwd=folder,
        stdin=child,
        stdout=child,
        stderr=child,
        env=ENV,
        start_new_session=True,
    )
    os.close(child)
    screen = b""
    deadline = time.monotonic() + TIMEOUT

    def read(prompts: int | None) -> None:
        """Read until the screen shows `prompts` prompts (None: until the chat exits)."""
        nonlocal screen
        while time.monotonic() < deadline:
            if prompts is not None and screen.count(b"you> ") >= prompts:
                return
            ready, _, _ = select.select([main], [], [], 0.2)
            if not ready:
                if prompts is None and chat.poll() is not None:
                    return
                continue
            try:
                data = os.read(main, 4096)
            except OSError:  # the chat exited and the terminal closed
                return
            if not data:
                return
            screen += data
        raise AssertionError(f"parley chat did not answer in time; the screen:\n{screen!r}")

    try:
        read(1)
        for count, text in enumerate(typed, start=2):
            os.write(main, text.encode() + b"\n")
            read(count)
        os.write(main, b"\x04")  # Ctrl-D
        read(None)
        assert chat.wait(timeout=TIMEOUT) == 0
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.wait()
        os.close(main)
    return screen.decode()


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Walk:
    """The page done in an empty folder, up to `parley serve`."""
    assert PARLEY.is_file(), f"the `parley` command is not installed at {PARLEY}: install it"
    cwd = tmp_path_factory.mktemp("newcomer")
    done: list[Done] = []
    for step in page_steps():
        if isinstance(step, File):
            path = cwd / step.name
            if path.exists():  # a command wrote it: it must be what the page shows
                done.append(Done(f"the file {step.name}", step.text, path.read_text()))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(step.text)
            continue
        line = step.line
        if line.startswith("cd "):
            cwd = cwd / line.removeprefix("cd ").strip()
            assert cwd.is_dir(), line
            done.append(Done(line, step.output, ""))
        elif line.startswith(SERVE):
            continue  # test_the_web_chat_greets_as_the_page_shows
        elif line == "parley chat":
            typed = re.findall(r"^you> (.+)$", step.output, re.MULTILINE)
            done.append(Done(line, step.output, on_a_terminal(cwd, typed)))
        elif "problem(s) found" in step.output:
            output, status = with_mistake(cwd, line)
            assert status == 1, output
            done.append(Done(f"{line} (with {MISTAKE[2].strip()!r})", step.output, output))
        else:
            result = run(line, cwd)
            assert result.returncode == 0, f"$ {line}\n{result.stdout}{result.stderr}"
            done.append(Done(line, step.output, result.stdout + result.stderr))
    return Walk(cwd, done)


def test_the_page_shows_the_whole_path():
    """Files, then validate, chat, record, test and serve, in that order."""
    steps = page_steps()
    files = [s.name for s in steps if isinstance(s, File)]
    assert files == [
        "config.yaml",
        "dialogs/order_coffee.yaml",
        "tests/transcripts/latte.transcript.yaml",
    ]
    commands = [s.line for s in steps if isinstance(s, Command)]
    order = ["parley validate", "| parley chat", "parley chat --record", "parley test", SERVE]
    firsts = [next(i for i, c in enumerate(commands) if wanted in c) for wanted in order]
    assert firsts == sorted(firsts), commands
    assert "parley chat" in commands


def test_every_command_prints_what_the_page_shows(walk):
    wrong = [
        f"$ {step.what}\n--- the page shows\n{shown(step.shown)}\n--- it printed\n{shown(step.got)}"
        for step in walk.steps
        if shown(step.got) != shown(step.shown)
    ]
    assert not wrong, "\n\n".join(wrong)
    assert any(step.what.startswith("the file tests/") for step in walk.steps)


def test_the_recorded_transcript_replays(walk):
    transcript = walk.folder / "tests" / "transcripts" / "latte.transcript.yaml"
    assert transcript.is_file()
    result = run("parley test", walk.folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "1 passed, 0 failed"


def _serve_block() -> Command:
    (command,) = [s for s in page_steps() if isinstance(s, Command) and s.line == SERVE]
    return command


def _greeting_block() -> tuple[str, str]:
    """The greeting the page shows: its text, and its buttons as the chat draws them."""
    (block,) = re.findall(r"```text\n(Hi! .*?)```", PAGE.read_text(), re.DOTALL)
    text, buttons = block.strip().splitlines()
    return text, buttons


def _lines(stream: int, count: int, deadline: float) -> list[str]:
    """The first `count` lines the server writes to `stream` (a file descriptor)."""
    data = b""
    while data.count(b"\n") < count:
        assert time.monotonic() < deadline, f"parley serve printed only {data!r}"
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            chunk = os.read(stream, 4096)
            assert chunk, f"parley serve stopped after printing {data!r}"
            data += chunk
    return data.decode().splitlines()[:count]


async def _web_chat(base: str) -> tuple[dict, dict]:
    """What a new web chat user gets on connecting, then the history it asks for."""
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/api/sessions", json={}) as response:
            assert response.status == 200
            token = (await response.json())["token"]
        async with session.ws_connect(f"{base}/ws?token={token}") as ws:
            greeting = await ws.receive_json(timeout=30)
            await ws.send_json({"type": "history"})
            history = await ws.receive_json(timeout=30)
    return greeting, history


def test_the_web_chat_greets_as_the_page_shows(walk):
    command = _serve_block()
    shown_lines = shown(command.output).splitlines()
    warning = [line for line in shown_lines if line.startswith("WARNING")]
    printed = [line for line in shown_lines if not line.startswith("WARNING")]
    server = subprocess.Popen(
        [str(PARLEY), "serve", "--port", "0"],
        cwd=walk.folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    try:
        lines = _lines(server.stdout.fileno(), len(printed), time.monotonic() + TIMEOUT)
        port = re.search(r":(\d+)/$", lines[-1]).group(1)
        assert lines == [line.replace(":8080", f":{port}") for line in printed]
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/", timeout=30) as page:
            assert page.status == 200
            assert "<title>Coffee bot</title>" in page.read().decode()
        greeting, history = asyncio.run(_web_chat(base))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    text, buttons = _greeting_block()
    assert greeting["type"] == "message"
    assert greeting["text"] == text
    assert " ".join(f"[{b['label']}]" for b in greeting["buttons"]) == buttons
    assert history["type"] == "history"
    assert history["messages"][0]["text"] == text
    assert warning and warning[0] in server.stderr.read().decode()
