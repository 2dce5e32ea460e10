"""`parley init`, run as the installed command in real folders: the new bot validates, its
transcripts pass (against a sandbox org that `parley test` starts), `parley chat` answers, and
a folder that already holds a bot is refused untouched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runtime.scaffold import FILES
from runtime.schemas import FOLDER, KINDS, file_name, render
from tests.runtime.cli.test_cli import PARLEY, parley

SCHEMA_LINE = "# yaml-language-server: $schema="


@pytest.fixture
def no_parley_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The new bot as on a machine with no Salesforce app configured."""
    for name in list(os.environ):
        if name.startswith("PARLEY_"):
            monkeypatch.delenv(name)


def test_the_installed_command_is_used():
    assert Path(PARLEY[0]).name == "parley"


def test_init_then_validate_test_and_chat(tmp_path: Path, no_parley_env: None):
    bot = tmp_path / "new" / "coffee-shop"
    done = parley("init", "new/coffee-shop", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Created the bot 'Coffee shop'" in done.stdout
    assert "Next: cd new/coffee-shop && parley test" in done.stdout
    for target in FILES:
        assert (bot / target).is_file(), target
        assert f"  {target}\n" in done.stdout
    assert "name: Coffee shop" in (bot / "config.yaml").read_text()
    assert (bot / "README.md").read_text().startswith("# Coffee shop\n")

    validated = parley("validate", cwd=bot)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert validated.stdout.strip() == "OK: 1 dialog(s) valid."

    tested = parley("test", cwd=bot)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.strip().endswith("2 passed, 0 failed")
    assert "using a local sandbox org" in tested.stdout + tested.stderr

    chat = parley("chat", cwd=bot, stdin="hi\nhow many leads do we have?\nthe open ones\nthanks\n")
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.splitlines() == [
        "Hello! What can I do for you?",
        "Which leads should I count?",
        "[Open] [Working] [Converted] [All]",
        "Sorry, the connection to Salesforce is not set up yet.",
        "You're welcome.",
    ]


def test_the_new_files_point_the_editor_at_the_schemas_written_beside_them(tmp_path: Path):
    bot = tmp_path / "bot"
    assert parley("init", str(bot), cwd=tmp_path).returncode == 0
    for kind in KINDS:
        written = bot / FOLDER / file_name(kind)
        assert written.read_text() == render(kind)
        json.loads(written.read_text())
    for path in [bot / "config.yaml", *(bot / "dialogs").glob("*.yaml")]:
        first = path.read_text().split("\n", 1)[0]
        assert first.startswith(SCHEMA_LINE), path
        target = (path.parent / first.removeprefix(SCHEMA_LINE)).resolve()
        kind = "config" if path.name == "config.yaml" else "dialog"
        assert target == (bot / FOLDER / file_name(kind)).resolve()


def test_init_here_in_an_empty_folder_names_it_after_the_folder(tmp_path: Path):
    bot = tmp_path / "support_bot"
    bot.mkdir()
    done = parley("init", cwd=bot)
    assert done.returncode == 0, done.stderr
    assert "Created the bot 'Support bot' in ." in done.stdout
    assert "Next: parley test" in done.stdout
    assert (bot / "dialogs" / "count_leads.yaml").is_file()


def test_init_with_a_name(tmp_path: Path):
    done = parley("init", "b", "--name", "Helpdesk assistant", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "name: Helpdesk assistant" in (tmp_path / "b" / "config.yaml").read_text()


@pytest.mark.parametrize(
    ("files", "named"),
    [
        ({"config.yaml": "bot: {name: Mine}\n"}, "config.yaml"),
        ({"dialogs/sub/mine.yml": "dialog: mine\n"}, "dialogs/sub/mine.yml"),
        ({"README.md": "# My notes\n"}, "README.md"),
    ],
    ids=["a config", "a dialog", "a file init would write"],
)
def test_a_folder_that_holds_a_bot_is_refused_untouched(tmp_path: Path, files, named):
    bot = tmp_path / "bot"
    for name, text in files.items():
        (bot / name).parent.mkdir(parents=True, exist_ok=True)
        (bot / name).write_text(text)
    before = sorted(p.relative_to(bot) for p in bot.rglob("*"))
    done = parley("init", "bot", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"bot already holds a bot ({named}")
    assert "Traceback" not in done.stderr
    assert sorted(p.relative_to(bot) for p in bot.rglob("*")) == before
    for name, text in files.items():
        assert (bot / name).read_text() == text


def test_a_folder_with_other_files_is_fine(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "dialogs").mkdir()  # empty: no bot yet
    done = parley("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_init_into_a_file_is_refused(tmp_path: Path):
    (tmp_path / "taken").write_text("")
    done = parley("init", "taken", cwd=tmp_path)
    assert done.returncode == 1
    assert "taken is a file" in done.stderr
