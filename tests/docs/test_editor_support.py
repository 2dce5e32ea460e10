"""docs/editor-support.md, done as the page shows: each `$ ` command of its first two ```text
blocks runs with the installed `parley` in a new folder (the second block in the bot the first
made) and prints what the page shows under it, standard error included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.docs.pages import ROOT, text_blocks

PAGE = ROOT / "docs" / "editor-support.md"
PARLEY = Path(sys.executable).with_name("parley")


def commands(block: str) -> list[tuple[str, str]]:
    """Each `$ command` of a text block, with the lines shown under it."""
    found: list[tuple[str, list[str]]] = []
    for line in block.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            found.append((line[2:], []))
        else:
            found[-1][1].append(line)
    return [(command, "\n".join(shown) + "\n") for command, shown in found]


def run(command: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env |= {"PATH": f"{PARLEY.parent}{os.pathsep}{env.get('PATH', '')}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["bash", "-c", command + " 2>&1"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_init_validate_test_and_chat_print_what_the_page_shows(tmp_path: Path):
    made, used = text_blocks(PAGE)[:2]
    ((init, shown),) = commands(made)
    assert init == "parley init coffee-shop"
    assert run(init, tmp_path) == shown
    bot = tmp_path / "coffee-shop"
    ran = []
    for command, shown in commands(used):
        assert run(command, bot) == shown, command
        ran.append(command.split("|")[-1].split()[1])
    assert ran == ["validate", "test", "chat"]
