"""The command line of the engine benchmark."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.engine.harness import RunResult
from bench.engine.run import BenchmarkUnavailable, goal_line, load_parley_runner, main


def test_baseline_only_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--conversations", "2", "--baseline-only"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["name", "conversations", "turns"]
    assert lines[2].split()[:3] == ["botbuilder", "2", "14"]
    assert lines[2].split()[-1] == "1.00x"


def test_a_bad_count_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--conversations", "0"])
    assert exit_.value.code == 2
    assert "--conversations: expected at least 1, got 0" in capsys.readouterr().err


def test_an_existing_db_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(b"")
    assert main(["--conversations", "1", "--baseline-only", "--db", str(db)]) == 2
    assert f"{db} already exists" in capsys.readouterr().err


def test_a_missing_parley_side_says_how_to_go_on() -> None:
    with pytest.raises(
        BenchmarkUnavailable, match=re.escape("no_such_side.py) is not written yet")
    ):
        load_parley_runner("bench.engine.no_such_side")


def test_a_module_without_the_runner_is_named() -> None:
    with pytest.raises(
        BenchmarkUnavailable, match=re.escape("bench.engine.harness has no run_parley")
    ):
        load_parley_runner("bench.engine.harness")


def test_goal_line_says_whether_parley_is_five_times_faster() -> None:
    baseline = RunResult("botbuilder", 100, 1.0, [1.0], None)
    assert goal_line(RunResult("parley", 600, 1.0, [1.0], None), baseline).endswith(": met (6.00x)")
    assert goal_line(RunResult("parley", 300, 1.0, [1.0], None), baseline).endswith(
        ": NOT met (3.00x)"
    )
