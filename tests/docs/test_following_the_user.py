"""docs/following-the-user.md: its files make a bot that validates and replays its transcript,
its `parley chat` exchange and its amend_words snippet do what the page says, and its sample
errors are what `parley validate` prints."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.docs.pages import ROOT, text_blocks, write_page_bot
from tests.runtime.cli.test_cli import parley

PAGE = ROOT / "docs" / "following-the-user.md"
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
DIALOG = "dialogs/book_table.yaml"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        "config.yaml",
        "dialogs/book_table.yaml",
        "dialogs/opening_hours.yaml",
        "tests/booking.transcript.yaml",
    }
    return write_page_bot(PAGE, tmp_path_factory.mktemp("restaurant_bot"), files)


def copy_of(bot: Path, where: Path, name: str, old: str, new: str) -> Path:
    """The page's bot in `where`, with `old` replaced by `new` in its file `name`."""
    folder = where / "bot"
    shutil.copytree(bot, folder, ignore=shutil.ignore_patterns("var"))
    text = (folder / name).read_text()
    assert old in text, old
    (folder / name).write_text(text.replace(old, new, 1))
    return folder


def text_block(containing: str) -> str:
    (block,) = [b for b in text_blocks(PAGE) if containing in b]
    return block


def validate_error(folder: Path) -> list[str]:
    done = parley("validate", cwd=folder)
    assert done.returncode == 1, done.stdout
    return done.stderr.replace(f"{folder}/", "").splitlines()


def test_the_page_bot_validates(bot):
    done = parley("validate", cwd=bot)
    assert done.returncode == 0, done.stderr
    assert "OK: 2 dialog(s) valid." in done.stdout


def test_the_page_transcript_passes(bot):
    done = parley("test", "tests", cwd=bot)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 0 failed" in done.stdout


def test_the_transcript_shows_what_the_page_is_about(bot):
    transcript = (bot / "tests" / "booking.transcript.yaml").read_text()
    for shown in ("under the name of Chen", "Back to: Book a table.", "held: [book_table]"):
        assert shown in transcript
    assert "Changed party to 6." in transcript
    assert "buttons: [Yes, No]" in transcript


def test_the_ask_exchange_is_what_chat_prints(bot, tmp_path):
    example = text_block('bot> Do you want to leave "Book a table"')
    said = re.findall(r"^you> (.*)$", example, re.MULTILINE)
    answered = re.findall(r"^(?:bot>|    ) (.*)$", example, re.MULTILINE)  # and its buttons
    folder = copy_of(bot, tmp_path, "config.yaml", "interruptions: hold", "interruptions: ask")
    done = parley("chat", cwd=folder, stdin="".join(line + "\n" for line in said))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == answered


def test_the_amend_words_snippet_works_in_the_page_bot(bot, tmp_path):
    (snippet,) = [b for b in YAML_BLOCK.findall(PAGE.read_text()) if b.startswith("amend_words:")]
    folder = copy_of(bot, tmp_path, DIALOG, "synonyms:\n", snippet + "synonyms:\n")
    assert parley("validate", cwd=folder).returncode == 0
    done = parley(
        "chat", cwd=folder, stdin="book a table for 3 tomorrow\nchange the head count to 5\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Under which name?",
        "Changed head count to 5.",
        "Under which name?",
    ]


def test_the_extract_error_example_is_what_validate_prints(bot, tmp_path):
    example = text_block("an extract pattern needs {value}")
    folder = copy_of(bot, tmp_path, DIALOG, '"name of {value}"', '"name of"')
    assert example.strip() in validate_error(folder)


def test_the_amend_words_error_example_is_what_validate_prints(bot, tmp_path):
    example = text_block("`amend_words` names `size`")
    folder = copy_of(
        bot, tmp_path, DIALOG, "synonyms:\n", "amend_words:\n  size: [portion]\nsynonyms:\n"
    )
    assert example.strip() in validate_error(folder)
