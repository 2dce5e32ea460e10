"""What one step of the executor comes to: go on to a node, or halt (and why).

A step used to answer a node id or None; None meant both "the user answers next" and "a
link went out", which only the state told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class GoTo:
    """Go on: move to `node` (a node id, or END) and run it within this turn."""

    node: str


class Halt(Enum):
    """The turn's run of the dialog stops here."""

    WAIT = "wait"  # an entity node asked, or did not take an answer: the user speaks next
    PARKED = "parked"  # a service node sent an authorization link: its callback resumes
    ENDED = "ended"  # the dialog reached `end`


Step = GoTo | Halt
