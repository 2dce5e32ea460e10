"""docs/understanding-users.md: its files make a bot that validates, replays its transcript and
explains a message as the page says, and its sample error is what Parley prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.pages import ROOT, text_blocks, write_page_bot
from tests.runtime.cli.test_cli import parley

PAGE = ROOT / "docs" / "understanding-users.md"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {"dialogs/order_lunch.yaml", "config.yaml", "tests/lunch_phrasings.transcript.yaml"}
    return write_page_bot(PAGE, tmp_path_factory.mktemp("lunch_bot"), files)


def test_the_page_bot_validates(bot):
    done = parley("validate", cwd=bot)
    assert done.returncode == 0, done.stderr
    assert "OK: 1 dialog(s) valid." in done.stdout


def test_the_page_transcript_passes(bot):
    done = parley("test", "tests", cwd=bot)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 0 failed" in done.stdout


def test_the_explain_example_is_what_chat_prints(bot):
    (example,) = [b for b in text_blocks(PAGE) if "parley chat --explain" in b]
    said = re.search(r"you> (.*)\n", example).group(1)
    shown = re.search(r"  \[intent\] (\S+) [\d.]+ \(like \"(.*?)\"\).* -> (.*)\n", example)
    done = parley("chat", "--explain", cwd=bot, stdin=said + "\n")
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("  [intent]"))
    got = re.match(r"  \[intent\] (\S+) [\d.]+ \(like \"(.*?)\"\).* -> (.*)", line)
    assert got is not None, line
    assert got.groups() == shown.groups()
    assert "For how many people?" in done.stdout


def test_the_synonym_error_example_is_what_validate_prints(bot, tmp_path):
    (example,) = [b for b in text_blocks(PAGE) if "synonym 'sub'" in b]
    dialog = (bot / "dialogs" / "order_lunch.yaml").read_text()
    clash = dialog.replace(
        "  sandwich: [sarnie, sub]\n", "  sandwich: [sarnie, sub]\n  subscription: [sub]\n"
    )
    assert clash != dialog
    for name in ("config.yaml", "tests/lunch_phrasings.transcript.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((bot / name).read_text())
    (tmp_path / "dialogs").mkdir()
    (tmp_path / "dialogs" / "order_lunch.yaml").write_text(clash)
    done = parley("validate", cwd=tmp_path)
    assert done.returncode == 1
    assert example.strip() in done.stderr.replace(f"{tmp_path}/", "").splitlines()
