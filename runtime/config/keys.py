"""What config.yaml's readers ask for, key by key: `Key`, and `KeyRecorder`, which notes it.

config.yaml has no table of keys: each section's reader asks its `Section` for the keys it
knows, by type (`text`, `whole`, `choice`...), and every other key is reported as unknown.
The readers are the definition, then: read with a `KeyRecorder` as their report, each Section
notes the key path and the `Key` of every key asked for, and `runtime.schemas.config` makes the
JSON Schema of config.yaml from those notes, so that the schema follows the readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.config.yaml_tree import Report


@dataclass(frozen=True, slots=True)
class Key:
    """How a key is read. `kind`: text, url, whole, number, flag, choice, texts, mapping (a
    mapping of any keys), section (a mapping of known keys) or any (read by hand)."""

    kind: str
    required: bool = False
    default: Any = None
    low: float | None = None
    high: float | None = None
    above_low: bool = False  # greater than `low`, not equal

    choices: tuple[str, ...] = ()
    secret: bool = False
    only_when_written: bool = False  # a section read only when written and not empty


class KeyRecorder(Report):
    """A report that also notes each key asked for (the first way it is asked for wins: each
    Section method notes its key before it reads it) and never raises for a problem."""

    def __init__(self) -> None:
        super().__init__(None)
        self.keys: dict[str, Key] = {}

    def note(self, path: str, key: Key) -> None:
        self.keys.setdefault(path, key)

    def raise_if_any(self) -> None:
        """Problems of the probe values are expected: nothing is raised."""
