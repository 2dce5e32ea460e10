"""Parley's exceptions: every exception class in runtime/ and channels/ is one of these (a test
walks the packages and checks that each is drawn here).

    ParleyError
    ├── DefinitionError      a dialog or transcript file is wrong (carries every Problem found)
    ├── YamlError            a file is not YAML that can be read (runtime.yaml_lines)
    ├── PatternError         an `extract` pattern cannot be used (runtime.dialogs.reading.extract)
    ├── ConfigError          config.yaml is wrong (carries every key path found)
    ├── SpecError            an entity's settings are wrong (runtime.entities.base)
    ├── TemplateError        a template or expression failed at run time (names dialog, node, name)
    ├── ServiceError         an outbound HTTP call failed at the transport level
    ├── StoreError           the conversation store failed, or was used wrongly
    │   ├── LockLost         a write under a store lock that had expired was refused
    │   └── UnreadableState  stored bytes are no conversation state (runtime.engine.state)
    ├── AuthError            an OAuth step failed
    │   ├── OAuthFailure     the identity provider refused (runtime.auth.oauth)
    │   └── AuthorizationFailed  a transcript's login did not reach the callback
    │                            (runtime.transcripts.identity)
    ├── ChannelError         a wire message could not be understood
    │   └── FrameError       a frame is malformed (channels.wire)
    ├── UnknownDialog        no dialog has that id
    ├── FolderTaken          `parley init` would write into a bot's folder (runtime.scaffold)
    ├── DialogStopped        a dialog went round in circles (runtime.engine.executor)
    ├── TranscriptError      a transcript did not go as written (runtime.transcripts)
    │   ├── StepFailed       the bot did not answer a step as written
    │   ├── StepError        a step could not be taken
    │   └── TranscriptFailed a transcript failed under pytest
    └── InternalError        Parley broke a rule of its own: a bug to report

Where Python code catches a built-in error, the subclass keeps it as a base too (PatternError
is a ValueError, UnknownDialog a LookupError). Foreign errors (httpx, sqlite, redis, authlib)
are raised ``from`` the error that caused them. One class stays outside: the templating
module's private `_Missing`, which Jinja raises and catches inside a render (it must be Jinja's
UndefinedError) and which Parley turns into a TemplateError before it leaves.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a file, located at the YAML line of the offending key."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ParleyError(Exception):
    """Root of every error Parley raises on purpose."""


class DefinitionError(ParleyError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(ParleyError):
    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


class TemplateError(ParleyError):
    def __init__(self, message: str, *, dialog: str = "", node: str = "", name: str = "") -> None:
        self.dialog, self.node, self.name = dialog, node, name
        where = f"dialog {dialog!r}, node {node!r}: " if dialog else ""
        super().__init__(f"{where}{message}")


class ServiceError(ParleyError):
    """A service call failed before any HTTP response arrived (timeout, refused, bad TLS).

    `maybe_sent`: the request may have reached the service (a read timeout, a dropped
    connection), so its effect may have happened; False when it certainly never left (the
    connection was refused or never made).
    """

    def __init__(self, message: str, *, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class StoreError(ParleyError):
    pass


class LockLost(StoreError):
    """A write made while holding `store.lock(key)` after that lock had expired (its holder was
    paused past the lock's timeout, so another may hold it now) was refused, not made."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"the lock for {key!r} was lost (held past its timeout by a paused process?); "
            "this write was refused so as not to overwrite the new holder's state"
        )


class AuthError(ParleyError):
    pass


class ChannelError(ParleyError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class UnknownDialog(ParleyError, LookupError):
    """No dialog of the bot has this id."""

    def __init__(self, dialog_id: str) -> None:
        self.dialog_id = dialog_id
        super().__init__(f"unknown dialog {dialog_id!r}")


class TranscriptError(ParleyError):
    """A transcript did not go as written."""


class InternalError(ParleyError, RuntimeError):
    """Parley broke a rule of its own (a bug): the message says which; please report it."""
