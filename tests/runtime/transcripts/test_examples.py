"""The transcripts of the example dialogs (tests/transcripts/) pass and visit every node and
branch of dialogs/."""

from __future__ import annotations

from runtime.config import load_config
from runtime.transcripts import Runner, find_transcripts, open_replay_bot
from tests.runtime.transcripts.conftest import ROOT


async def test_the_example_transcripts_pass_and_cover_every_node_and_branch():
    files, missing = find_transcripts([ROOT / "tests" / "transcripts"])
    assert files and not missing
    config = load_config(ROOT / "config.yaml", env={})
    async with open_replay_bot(config) as opened:
        runner = Runner(opened.bot, coverage=True)
        results = await runner.run([runner.load(f) for f in files])
    assert [r.render() for r in results if not r.passed] == []
    assert runner.coverage is not None
    report = runner.coverage.render()
    assert "order_pizza" in report and "book_demo" in report
    assert report.splitlines()[-1].startswith("Total coverage: 100.0%"), report
