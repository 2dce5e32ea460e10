"""What one benchmark run measured, and the plain-text table that compares runs."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RunResult:
    """The measurements of one side of the benchmark.

    - `turns`: user messages handled, over all conversations.
    - `seconds`: time spent handling those turns (the sum of the per-turn times), so work the
      harness does between turns (checking replies, measuring state) is not counted.
    - `latencies_us`: one entry per turn, in microseconds.
    - `bytes_per_conversation`: the serialised size of one conversation's stored state at its
      largest (measured after each turn), averaged over conversations; None when not measured.
    - `conversations`: how many conversations the run held, when the runner knows it.
    """

    name: str
    turns: int
    seconds: float
    latencies_us: list[float]
    bytes_per_conversation: float | None
    conversations: int | None = None

    @property
    def turns_per_second(self) -> float:
        if self.seconds <= 0:
            raise ValueError(f"{self.name}: expected a positive duration, got {self.seconds} s")
        return self.turns / self.seconds

    @property
    def p50(self) -> float:
        """Median turn latency in microseconds."""
        return self._percentile(50)

    @property
    def p99(self) -> float:
        """99th percentile turn latency in microseconds."""
        return self._percentile(99)

    def _percentile(self, which: int) -> float:
        if not self.latencies_us:
            raise ValueError(f"{self.name}: no turn latencies were recorded")
        if len(self.latencies_us) == 1:
            return self.latencies_us[0]
        cuts = statistics.quantiles(self.latencies_us, n=100, method="inclusive")
        return cuts[which - 1]


COLUMNS = ("name", "conversations", "turns", "turns/s", "p50 µs", "p99 µs", "bytes/conv", "ratio")


def _row(result: RunResult, baseline: RunResult) -> tuple[str, ...]:
    ratio = result.turns_per_second / baseline.turns_per_second
    return (
        result.name,
        "-" if result.conversations is None else f"{result.conversations:,}",
        f"{result.turns:,}",
        f"{result.turns_per_second:,.0f}",
        f"{result.p50:,.0f}",
        f"{result.p99:,.0f}",
        "-" if result.bytes_per_conversation is None else f"{result.bytes_per_conversation:,.0f}",
        f"{ratio:.2f}x",
    )


def format_table(results: Sequence[RunResult], baseline_name: str) -> str:
    """Return the results as an aligned text table; `ratio` is turns/s over the baseline's."""
    by_name = {r.name: r for r in results}
    if baseline_name not in by_name:
        raise ValueError(
            f"expected the baseline {baseline_name!r} among the results, "
            f"got {sorted(by_name) or 'none'}"
        )
    baseline = by_name[baseline_name]
    rows = [COLUMNS, *(_row(r, baseline) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        return "  ".join((first, *rest))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:])])


def print_table(results: Sequence[RunResult], baseline_name: str) -> None:
    """Print `format_table(results, baseline_name)`."""
    print(format_table(results, baseline_name))
