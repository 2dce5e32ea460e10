"""What a transcript names must exist in the bot: dialogs, nodes, service nodes, auth profiles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from runtime.dialogs.model import Dialog, Node, ServiceNode
from runtime.errors import Problem
from runtime.suggestions import did_you_mean
from runtime.transcripts.model import UNSET, Authorize, BotSays, ExpectState, Transcript


@dataclass(frozen=True, slots=True)
class BotShape:
    """The names a transcript may use: the bot's dialogs and its auth profiles."""

    dialogs: Mapping[str, Dialog]
    profiles: frozenset[str]

    def nodes(self, dialog: str | None) -> list[Node]:
        """The nodes of `dialog`, or of every dialog when None."""
        chosen = [self.dialogs[dialog]] if dialog is not None else self.dialogs.values()
        return [node for d in chosen for node in d.nodes]


def check_transcript(transcript: Transcript, bot: BotShape) -> list[Problem]:
    """Every name in `transcript` that `bot` does not have, at its line."""
    return _Checker(transcript, bot).run()


class _Checker:
    def __init__(self, transcript: Transcript, bot: BotShape) -> None:
        self.transcript = transcript
        self.bot = bot
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        fixtures = self.transcript.fixtures
        if fixtures.dialog is not None:
            self.dialog_known(fixtures.dialog, fixtures.lines.get("dialog", fixtures.line))
        for stub in self.transcript.stubs:
            if stub.dialog is None or self.dialog_known(stub.dialog, stub.line):
                services = {n.id for n in self.bot.nodes(stub.dialog) if isinstance(n, ServiceNode)}
                if stub.node not in services:
                    self.problem(
                        stub.line,
                        f"no service node {stub.node!r} in {_where(stub.dialog)} to stub"
                        + _hint(stub.node, services),
                    )
        for step in self.transcript.steps:
            if isinstance(step, Authorize):
                self.profile_known(step.profile, step.line)
            elif isinstance(step, BotSays) and step.auth_link is not None:
                self.profile_known(step.auth_link, step.line)
            elif isinstance(step, ExpectState):
                self.expect(step)
        return self.problems

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.transcript.file, line, message))

    def dialog_known(self, name: str, line: int) -> bool:
        if name in self.bot.dialogs:
            return True
        self.problem(line, f"no dialog {name!r}{_hint(name, self.bot.dialogs)}")
        return False

    def intent_known(self, name: str, line: int) -> None:
        """`expect.intent` names a dialog that a message can start: it has `intents`."""
        if self.dialog_known(name, line) and not self.bot.dialogs[name].intents:
            self.problem(
                line,
                f"dialog {name!r} has no `intents`, so no message can match it; "
                "use `intent: null` for a message that starts no dialog",
            )

    def profile_known(self, name: str, line: int) -> None:
        if name not in self.bot.profiles:
            self.problem(line, f"no auth profile {name!r}{_hint(name, self.bot.profiles)}")

    def expect(self, step: ExpectState) -> None:
        if step.intent is not UNSET and step.intent is not None:
            self.intent_known(step.intent, step.lines["intent"])
        for index, held in enumerate(step.held or ()):
            lines = step.held_lines
            self.dialog_known(held, lines[index] if index < len(lines) else step.line)
        dialog = None if step.dialog is UNSET else step.dialog
        if dialog is not None and not self.dialog_known(dialog, step.lines["dialog"]):
            return
        if step.node is not UNSET and step.node is not None:
            nodes = {n.id for n in self.bot.nodes(dialog)}
            if step.node not in nodes:
                self.problem(
                    step.lines["node"],
                    f"no node {step.node!r} in {_where(dialog)}{_hint(step.node, nodes)}",
                )


def _where(dialog: str | None) -> str:
    return f"dialog {dialog!r}" if dialog else "any dialog"


def _hint(name: str, known: Iterable[str]) -> str:
    options = sorted(known)
    hint = did_you_mean(name, options)
    if hint:
        return f" ({hint})"
    return f" (known: {', '.join(options)})" if options else " (there are none)"
