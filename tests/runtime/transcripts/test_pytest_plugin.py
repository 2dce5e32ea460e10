"""The pytest plugin: *.transcript.yaml files collected as test items, in a pytest of their own."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from tests.runtime.transcripts.conftest import DIALOGS, bot_folder, write_transcripts
from tests.runtime.transcripts.test_authorize import CREATE_LEAD, UP_TO_THE_LINK
from tests.runtime.transcripts.test_cli import BAD, GOOD, clean_env

PLUGIN = "runtime.transcripts.pytest_plugin"
# Once installed through its entry point the plugin loads by itself; loading it twice is an error.
INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
LOAD = [] if any(ep.value == PLUGIN for ep in entry_points(group="pytest11")) else ["-p", PLUGIN]


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *LOAD, "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )


def test_each_transcript_is_an_item_and_a_failure_reads_as_parley_test_prints_it(tmp_path):
    bot_folder(tmp_path / "bot", DIALOGS | {"lead": CREATE_LEAD})
    ini = INI + "parley_config = bot/config.yaml\nparley_sandbox = true\n"
    (tmp_path / "pytest.ini").write_text(ini)
    lead = UP_TO_THE_LINK + "  - authorize: salesforce\n  - bot: {contains: created}\n"
    write_transcripts(tmp_path / "t", {"bad": BAD, "good": GOOD, "broken": "steps:\n  - usr: hi\n"})
    write_transcripts(tmp_path / "t", {"lead": "name: a lead in the sandbox\n" + lead})
    (tmp_path / "t" / "notes.yaml").write_text("not: a transcript\n")
    done = pytest_in(tmp_path, "-v")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "t/good.transcript.yaml::a small pizza PASSED" in out
    assert "t/lead.transcript.yaml::a lead in the sandbox PASSED" in out
    assert "t/bad.transcript.yaml::the wrong question FAILED" in out
    assert "t/broken.transcript.yaml::broken FAILED" in out
    assert "2 failed, 2 passed" in out
    bad, broken = tmp_path / "t" / "bad.transcript.yaml", tmp_path / "t" / "broken.transcript.yaml"
    assert f"{bad}:4: the bot said something else\n" in out
    assert "  - bot: What colour?\n  + bot: What size?\n" in out
    assert f"{broken}:2: unknown step 'usr' (did you mean 'user'?)" in out
    assert "Traceback" not in out
