"""docs/calls-that-change-things.md: its bot validates, its three transcripts pass (found, not
found and sent again, unknown), its snippet is a valid `idempotency_key`, and its sample error
is what `parley validate` prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.docs.pages import ROOT, text_blocks, write_page_bot
from tests.runtime.cli.test_cli import parley

PAGE = ROOT / "docs" / "calls-that-change-things.md"
DIALOG = "dialogs/book_room.yaml"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        "config.yaml",
        DIALOG,
        "snippets/idempotent.yaml",
        "tests/found.transcript.yaml",
        "tests/not_found.transcript.yaml",
        "tests/unknown.transcript.yaml",
    }
    return write_page_bot(PAGE, tmp_path_factory.mktemp("rooms_bot"), files)


def test_the_page_bot_validates(bot):
    done = parley("validate", cwd=bot)
    assert done.returncode == 0, done.stderr
    assert "OK: 1 dialog(s) valid." in done.stdout


def test_the_page_transcripts_pass(bot):
    done = parley("test", "tests", cwd=bot)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed, 0 failed" in done.stdout


def test_a_transcript_that_expects_the_wrong_outcome_fails(bot, tmp_path):
    """The transcripts can fail: a lost answer is not a booking unless verify found it."""
    folder = tmp_path / "bot"
    shutil.copytree(bot, folder, ignore=shutil.ignore_patterns("var"))
    path = folder / "tests" / "unknown.transcript.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  - bot: >-")] + "  - bot: Booked room R-7 for 2 people.\n")
    done = parley("test", "tests", cwd=folder)
    assert done.returncode == 1
    assert "2 passed, 1 failed" in done.stdout


def test_the_idempotency_snippet_is_a_valid_key(bot, tmp_path):
    folder = tmp_path / "bot"
    shutil.copytree(bot, folder, ignore=shutil.ignore_patterns("var"))
    snippet = (folder / "snippets" / "idempotent.yaml").read_text()
    assert yaml.safe_load(snippet) == {
        "idempotency_key": "room-{{ session.id }}-{{ call.attempt }}"
    }
    dialog = folder / DIALOG
    text = dialog.read_text()
    dialog.write_text(
        text.replace(
            "    on_error: not_booked\n",
            "    " + snippet.splitlines()[0] + "\n    on_error: not_booked\n",
        )
    )
    done = parley("validate", cwd=folder)
    assert done.returncode == 0, done.stderr


def test_the_sample_error_is_what_validate_prints(bot, tmp_path):
    folder = tmp_path / "bot"
    shutil.copytree(bot, folder, ignore=shutil.ignore_patterns("var"))
    dialog = folder / DIALOG
    text = dialog.read_text()
    dialog.write_text(text.replace("      found: response.body.total > 0\n", ""))
    done = parley("validate", cwd=folder)
    assert done.returncode == 1
    (sample,) = [b for b in text_blocks(PAGE) if "needs `found`" in b]
    assert done.stderr.replace(f"{folder}/", "").splitlines() == sample.strip().splitlines()
