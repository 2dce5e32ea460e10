"""What a replay found: a result per transcript, each failure at its file and line, as a diff."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from runtime.errors import Problem


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing that went wrong, at `file:line`; `expected` and `said` are shown as a diff."""

    file: str
    line: int
    message: str
    step: str = ""  # the step as written
    expected: tuple[str, ...] = ()
    said: tuple[str, ...] = ()
    seen_as: str = "the bot said"  # what `said` is, in the diff's legend

    @classmethod
    def of(cls, problem: Problem) -> Failure:
        return cls(problem.file, problem.line, problem.message)

    def render(self) -> str:
        lines = [f"{self.file}:{self.line}: {self.message}"]
        if self.step and self.expected != (self.step,):
            lines.append(f"  step: {self.step}")
        if self.expected or self.said:
            lines.append("  - expected")
            lines.append(f"  + {self.seen_as}")
            lines += [f"  {d}".rstrip() for d in difflib.ndiff(self.expected, self.said)]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Result:
    """How one transcript went; it passed when there are no failures."""

    file: str
    name: str
    failures: tuple[Failure, ...] = ()
    steps: int = 0  # steps replayed

    @property
    def passed(self) -> bool:
        return not self.failures

    def render(self) -> str:
        head = f"{'PASSED' if self.passed else 'FAILED'} {self.file}: {self.name}"
        return "\n".join([head, *(f.render() for f in self.failures)])


def summary(results: Sequence[Result]) -> str:
    """``N passed, N failed``."""
    failed = sum(not r.passed for r in results)
    return f"{len(results) - failed} passed, {failed} failed"
