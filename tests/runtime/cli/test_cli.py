"""The `parley` command, run as a user runs it: a real process, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
# The `parley` command pip installed next to this Python (the project's entry point), run as a
# user runs it; `python -m runtime.cli` only where it is not installed.
INSTALLED = Path(sys.executable).with_name("parley")
PARLEY = [str(INSTALLED)] if INSTALLED.is_file() else [sys.executable, "-m", "runtime.cli"]


def parley(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PARLEY, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def example_bot(tmp_path: Path) -> Path:
    config = {
        "dialogs": [str(ROOT / "dialogs")],
        "store": {"url": "sqlite:///var/parley.db"},
        "globals": {"demo_service_url": "http://127.0.0.1:9"},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def test_chat_scripted_through_stdin_completes_an_example_dialog(tmp_path):
    cwd = example_bot(tmp_path)
    script = "order a pizza\nlarge\n$20\nABC-1234\nskip\n"
    done = parley("chat", cwd=cwd, stdin=script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "What size?",
        "[small] [medium] [large]",
        "What's your budget?",
        'Do you have a coupon code (like ABC-1234)? Say "skip" if not.',
        'Paste a link to the menu you ordered from last time, or say "skip".',
        "A large pizza for at most 20 USD.",
        "Coupon ABC-1234 applied.",
        "[Order another] [Done]",
    ]


def test_chat_continues_the_conversation_in_a_second_run(tmp_path):
    cwd = example_bot(tmp_path)
    first = parley("chat", cwd=cwd, stdin="order a pizza\n")
    assert first.stdout == "What size?\n[small] [medium] [large]\n"
    done = parley("chat", cwd=cwd, stdin="medium\n")
    assert done.stdout == "What's your budget?\n"


def test_validate_accepts_the_example_dialogs(tmp_path):
    done = parley("validate", cwd=example_bot(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_validate_reports_every_problem_with_file_and_line(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "one.yaml").write_text(
        "dialog: one\nnodes:\n  - id: ask\n    type: entity\n    promt: Name?\n"
        "  - id: say\n    type: message\n    text: hi\n    next: nowhere\n"
    )
    done = parley("validate", str(bad), cwd=example_bot(tmp_path))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any(line.startswith(f"{bad / 'one.yaml'}:5:") and "promt" in line for line in lines)
    assert any(line.startswith(f"{bad / 'one.yaml'}:9:") and "nowhere" in line for line in lines)
    assert "Traceback" not in done.stderr


def test_validate_reports_an_unknown_auth_profile(tmp_path):
    cwd = example_bot(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.yaml").write_text(
        "dialog: x\nnodes:\n  - id: call\n    type: service\n    auth: crm\n"
        "    request:\n      url: http://127.0.0.1:9/\n"
    )
    done = parley("validate", str(tmp_path / "d"), cwd=cwd)
    assert done.returncode == 1
    assert ":5:" in done.stderr and "'crm'" in done.stderr


def test_validate_reports_a_bad_config_by_key_path(tmp_path):
    (tmp_path / "config.yaml").write_text("server:\n  port: abc\n")
    done = parley("validate", cwd=tmp_path)
    assert done.returncode == 1
    assert "server.port" in done.stderr
    assert "Traceback" not in done.stderr


def test_graph_prints_mermaid(tmp_path):
    done = parley("graph", "book_demo", cwd=example_bot(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("flowchart TD\n")
    assert 'confirm -->|"entities.confirm"| book' in done.stdout
    assert 'book -->|"transport error"| unreachable' in done.stdout


def test_graph_of_an_unknown_dialog_is_a_plain_error(tmp_path):
    done = parley("graph", "nope", cwd=example_bot(tmp_path))
    assert done.returncode == 1
    assert "There is no dialog 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_chat_record_writes_a_transcript_that_replays_green(tmp_path):
    cwd = example_bot(tmp_path)
    recorded = tmp_path / "pizza.transcript.yaml"
    done = parley(
        "chat", "--record", str(recorded), cwd=cwd, stdin="order a pizza\nlarge\n$20\nskip\nskip\n"
    )
    assert done.returncode == 0, done.stderr
    steps = yaml.safe_load(recorded.read_text())["steps"]
    assert steps[:4] == [
        {"user": "order a pizza"},
        {"bot": {"text": "What size?", "buttons": ["small", "medium", "large"]}},
        {"user": "large"},
        {"bot": "What's your budget?"},
    ]
    assert len(steps) == 11  # five answers; four prompts and the two-message summary
    replay = parley("test", str(recorded), cwd=cwd)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert replay.stdout.strip().splitlines()[-1] == "1 passed, 0 failed"
