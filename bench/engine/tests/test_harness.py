"""RunResult's figures and the comparison table."""

from __future__ import annotations

import pytest

from bench.engine.harness import RunResult, format_table


def result(name: str, seconds: float, bytes_per_conversation: float | None = 2048.0) -> RunResult:
    return RunResult(
        name=name,
        turns=100,
        seconds=seconds,
        latencies_us=[float(n) for n in range(1, 101)],
        bytes_per_conversation=bytes_per_conversation,
        conversations=10,
    )


def test_figures_come_from_the_measurements() -> None:
    run = result("parley", seconds=0.5)
    assert run.turns_per_second == 200
    assert run.p50 == pytest.approx(50.5)
    assert run.p99 == pytest.approx(99.01)


def test_a_single_turn_is_its_own_percentiles() -> None:
    run = RunResult("one", 1, 0.001, [123.0], None)
    assert (run.p50, run.p99) == (123.0, 123.0)


def test_missing_measurements_are_named() -> None:
    with pytest.raises(ValueError, match="empty: no turn latencies"):
        _ = RunResult("empty", 0, 1.0, [], None).p50
    with pytest.raises(ValueError, match="instant: expected a positive duration"):
        _ = RunResult("instant", 5, 0.0, [1.0], None).turns_per_second


def test_table_lines_up_and_gives_the_ratio_to_the_baseline() -> None:
    table = format_table(
        [
            result("botbuilder", seconds=1.0),
            result("parley", seconds=0.1, bytes_per_conversation=None),
        ],
        "botbuilder",
    )
    lines = table.splitlines()
    assert lines[0].split() == [
        "name", "conversations", "turns", "turns/s", "p50", "µs", "p99", "µs", "bytes/conv", "ratio"
    ]  # fmt: skip
    assert len({len(line) for line in lines}) == 1
    assert lines[2].split() == ["botbuilder", "10", "100", "100", "50", "99", "2,048", "1.00x"]
    assert lines[3].split() == ["parley", "10", "100", "1,000", "50", "99", "-", "10.00x"]


def test_table_needs_its_baseline() -> None:
    with pytest.raises(ValueError, match="expected the baseline 'botbuilder' among the results"):
        format_table([result("parley", seconds=1.0)], "botbuilder")
