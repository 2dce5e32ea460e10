"""What a replay sets up around a conversation: stubs, fixtures, visits.

`replay_executor(executor, worlds)` builds, from a bot's executor, one with the same dialogs,
settings, globals and authorizer whose hooks and services apply each replay's `World`,
registered under its user id:

- **stubs**: a stubbed service node is answered from the transcript instead of over HTTP
  (`StubbedServices`, the executor's service seam). The request is still rendered, so a broken
  request template fails the transcript as it would fail the bot; authorization (``auth:``)
  still happens first.
- **fixture entities**: applied when the user's first dialog begins, without replacing a
  value the starting utterance already gave.
- **fixture globals**: seen by this user's templates over config.yaml's ``globals``.

Users without a world run exactly as in the bot.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from runtime.engine.executor import Executor
from runtime.engine.service import CallSite, ServiceRequest, Services
from runtime.engine.turn import Turn
from runtime.errors import ServiceError
from runtime.transcripts.coverage import Coverage
from runtime.transcripts.model import Fixtures, Stub, StubReply


@dataclass(slots=True)
class World:
    """One replay's setup, keyed by its user id in the worlds `replay_executor` is given."""

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


def stub_response(reply: StubReply, request: ServiceRequest) -> httpx2.Response:
    where = f"{request.method} {request.url.split('?', 1)[0]}"
    if reply.unknown:
        raise ServiceError(f"{where}: no answer (stub)", maybe_sent=True)
    if reply.error is not None:
        raise ServiceError(f"{where}: {reply.error} (stub)")
    headers = dict(reply.headers)
    if reply.body is None:
        return httpx2.Response(reply.status, headers=headers)
    if isinstance(reply.body, str):
        return httpx2.Response(reply.status, headers=headers, text=reply.body)
    return httpx2.Response(reply.status, headers=headers, json=reply.body)


class StubbedServices(Services):
    """Service calls of users under replay answered from their world's stubs; any other call
    goes to `real`."""

    def __init__(self, real: Services, worlds: Mapping[str, World]) -> None:
        self.real = real
        self.worlds = worlds

    async def call(
        self, request: ServiceRequest, *, retry: bool | None = None, site: CallSite | None = None
    ) -> httpx2.Response:
        world = self.worlds.get(site.user) if site is not None else None
        reply = world.reply(site.dialog, site.node) if world and site else None
        if reply is None:
            return await self.real.call(request, retry=retry, site=site)
        return stub_response(reply, request)


def replay_executor(
    executor: Executor, worlds: Mapping[str, World], coverage: Coverage | None = None
) -> Executor:
    """`executor` rebuilt to apply each user's world, and report visits and moves to
    `coverage` when given."""

    def on_advance(turn: Turn) -> None:
        state = turn.state
        if state.dialog is None or state.node is None:
            return
        if coverage is not None:
            coverage.visit(state.dialog, state.node)
        world = worlds.get(turn.user.id)
        if world is not None and world.entities is not None:
            for name, value in world.entities.items():
                state.entities.setdefault(name, value)
            world.entities = None

    def more_globals(turn: Turn) -> Mapping[str, Any] | None:
        world = worlds.get(turn.user.id)
        return world.globals if world is not None else None

    hooks = dataclasses.replace(
        executor.hooks,
        on_advance=on_advance,
        on_move=coverage.move if coverage is not None else executor.hooks.on_move,
        more_globals=more_globals,
    )
    return executor.with_seams(hooks=hooks, services=StubbedServices(executor.services, worlds))
