"""`parley chat --explain`, run as a user runs it: each message's scores and the decision."""

from __future__ import annotations

import re

import yaml

from tests.conftest import write_bot
from tests.runtime.cli.test_cli import parley
from tests.runtime.transcripts.test_intent import DEMO, PIZZA

SCORE = r"\d+\.\d"


def test_explain_shows_the_scores_and_the_decision_before_the_replies(tmp_path):
    write_bot(tmp_path, {"pizza": PIZZA, "demo": DEMO})
    script = "hello\nI would like a pizza\nlarge\nhi there\n"
    done = parley("chat", "--explain", cwd=tmp_path, stdin=script)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 9, done.stdout
    assert lines[3:5] == ["What size?", "[small] [large]"]  # the choices follow the question
    del lines[4]
    explained, replies = lines[0::2], lines[1::2]
    assert explained[0] == "  [intent] small talk: greeting 100.0 (exact) -> small talk: greeting"
    assert re.fullmatch(
        rf'  \[intent\] order_pizza {SCORE} \(like "[^"]+"\), book_demo {SCORE}(, .+)? '
        r"-> starts order_pizza",
        explained[1],
    ), explained[1]
    assert re.fullmatch(
        r"  \[intent\] .+ -> answer to order_pizza\.size \(not matched\)", explained[2]
    ), explained[2]
    assert re.fullmatch(
        rf'  \[intent\] small talk: greeting {SCORE} \(like "[^"]+"\)(, .+)? '
        r"-> small talk: greeting",
        explained[3],
    ), explained[3]
    assert replies[1:3] == ["What size?", "A large pizza is coming."]
    assert not any(r.startswith("  [intent]") for r in replies)


def test_explain_leaves_the_recording_as_it_was(tmp_path):
    write_bot(tmp_path, {"pizza": PIZZA, "demo": DEMO})
    recorded = tmp_path / "pizza.transcript.yaml"
    done = parley(
        "chat", "--explain", "--record", str(recorded), cwd=tmp_path, stdin="order a pizza\nsmall\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "  [intent] order_pizza 100.0 (exact) -> starts order_pizza"
    )
    assert yaml.safe_load(recorded.read_text())["steps"] == [
        {"user": "order a pizza"},
        {"bot": {"text": "What size?", "buttons": ["small", "large"]}},
        {"user": "small"},
        {"bot": "A small pizza is coming."},
    ]


def test_explain_names_interruptions_and_changes(tmp_path):
    write_bot(tmp_path, {"pizza": PIZZA, "demo": DEMO})
    script = "I would like a pizza\nbook a demo\ncancel\nlarge\n"
    done = parley("chat", "--explain", cwd=tmp_path, stdin=script)
    assert done.returncode == 0, done.stderr
    decisions = [x.split(" -> ")[-1] for x in done.stdout.splitlines() if "[intent]" in x]
    assert decisions[1:3] == ["interrupts: holds order_pizza, for book_demo", "cancels book_demo"]
    assert "Back to: " in done.stdout
