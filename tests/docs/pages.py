"""Reading a docs page's example bot: its `<!-- file: PATH -->` blocks and its text blocks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILE_BLOCK = re.compile(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```", re.DOTALL)
TEXT_BLOCK = re.compile(r"```text\n(.*?)```", re.DOTALL)


def write_page_bot(page: Path, folder: Path, expected: set[str]) -> Path:
    """Write the files the page shows into `folder`; they must be exactly `expected`."""
    files = FILE_BLOCK.findall(page.read_text())
    assert {name for name, _ in files} == expected
    for name, text in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def text_blocks(page: Path) -> list[str]:
    return TEXT_BLOCK.findall(page.read_text())
