"""Opening a bot that fails half-way closes what it opened: the process exits, it never hangs
on the store's worker thread."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runtime.bot import Bot
from runtime.config import load_config
from runtime.dialogs.loader import load_dialog
from runtime.errors import DefinitionError
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


UNKNOWN_PROFILE = """\
dialog: lookup
intents: [look it up]
nodes:
  - id: call
    type: service
    auth: crmm
    request: {url: "https://crm.example/api"}
  - id: done
    type: message
    text: Found.
"""


@pytest.mark.parametrize(
    ("command", "stdin"), [(["serve", "--port", "0"], ""), (["chat"], "look it up\n")]
)
def test_every_way_of_opening_a_bot_refuses_an_unknown_auth_profile(tmp_path, command, stdin):
    """Found when the dialogs load, as `parley validate` finds it, instead of telling the user
    "I'm not connected to that service" once the conversation reaches the node."""
    (tmp_path / "dialogs").mkdir()
    (tmp_path / "config.yaml").write_text(
        "bot: {name: Lookup}\nintegrations: {salesforce: {app: system, mode: per_user}}\n"
    )
    (tmp_path / "dialogs" / "lookup.yaml").write_text(UNKNOWN_PROFILE)
    done = subprocess.run(
        [parley_command(), *command],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=FAILSAFE,
    )
    assert done.returncode == 1, done.stdout
    assert done.stderr.strip().endswith(
        "dialogs/lookup.yaml:6: node 'call' uses auth profile 'crmm', which config.yaml does "
        "not define; known profiles: salesforce"
    ), done.stderr
    assert "Found." not in done.stdout


async def test_dialogs_given_to_bot_open_are_checked_for_their_profiles(tmp_path):
    (tmp_path / "config.yaml").write_text("bot: {name: Lookup}\nauth_profiles: {}\n")
    config = load_config(tmp_path / "config.yaml", env={})
    dialog = load_dialog(UNKNOWN_PROFILE, "lookup.yaml")
    with pytest.raises(DefinitionError) as refused:
        await Bot.open(config, dialogs=[dialog])
    (problem,) = refused.value.problems
    assert (problem.file, problem.line) == ("lookup.yaml", 6)
    assert problem.message.endswith("known profiles: salesforce")  # enabled by default
