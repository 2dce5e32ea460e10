"""What an executor tells its host as it runs, fixed when the executor is built.

As httpx2 takes its event hooks at construction, an executor takes these: nothing sets them
from outside afterwards, so every turn of one executor runs with the same hooks. Each is
optional and costs a `None` check when absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from runtime.engine.turn import Turn


@dataclass(frozen=True, slots=True)
class ExecutorHooks:
    # (turn) before a dialog runs from `turn.state.node`: transcript replay records the visit
    # and applies a transcript's fixture entities.
    on_advance: Callable[[Turn], None] | None = None
    # (dialog id, source node, destination) on every move: transcript coverage.
    on_move: Callable[[str, str, str], None] | None = None
    # (dialog id, node id, status) once per service node call, after retries; status 0 for a
    # transport failure: metrics.
    on_service_call: Callable[[str, str, int], None] | None = None
    # (turn) -> globals seen over config.yaml's for this turn's templates, or None: a
    # transcript's fixture globals.
    more_globals: Callable[[Turn], Mapping[str, Any] | None] | None = None


NO_HOOKS = ExecutorHooks()
