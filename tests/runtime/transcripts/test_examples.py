"""The transcripts in tests/transcripts/ pass: the example dialogs' ones visit every node and
branch of those dialogs, and the Salesforce templates' ones pass against a sandbox org."""

from __future__ import annotations

import dataclasses

from runtime.config import load_config
from runtime.transcripts import Runner, find_transcripts, open_replay_bot
from tests.runtime.transcripts.conftest import ROOT

EXAMPLES = ("book_demo.yaml", "order_pizza.yaml")


async def test_the_example_transcripts_pass_and_cover_every_node_and_branch():
    files = sorted((ROOT / "tests" / "transcripts").glob("*.transcript.yaml"))
    assert files
    config = load_config(ROOT / "config.yaml", env={})
    examples = tuple(ROOT / "dialogs" / name for name in EXAMPLES)
    async with open_replay_bot(dataclasses.replace(config, dialogs=examples)) as opened:
        runner = Runner(opened.bot, coverage=True)
        results = await runner.run([runner.load(f) for f in files])
    assert [r.render() for r in results if not r.passed] == []
    assert runner.coverage is not None
    report = runner.coverage.render()
    assert "order_pizza" in report and "book_demo" in report
    assert report.splitlines()[-1].startswith("Total coverage: 100.0%"), report


async def test_the_salesforce_template_transcripts_pass_against_a_sandbox_org():
    files, missing = find_transcripts([ROOT / "tests" / "transcripts" / "salesforce"])
    assert len(files) >= 7 and not missing
    config = load_config(ROOT / "config.yaml", env={})
    async with open_replay_bot(config, sandbox=True) as opened:
        runner = Runner(opened.bot, login=opened.login)
        results = await runner.run([runner.load(f) for f in files])
    assert [r.render() for r in results if not r.passed] == []
    assert len(results) == len(files)
