"""Opening a bot that fails half-way closes what it opened: the process exits, it never hangs
on the store's worker thread."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.wire_replay import parley_command

CONFIG = """\
bot: {name: Two meanings}
synonyms:
  pizza: [pie]
"""
DIALOG = """\
dialog: bake
intents: [bake something]
synonyms:
  cake: [pie]
nodes:
  - id: done
    type: message
    text: Baked.
"""
FAILSAFE = 60  # seconds; the process exits in a few: it never waits this long unless it hangs


def test_a_bot_that_cannot_open_after_its_store_did_exits_with_the_problem(tmp_path: Path):
    (tmp_path / "dialogs").mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG)
    (tmp_path / "dialogs" / "bake.yaml").write_text(DIALOG)
    # The synonym clash is found when the intent matcher is built, after the store opened.
    try:
        done = subprocess.run(
            [parley_command(), "serve", "--port", "0"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=FAILSAFE,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError("parley serve hung after failing to open the bot") from exc
    assert done.returncode == 1
    assert "dialogs/bake.yaml:4: synonym 'pie' is mapped to 'cake'" in done.stderr
    assert (tmp_path / "var" / "parley.db").exists()  # the store had been opened
