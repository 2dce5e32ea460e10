"""The bot's executor, plus what a replay sets up around a conversation: stubs, fixtures, visits.

`ReplayExecutor.around(executor)` takes over a bot's executor (same dialogs, services,
settings, globals and authorizer). Each replay registers a `World` under its user id:

- **stubs**: a stubbed service node is answered from the transcript instead of over HTTP. The
  request is still rendered, so a broken request template fails the transcript as it would
  fail the bot; authorization (``auth:``) still happens first.
- **fixture entities**: applied when the user's first dialog begins, without replacing a
  value the starting utterance already gave.
- **fixture globals**: seen by this user's templates over config.yaml's ``globals``.

Users without a world run exactly as in the bot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from runtime.dialogs.compiler import CompiledNode
from runtime.engine.executor import Executor
from runtime.engine.service import ServiceRequest
from runtime.engine.turn import Turn
from runtime.entities import Parsed
from runtime.errors import ServiceError
from runtime.transcripts.model import Fixtures, Stub, StubReply


@dataclass(slots=True)
class World:
    """One replay's setup, keyed by its user id in `ReplayExecutor.worlds`."""

    stubs: dict[tuple[str | None, str], Stub] = field(default_factory=dict)
    entities: dict[str, Any] | None = None  # None once applied
    globals: dict[str, Any] = field(default_factory=dict)
    calls: dict[tuple[str | None, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, fixtures: Fixtures, stubs: Iterable[Stub]) -> World:
        return cls(
            stubs={(s.dialog, s.node): s for s in stubs},
            entities=dict(fixtures.entities) or None,
            globals=dict(fixtures.globals),
        )

    def reply(self, dialog: str | None, node: str) -> StubReply | None:
        """The next stubbed reply of `node` in `dialog`, or None when it is not stubbed."""
        key = (dialog, node) if (dialog, node) in self.stubs else (None, node)
        stub = self.stubs.get(key)
        if stub is None:
            return None
        count = self.calls.get(key, 0)
        self.calls[key] = count + 1
        return stub.replies[min(count, len(stub.replies) - 1)]


def stub_response(reply: StubReply, request: ServiceRequest) -> httpx.Response:
    where = f"{request.method} {request.url.split('?', 1)[0]}"
    if reply.unknown:
        raise ServiceError(f"{where}: no answer (stub)", maybe_sent=True)
    if reply.error is not None:
        raise ServiceError(f"{where}: {reply.error} (stub)")
    headers = dict(reply.headers)
    if reply.body is None:
        return httpx.Response(reply.status, headers=headers)
    if isinstance(reply.body, str):
        return httpx.Response(reply.status, headers=headers, text=reply.body)
    return httpx.Response(reply.status, headers=headers, json=reply.body)


class ReplayExecutor(Executor):
    """The executor of a bot under replay: each user's `World` applied, every visit reported."""

    worlds: dict[str, World]
    visit: Callable[[str, str], None] | None  # (dialog, node) entered: transcript coverage

    @classmethod
    def around(cls, executor: Executor) -> ReplayExecutor:
        """A replay executor sharing everything `executor` holds."""
        replay = cls.__new__(cls)
        replay.__dict__.update(vars(executor))
        replay.worlds = {}
        replay.visit = None
        return replay

    async def advance(
        self, turn: Turn, answer: str | None = None, *, parsed: Parsed | None = None
    ) -> None:
        state = turn.state
        if state.dialog is not None and state.node is not None:
            if self.visit is not None:
                self.visit(state.dialog, state.node)
            world = self.worlds.get(turn.user.id)
            if world is not None and world.entities is not None:
                for name, value in world.entities.items():
                    state.entities.setdefault(name, value)
                world.entities = None
        await super().advance(turn, answer, parsed=parsed)

    async def _send(
        self, turn: Turn, cn: CompiledNode, request: ServiceRequest, retry: bool | None = None
    ) -> Any:
        world = self.worlds.get(turn.user.id)
        reply = world.reply(turn.state.dialog, cn.node.id) if world is not None else None
        if reply is None:
            return await super()._send(turn, cn, request, retry)
        return stub_response(reply, request)

    def context(
        self, turn: Turn, *, response: Any = None, value: Any = None, call: Any = None
    ) -> dict[str, Any]:
        ctx = super().context(turn, response=response, value=value, call=call)
        world = self.worlds.get(turn.user.id)
        if world is not None and world.globals:
            ctx["globals"] = {**self.globals, **world.globals}
        return ctx
