"""`bench/scale` in small, so that it cannot rot: the real `parley serve`, sandbox org and client
workers, a few hundred connections and a few turns each. Nothing here is timed: the test checks
that the work was done and reported, not how fast."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bench.scale.run import main, parse_args, report, run_scale, script

USERS = 300
ACTIVE = 20
TINY = ["--users", str(USERS), "--active", str(ACTIVE), "--pause", "0.2", "0.6"]


def test_the_script_is_create_leads_whole_conversation() -> None:
    """Every question of the installed template is asked, in its words, and the lead named."""
    template = Path(__file__).parents[2] / "runtime/integrations/salesforce/templates"
    text = (template / "create_lead.yaml").read_text()
    steps = script(7)
    assert len(steps) == 7
    for prompt in ("What is the lead's last name?", 'A phone number? (or "skip")'):
        assert prompt in text and prompt in [expected for _, expected in steps]
    created = steps[-1][1]
    assert not isinstance(created, str)
    last = steps[1][0]
    assert created.fullmatch(f"Lead 00Q{'a' * 15} created for Niklaus {last} of Initech.")
    assert not created.fullmatch(f"Lead 00Q{'a' * 15} created for Ada {last} of Initech.")
    assert not created.fullmatch(f"Lead 00Q{'a' * 14} created for Niklaus {last} of Initech.")


async def test_a_tiny_run_holds_every_user_and_checks_every_answer() -> None:
    affinity = os.sched_getaffinity(0)
    result = await run_scale(parse_args([*TINY, "--seconds", "5"]))

    assert os.sched_getaffinity(0) == affinity  # the test process is not left pinned
    assert result.problems == []
    assert result.held == USERS and result.failures == {} and result.limit is None
    assert result.idle_held == result.idle == USERS - ACTIVE
    assert result.active_held == ACTIVE
    # about 12 turns per active user in 5 s of 0.2-0.6 s pauses; each answer checked
    assert result.turns >= 3 * ACTIVE
    assert result.checked >= result.turns == len(result.latencies)
    assert all(latency > 0 for latency in result.latencies)
    assert result.created >= 1 and result.leads_in_org >= result.created
    assert result.rss_after_kib > result.rss_before_kib
    assert 0 < result.kib_per_connection < 1024
    soft, hard = result.server_nofile
    assert soft == hard  # `parley serve` raised its soft limit to the hard one

    table = report(result)
    assert f"| connections asked / held | {USERS} / {USERS} |" in table
    assert f"| idle users still connected at the end | {USERS - ACTIVE} / {USERS - ACTIVE} |" in (
        table
    )
    assert re.search(r"\| turn latency p50 / p99 / max \| [\d.]+ / [\d.]+ / [\d.]+ ms \|", table)
    assert "limit met: none" in table
    assert f"goal: 20,000 held with <= 20 KiB each: NOT met ({USERS} held" in table
    assert re.search(r"^goal: p99 <= 20 ms: (met|NOT met) \([\d.]+ ms\)$", table, re.M)
    assert "FAILED" not in table


def test_a_server_out_of_open_files_is_the_limit_met(capsys: pytest.CaptureFixture[str]) -> None:
    limit = 200
    argv = [*TINY, "--seconds", "2", "--server-nofile", str(limit), "--connect-timeout", "2"]

    assert main(argv) == 0
    out = capsys.readouterr().out

    assert f"as the server set it {limit}/{limit}" in out
    met = re.search(
        r"^limit met: server out of open files \(RLIMIT_NOFILE (\d+), (\d+) open\) "
        r"at ([\d,]+) connections",
        out,
        re.M,
    )
    assert met, out
    assert int(met[1]) == limit and int(met[2]) >= limit - 64
    held = int(met[3].replace(",", ""))
    assert limit - 64 <= held < limit, out  # the server's own files take a few
    assert re.search(r"^failed connections: server (reset|refused) ", out, re.M), out
    held_line = re.search(r"\| connections asked / held \| 300 / (\d+) \|", out)
    assert held_line and int(held_line[1]) == held
    # the talking went on once some idle users had hung up
    assert "idle users hung up" in out
    assert "FAILED" not in out
