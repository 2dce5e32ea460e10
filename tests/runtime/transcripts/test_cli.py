"""`parley test`, run as a user runs it: a real process, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.runtime.transcripts.conftest import ROOT, bot_folder, write_transcripts

GOOD = """
name: a small pizza
steps:
  - user: order a pizza
  - bot: {contains: size}
  - user: small
  - bot: Your name?
  - user: Al
  - bot: Thanks Al, a small pizza is coming.
"""

BAD = """
name: the wrong question
steps:
  - user: order a pizza
  - bot: What colour?
"""


def clean_env() -> dict[str, str]:
    """This process's environment without the Salesforce app or a test user."""
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PARLEY_SALESFORCE_", "PARLEY_TEST_"))
    }
    return {**kept, "PYTHONPATH": str(ROOT)}


def parley(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )


def test_all_passing_exits_0_with_the_summary_alone_on_the_last_line(tmp_path):
    bot_folder(tmp_path)
    write_transcripts(tmp_path / "tests" / "transcripts", {"good": GOOD})
    done = parley("test", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["1 passed, 0 failed"]
    assert not (tmp_path / "var" / "parley.db").exists()  # the bot's real store is untouched


def test_failures_exit_1_with_file_line_and_a_diff_never_a_traceback(tmp_path):
    bot_folder(tmp_path)
    broken = {"broken": "steps:\n  - user: hi\n  - bot: {text: [\n"}
    write_transcripts(tmp_path / "t", {"bad": BAD, "good": GOOD} | broken)
    done = parley("test", "t", "nowhere", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "FAILED nowhere: nowhere",
        "nowhere:0: no such file or folder",
        "",
        "FAILED t/bad.transcript.yaml: the wrong question",
        "t/bad.transcript.yaml:4: the bot said something else",
        "  - expected",
        "  + the bot said",
        "  - bot: What colour?",
        "  + bot: What size?",
        "",
        "FAILED t/broken.transcript.yaml: broken",
        "t/broken.transcript.yaml:4: could not parse YAML: expected the node content, but found "
        "'<stream end>'",
        "",
        "1 passed, 3 failed",
    ]
    assert done.stderr == ""


def test_k_selects_by_name_and_coverage_is_listed(tmp_path):
    bot_folder(tmp_path)
    write_transcripts(tmp_path / "t", {"bad": BAD, "good": GOOD})
    done = parley("test", "t", "-k", "SMALL", "--coverage", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Coverage (nodes and branches no transcript visited):"
    assert "  lookup (dialogs/lookup.yaml): 0/12 0.0%" in lines
    assert "    dialogs/lookup.yaml:20: node 'found'" in lines
    assert "  order_pizza (dialogs/pizza.yaml): 6/6 100.0%" in lines
    assert lines[-3:] == ["Total coverage: 33.3% (6/18)", "", "1 passed, 0 failed"]


def test_sandbox_points_salesforce_at_a_sandbox_org(tmp_path):
    from tests.runtime.transcripts.test_authorize import CREATE_LEAD, UP_TO_THE_LINK

    bot_folder(tmp_path, {"lead": CREATE_LEAD})
    text = UP_TO_THE_LINK + "  - authorize: salesforce\n  - bot: {contains: created}\n"
    write_transcripts(tmp_path / "t", {"lead": text})
    done = parley("test", "t", "--sandbox", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["1 passed, 0 failed"]
    # without --sandbox, the built-in profile has no client id: a sandbox org stands in
    done = parley("test", "t", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "no Salesforce org configured: using a local sandbox org\n"
    assert done.stdout.splitlines() == ["1 passed, 0 failed"]
