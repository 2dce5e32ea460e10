"""Write a live conversation down as a transcript that replays green (`parley chat --record`).

Every user message becomes a `user` step and every bot message an exact `bot` step (with its
buttons; an auth link by its profile, since its URL changes every time). Nothing else is
recorded: a transcript replays from a fresh conversation, so record from the start of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from runtime.engine.messages import Outbound
from runtime.transcripts.render import message_step


class _Dumper(yaml.SafeDumper):
    """Writes a text of several lines as a literal block, the way an author would."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


class Recorder:
    def __init__(self, name: str = "recorded conversation") -> None:
        self.name = name
        self.steps: list[dict[str, Any]] = []

    def record(self, user_text: str, outbounds: Sequence[Outbound]) -> None:
        """One turn: what the user said and every message the bot answered with."""
        self.steps.append({"user": user_text})
        self.steps += [message_step(m) for m in outbounds]

    def text(self) -> str:
        data = {"name": self.name, "steps": self.steps}
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)

    def write(self, path: str | Path) -> None:
        """Write the transcript to `path` (a ``*.transcript.yaml`` file by convention)."""
        Path(path).write_text(self.text(), encoding="utf-8")
