"""A transcript as frozen dataclasses: its steps, its fixtures and its stubs, each with its line.

Built by `runtime.transcripts.loader` from a ``*.transcript.yaml`` file; the replayer never sees
raw YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ANY_USER = ""  # Transcript.user_id when the file names none: a fresh user per replay
UNSET: Any = object()  # ExpectState.dialog, .node, .intent when the step does not check them
RESTART_SERVER = "server"  # `restart: server`, the one thing a `restart` step restarts


@dataclass(frozen=True, slots=True)
class UserSays:
    """``user: TEXT``: the user sends TEXT."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class BotSays:
    """``bot: ...``: what the next bot message must be. Unset checks are not made."""

    line: int
    text: str | None = None  # exact text
    match: re.Pattern[str] | None = None  # the whole text matches
    contains: str | None = None
    auth_link: str | None = None  # an auth_link message for this profile
    buttons: tuple[str, ...] | None = None  # exactly these button labels, in order
    cards: tuple[str, ...] | None = None  # a `cards` message with exactly these titles


@dataclass(frozen=True, slots=True)
class Authorize:
    """``authorize: PROFILE`` (allow) or ``deny: PROFILE``: follow the last auth link."""

    line: int
    profile: str
    allow: bool = True


@dataclass(frozen=True, slots=True)
class ExpectNoMore:
    """``expect_no_more: true``: the bot has said nothing further."""

    line: int


@dataclass(frozen=True, slots=True)
class Restart:
    """``restart: server``: the bot's server stops and starts again on the same store.

    Every bot message must have been matched by then; the conversation goes on with the new
    server, which knows only what the store kept.
    """

    line: int


@dataclass(frozen=True, slots=True)
class ExpectState:
    """``expect: {...}``: the conversation's state; a key left out is not checked.

    `dialog` and `node` hold `UNSET` when not checked (None: no dialog is active). `intent`
    is the dialog the last user message matched best, `UNSET` when not checked (None: none).
    `held` lists the dialogs on hold, oldest first, None when not checked (empty: none held).
    """

    line: int
    dialog: str | None = UNSET
    node: str | None = UNSET
    intent: str | None = UNSET
    status: str | None = None
    entities: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    held: tuple[str, ...] | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> YAML line
    held_lines: tuple[int, ...] = field(default=(), compare=False)  # each held dialog's line


Step = UserSays | BotSays | Authorize | ExpectNoMore | ExpectState | Restart


@dataclass(frozen=True, slots=True)
class StubReply:
    """One answer of a stubbed service node: an HTTP response, or a transport failure."""

    status: int = 200
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    error: str | None = None  # set: the call fails as if the service could not be reached
    unknown: bool = False  # the call went out and its answer never arrived


@dataclass(frozen=True, slots=True)
class Stub:
    """Answers for the service node `node` (of `dialog`, or of any dialog when None).

    Successive calls get successive replies; the last one repeats.
    """

    node: str
    dialog: str | None
    replies: tuple[StubReply, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Fixtures:
    """The world before the first step."""

    entities: dict[str, Any] = field(default_factory=dict)  # applied when the first dialog begins
    globals: dict[str, Any] = field(default_factory=dict)  # over config.yaml's, this replay only
    dialog: str | None = None  # started (with `entities`) before the first step
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Transcript:
    file: str
    name: str
    line: int
    steps: tuple[Step, ...]
    user_id: str = ANY_USER
    fixtures: Fixtures = field(default_factory=Fixtures)
    stubs: tuple[Stub, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.file}: {self.name}"
