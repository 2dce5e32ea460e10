"""The executor: moves one conversation through its compiled dialog until it must wait.

Each step handles one node and returns a `Step`: where to go next (`GoTo`), or why the run
halts (`Halt`: the user answers next, a service node parked for a callback, or the dialog
ended). A step budget stops a dialog that would otherwise spin.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from runtime.dialogs.compiler import (
    CompiledDialog,
    CompiledEntity,
    CompiledMessage,
    CompiledNode,
    CompiledService,
)
from runtime.dialogs.model import END, EntityNode, ServiceNode, set_entity
from runtime.engine.authorization import Authorizer
from runtime.engine.cards import render_cards
from runtime.engine.hooks import NO_HOOKS, ExecutorHooks
from runtime.engine.messages import Link, say
from runtime.engine.service import (
    IDEMPOTENT,
    CallSite,
    ServiceRequest,
    Services,
    response_record,
)
from runtime.engine.state import Status
from runtime.engine.steps import GoTo, Halt, Step
from runtime.engine.turn import Turn
from runtime.entities import EntitySettings, Parsed, is_skip, parse, recheck
from runtime.errors import InternalError, ParleyError, ServiceError, TemplateError

log = logging.getLogger("parley.engine")

EMPTY: Mapping[str, Any] = MappingProxyType({})
YES_NO = (("Yes", "yes"), ("No", "no"))
NOTHING_HELD: tuple[str, ...] = ()
STEP_BUDGET = 200
PROGRESS_AFTER = 1.0
CLOCK_ALLOWANCE = 120  # seconds `call.since` is before `call.started`
UNKNOWN_OUTCOME = (
    "I sent that to the service but got no answer, so I can't tell whether it went through. "
    "Please check there before you try again."
)
_NOT_FOUND = object()  # verify: the call did not take effect
_FAILED = object()  # verify: could not tell
_PARKED = object()  # verify: its authorization sent a link; the callback finds out


class DialogStopped(ParleyError):
    """The dialog cannot go on; `user_message` is what the user is told. `level` is how the
    log hears of it: ERROR (the default) when the operator has something to fix, INFO when the
    user brought it about (retries used up, authorization declined or abandoned)."""

    def __init__(self, log_message: str, user_message: str, *, level: int = logging.ERROR) -> None:
        super().__init__(log_message)
        self.user_message = user_message
        self.level = level


class Executor:
    def __init__(
        self,
        dialogs: Mapping[str, CompiledDialog],
        *,
        services: Services,
        settings: EntitySettings,
        globals: Mapping[str, Any] | None = None,
        authorizer: Authorizer | None = None,
        progress_after: float = PROGRESS_AFTER,
        hooks: ExecutorHooks = NO_HOOKS,
    ) -> None:
        self.dialogs = dialogs
        self.services = services
        self.settings = settings
        self.globals = dict(globals or {})
        self.authorizer = authorizer
        self.progress_after = progress_after
        self.hooks = hooks
        # Read once here, not on every move or call: each is a `None` check per use.
        self._on_advance = hooks.on_advance
        self._on_move = hooks.on_move
        self._on_service_call = hooks.on_service_call
        self._more_globals = hooks.more_globals

    def with_seams(
        self, *, hooks: ExecutorHooks | None = None, services: Services | None = None
    ) -> Executor:
        """A new executor over the same dialogs, settings, globals and authorizer, built with
        other hooks or services (a transcript replay's, around a bot already open)."""
        return Executor(
            self.dialogs,
            services=self.services if services is None else services,
            settings=self.settings,
            globals=self.globals,
            authorizer=self.authorizer,
            progress_after=self.progress_after,
            hooks=self.hooks if hooks is None else hooks,
        )

    # -- the loop ---------------------------------------------------------------------------

    async def advance(
        self, turn: Turn, answer: str | None = None, *, parsed: Parsed | None = None
    ) -> Halt:
        """Run from the current node until the run halts, and say why; `answer` is the user's
        reply to a waiting entity node (`parsed`: that answer already read as the node's
        type, when the caller did)."""
        state = turn.state
        if self._on_advance is not None:
            self._on_advance(turn)
        dialog = self.dialogs[state.dialog or ""]
        if self.authorizer is not None and dialog.profiles:
            await self.authorizer.load_facts(turn, dialog.profiles)
        if answer is not None:
            step = await self._answer(
                turn, dialog, self._waiting(dialog, state.node), answer, parsed
            )
            if isinstance(step, Halt):
                return step
            state.node = self._move(dialog, state.node or "", step.node)
        state.status = Status.ACTIVE
        for _ in range(STEP_BUDGET):
            if state.node == END:
                state.finish()
                return Halt.ENDED
            cn = dialog.nodes[state.node or ""]
            step = await self._step(turn, dialog, cn)
            if isinstance(step, Halt):
                return step
            state.node = self._move(dialog, cn.node.id, step.node)
        raise DialogStopped(
            f"dialog {dialog.id!r} took {STEP_BUDGET} steps without waiting for the user",
            "Sorry, this conversation went round in circles, so I stopped it.",
        )

    @staticmethod
    def _waiting(dialog: CompiledDialog, node_id: str | None) -> CompiledEntity:
        """The entity node a conversation waits at; any other node is a bug in the caller."""
        cn = dialog.nodes[node_id or ""]
        if not isinstance(cn, CompiledEntity):
            raise InternalError(f"dialog {dialog.id!r} waits at {node_id!r}, not an entity node")
        return cn

    def _move(self, dialog: CompiledDialog, source: str, target: str) -> str:
        if self._on_move is not None:
            self._on_move(dialog.id, source, target)
        return dialog.move(source, target)

    async def auth_failed(self, turn: Turn, message: str) -> None:
        """The parked service node's authorization was denied, failed or expired."""
        state = turn.state
        dialog = self.dialogs[state.dialog or ""]
        node = dialog.nodes[state.node or ""].node
        state.parked = None
        state.status = Status.ACTIVE
        if isinstance(node, ServiceNode) and node.on_auth_failure:
            state.node = self._move(dialog, node.id, node.on_auth_failure)
            await turn.emit(say(message))
            await self.advance(turn)
            return
        raise DialogStopped(
            f"dialog {dialog.id!r} node {node.id!r}: {message}", message, level=logging.INFO
        )

    async def _step(self, turn: Turn, dialog: CompiledDialog, cn: CompiledNode) -> Step:
        if isinstance(cn, CompiledEntity):
            return await self._enter_entity(turn, dialog, cn, cn.node)
        if isinstance(cn, CompiledMessage):
            ctx = self.context(turn)
            buttons = self._buttons(cn, ctx)
            texts = [text.render(ctx) for text in cn.texts]
            if cn.cards is not None:  # the cards go with the last text, as its heading
                heading = texts.pop() if texts else ""
            for i, text in enumerate(texts):
                last = i == len(texts) - 1 and cn.cards is None
                await turn.emit(say(text, buttons if last else ()))
            if cn.cards is not None:
                await turn.emit(render_cards(cn.cards, ctx, heading=heading, buttons=buttons))
            return self._complete(turn, dialog, cn)
        return await self._call(turn, dialog, cn, cn.node)

    # -- entity nodes -----------------------------------------------------------------------

    async def _enter_entity(
        self, turn: Turn, dialog: CompiledDialog, cn: CompiledEntity, node: EntityNode
    ) -> Step:
        state = turn.state
        if node.id in state.asked:  # a loop came back here: ask afresh
            state.asked.remove(node.id)
            state.entities.pop(node.entity, None)
        elif node.entity in state.entities:
            value = state.entities[node.entity]
            if value is None and node.optional:
                state.asked.append(node.id)
                return self._complete(turn, dialog, cn)
            parsed = recheck(cn.spec, value, self.settings)
            if parsed.ok and self._passes(turn, cn, parsed.value):
                state.entities[node.entity] = parsed.value
                state.asked.append(node.id)  # as if answered: a loop back here asks afresh
                return self._complete(turn, dialog, cn)
            del state.entities[node.entity]
        return await self._ask(turn, cn)

    async def _ask(self, turn: Turn, cn: CompiledEntity) -> Halt:
        turn.state.status = Status.WAITING
        turn.state.attempts = 0
        prompt = cn.prompt
        ctx = EMPTY if prompt.is_constant and not cn.buttons else self.context(turn)
        await turn.emit(say(prompt.render(ctx), self._entity_buttons(cn, cn.node, ctx)))
        return Halt.WAIT

    async def reask(self, turn: Turn) -> None:
        """Ask the waiting entity node's question again (after a resume, an amend, ...)."""
        dialog = self.dialogs[turn.state.dialog or ""]
        await self._ask(turn, self._waiting(dialog, turn.state.node))

    def _entity_buttons(
        self, cn: CompiledEntity, node: EntityNode, ctx: Mapping[str, Any]
    ) -> tuple[tuple[str, str], ...]:
        if cn.buttons:
            return self._buttons(cn, ctx)
        if node.entity_type == "boolean":
            return YES_NO
        if node.entity_type == "list" and len(node.values) <= 12:
            return tuple((v.value, v.value) for v in node.values)
        return ()

    def _buttons(
        self, cn: CompiledEntity | CompiledMessage, ctx: Mapping[str, Any]
    ) -> tuple[tuple[str, str], ...]:
        return tuple(
            (label.render(ctx), value) if url is None else Link(label.render(ctx), url.render(ctx))
            for label, value, url in cn.buttons
        )

    def read_answer(self, cn: CompiledEntity, text: str) -> Parsed:
        """`text` read as the waiting node's type, "skip" for an optional node being None."""
        if cn.node.optional and is_skip(text):
            return Parsed(True, None)
        return parse(cn.spec, text, self.settings)

    def check_value(self, turn: Turn, cn: CompiledEntity, text: str) -> Parsed:
        """`text` as a new value for the node's entity: its type check and `validate`."""
        parsed = self.read_answer(cn, text)
        if not parsed.ok or parsed.value is None:
            return parsed
        problem = self._rejected(turn, cn, parsed.value)
        return parsed if problem is None else Parsed(False, None, problem)

    async def _answer(
        self,
        turn: Turn,
        dialog: CompiledDialog,
        cn: CompiledEntity,
        text: str,
        parsed: Parsed | None = None,
    ) -> Step:
        node = cn.node
        state = turn.state
        if parsed is None:
            parsed = self.read_answer(cn, text)
        if parsed.ok and parsed.value is None:
            return self._accept(turn, dialog, cn, node, None)
        if parsed.ok:
            rejected = self._rejected(turn, cn, parsed.value)
            if rejected is None:
                return self._accept(turn, dialog, cn, node, parsed.value)
            problem = rejected
        else:
            problem = parsed.error or "Sorry, I didn't get that. Please try again."
            if cn.error_prompts:
                index = min(state.attempts, len(cn.error_prompts) - 1)
                problem = cn.error_prompts[index].render(self.context(turn))
        state.attempts += 1
        if state.attempts > node.retries:
            state.attempts = 0
            if node.on_failure:
                state.entities[node.entity] = None
                state.status = Status.ACTIVE
                return GoTo(node.on_failure)
            raise DialogStopped(
                f"dialog {dialog.id!r}: node {node.id!r} used up its {node.retries} retries",
                f"Sorry, I still couldn't get the {node.entity.replace('_', ' ')}, "
                "so I've stopped here. You can start again whenever you like.",
                level=logging.INFO,
            )
        await turn.emit(say(problem))
        return Halt.WAIT

    def _accept(
        self, turn: Turn, dialog: CompiledDialog, cn: CompiledEntity, node: EntityNode, value: Any
    ) -> GoTo:
        state = turn.state
        state.entities[node.entity] = value
        state.attempts = 0
        state.status = Status.ACTIVE
        state.asked.append(node.id)
        return self._complete(turn, dialog, cn)

    def _passes(self, turn: Turn, cn: CompiledEntity, value: Any) -> bool:
        if cn.validate is None:
            return True
        return bool(cn.validate.when.evaluate(self.context(turn, value=value)))

    def _rejected(self, turn: Turn, cn: CompiledEntity, value: Any) -> str | None:
        """What the user is told when `value` fails the node's `validate`; None if it passes."""
        if cn.validate is None:
            return None
        ctx = self.context(turn, value=value)
        return None if cn.validate.when.evaluate(ctx) else cn.validate.error.render(ctx)

    # -- service nodes ----------------------------------------------------------------------

    async def _call(
        self, turn: Turn, dialog: CompiledDialog, cn: CompiledService, node: ServiceNode
    ) -> Step:
        inflight = turn.state.inflight
        if inflight is not None and inflight.get("node") == node.id:
            return await self._unknown(turn, dialog, cn, node)  # a turn cut short sent it
        headers = await self._auth_headers(turn, dialog, node)
        if headers is None:
            return Halt.PARKED  # a link went out, the callback resumes here
        request = _build(cn.request, self.context(turn), headers)
        if cn.guarded:
            request = await self._write_inflight(turn, cn, node, request)
        try:
            response = await self._send_authorized(turn, cn, node, request)
        except ServiceError as exc:
            return await self._failed(turn, dialog, cn, node, exc)
        if response is None:  # a 401 whose token was dropped: refused, so nothing happened
            turn.state.inflight = None
            return Halt.PARKED
        return self._answered(turn, dialog, cn, node, request.method, response)

    async def _auth_headers(
        self, turn: Turn, dialog: CompiledDialog, node: ServiceNode
    ) -> dict[str, str] | None:
        """The node's authorization headers ({} without `auth`); None after parking."""
        if not node.auth:
            return {}
        if self.authorizer is None:
            raise DialogStopped(
                f"dialog {dialog.id!r}: node {node.id!r} needs auth profile {node.auth!r} "
                "but no authorization is configured",
                "Sorry, I'm not connected to that service yet.",
            )
        return await self.authorizer.headers(turn, node.auth, node.id)

    async def _write_inflight(
        self, turn: Turn, cn: CompiledService, node: ServiceNode, request: ServiceRequest
    ) -> ServiceRequest:
        """Record durably that a call with a side effect is going out, before it does."""
        inflight: dict[str, Any] = {
            "node": node.id,
            "attempt": secrets.token_urlsafe(6),
            "at": round(time.time(), 3),
            "sent": 1,
            "channel": turn.user.channel,  # where to tell the user, when a restart finds out
        }
        if turn.reply_to is not None:
            inflight["message"] = turn.reply_to  # the message whose answer this call is
        turn.state.inflight = inflight
        if cn.idempotency is not None:
            header, value = cn.idempotency
            inflight["key"] = value.render(self.context(turn, call=call_facts(inflight)))
            request = _with_headers(request, {header: inflight["key"]})
        if turn.persist is not None:
            await turn.persist()
        return request

    async def _send_authorized(
        self,
        turn: Turn,
        cn: CompiledService,
        node: ServiceNode,
        request: ServiceRequest,
        *,
        verifying: bool = False,
    ) -> Any:
        """Send; on a 401 refresh the token once and send again. None: the token was dropped
        and the conversation parked (or stopped) by the authorizer. A guarded call is tried
        once (unless an idempotency key makes more safe); a verify request as its method
        allows."""
        retry = cn.idempotency is not None if cn.guarded and not verifying else None
        response = await self._send(turn, cn, request, retry)
        if response.status_code == 401 and node.auth and self.authorizer:
            if not await self.authorizer.on_unauthorized(turn, node.auth, node.id):
                return None
            retry_headers = await self.authorizer.headers(turn, node.auth, node.id)
            if retry_headers is None:
                return None
            response = await self._send(turn, cn, _with_headers(request, retry_headers), retry)
        return response

    def _answered(
        self,
        turn: Turn,
        dialog: CompiledDialog,
        cn: CompiledService,
        node: ServiceNode,
        method: str,
        response: Any,
    ) -> GoTo:
        record = response_record(response)
        if self._on_service_call is not None:
            self._on_service_call(dialog.id, node.id, response.status_code)
        turn.state.inflight = None
        turn.state.results[node.id] = record
        if record["ok"] and method not in IDEMPOTENT:
            turn.side_effect = True
        return self._complete(turn, dialog, cn, response=record)

    async def _failed(
        self,
        turn: Turn,
        dialog: CompiledDialog,
        cn: CompiledService,
        node: ServiceNode,
        exc: ServiceError,
    ) -> Step:
        """No answer: an unknown outcome when the call may have arrived, else `on_error`."""
        log.warning("dialog %r node %r: %s", dialog.id, node.id, exc)
        if self._on_service_call is not None:
            self._on_service_call(dialog.id, node.id, 0)
        if cn.guarded and exc.maybe_sent:
            return await self._unknown(turn, dialog, cn, node)
        return self._unreachable(turn, dialog, node, str(exc))

    def _unreachable(
        self, turn: Turn, dialog: CompiledDialog, node: ServiceNode, error: str
    ) -> GoTo:
        turn.state.inflight = None
        if node.on_error:
            turn.state.results[node.id] = {"status": 0, "ok": False, "error": error}
            return GoTo(node.on_error)
        raise DialogStopped(
            f"dialog {dialog.id!r} node {node.id!r}: {error}",
            "Sorry, the service I need is unavailable right now. Please try again later.",
        )

    # -- calls whose outcome is unknown (dialog-language.md, `verify`) --------------------------

    async def _unknown(
        self, turn: Turn, dialog: CompiledDialog, cn: CompiledService, node: ServiceNode
    ) -> Step:
        """The call went out and no answer came back: find out, re-send at most once, or say
        that the outcome is unknown. Never a blind second send."""
        inflight = turn.state.inflight
        assert inflight is not None
        sent = int(inflight.get("sent", 1))
        if cn.idempotency is not None and sent < 2:
            return await self._resend(turn, dialog, cn, node)
        if cn.verify is not None:
            verdict = await self._verify(turn, dialog, cn, node, inflight)
            if verdict is _PARKED:
                return Halt.PARKED
            if isinstance(verdict, dict):
                log.info("dialog %r node %r: verify found the call took effect", dialog.id, node.id)
                turn.state.inflight = None
                turn.state.results[node.id] = verdict
                turn.side_effect = True
                return self._complete(turn, dialog, cn, response=verdict)
            if verdict is _NOT_FOUND:
                if sent < 2:
                    log.info(
                        "dialog %r node %r: verify found no effect; sending once more",
                        dialog.id,
                        node.id,
                    )
                    return await self._resend(turn, dialog, cn, node)
                # Sent twice, and verify says neither took effect: the service is failing.
                return self._unreachable(
                    turn, dialog, node, "sent twice without an answer; verify found no effect"
                )
        return self._outcome_unknown(turn, dialog, node)

    async def _resend(
        self, turn: Turn, dialog: CompiledDialog, cn: CompiledService, node: ServiceNode
    ) -> Step:
        """The one re-send: only when `verify` said the first did not take effect, or when an
        idempotency key makes it safe."""
        assert turn.state.inflight is not None
        inflight = turn.state.inflight
        inflight["sent"] = 2
        if turn.persist is not None:
            await turn.persist()
        headers = await self._auth_headers(turn, dialog, node)
        if headers is None:
            return Halt.PARKED  # still in flight: the callback finds out again
        if cn.idempotency is not None and "key" in inflight:
            headers[cn.idempotency[0]] = inflight["key"]
        request = _build(cn.request, self.context(turn), headers)
        try:
            response = await self._send_authorized(turn, cn, node, request)
        except ServiceError as exc:
            log.warning("dialog %r node %r: the re-send failed: %s", dialog.id, node.id, exc)
            if exc.maybe_sent:
                return await self._unknown(turn, dialog, cn, node)
            return self._unreachable(turn, dialog, node, str(exc))
        if response is None:
            turn.state.inflight = None
            return Halt.PARKED
        return self._answered(turn, dialog, cn, node, request.method, response)

    async def _verify(
        self,
        turn: Turn,
        dialog: CompiledDialog,
        cn: CompiledService,
        node: ServiceNode,
        inflight: Mapping[str, Any],
    ) -> Any:
        """The answer the call would have had (a dict) when `found`, else _NOT_FOUND, _FAILED
        (verify could not tell) or _PARKED (its authorization sent a link)."""
        verify = cn.verify
        if verify is None:  # only a node with `verify` is asked to verify
            return _FAILED
        headers = await self._auth_headers(turn, dialog, node)
        if headers is None:
            return _PARKED
        call = call_facts(inflight)
        request = _build(verify.request, self.context(turn, call=call), headers)
        try:
            response = await self._send_authorized(turn, cn, node, request, verifying=True)
        except ServiceError as exc:
            log.warning("dialog %r node %r: verify failed: %s", dialog.id, node.id, exc)
            return _FAILED
        if response is None:
            return _PARKED
        record = response_record(response)
        if record["status"] >= 500 or record["status"] == 429:
            log.warning(
                "dialog %r node %r: verify answered %s", dialog.id, node.id, record["status"]
            )
            return _FAILED
        ctx = self.context(turn, response=record, call=call)
        try:
            if not verify.found.evaluate(ctx):
                # Only a successful answer can say "it did not happen": an error answer that
                # `found` does not recognise (a 400 for a bad query, a 403) tells nothing.
                return _NOT_FOUND if record["ok"] else _FAILED
            if verify.response is None:
                return record
            return _as_answer(verify.response.render(ctx))
        except TemplateError as exc:
            log.error("dialog %r node %r: verify: %s", dialog.id, node.id, exc)
            return _FAILED

    def _outcome_unknown(self, turn: Turn, dialog: CompiledDialog, node: ServiceNode) -> GoTo:
        turn.state.inflight = None
        turn.state.results[node.id] = {"status": 0, "ok": False, "unknown": True}
        log.warning("dialog %r node %r: the outcome of the call is unknown", dialog.id, node.id)
        if node.on_unknown:
            return GoTo(node.on_unknown)
        raise DialogStopped(
            f"dialog {dialog.id!r} node {node.id!r}: the outcome of the call is unknown",
            UNKNOWN_OUTCOME,
        )

    async def _send(
        self, turn: Turn, cn: CompiledService, request: ServiceRequest, retry: bool | None = None
    ) -> Any:
        site = CallSite(turn.user.id, turn.state.dialog or "", cn.node.id)
        task = asyncio.ensure_future(self.services.call(request, retry=retry, site=site))
        if cn.progress is not None:
            done, _ = await asyncio.wait({task}, timeout=self.progress_after)
            if not done:
                await turn.emit(say(cn.progress.render(self.context(turn))))
        return await task

    # -- leaving a node ---------------------------------------------------------------------

    def _complete(
        self, turn: Turn, dialog: CompiledDialog, cn: CompiledNode, response: Any = None
    ) -> GoTo:
        state = turn.state
        if not cn.sets and cn.branches and cn.branches[0][0] is None:  # `next: node`: no context
            return GoTo(cn.branches[0][1])
        ctx = self.context(turn, response=response)
        for name, expr in cn.sets:
            value = expr.evaluate(ctx)
            entity = set_entity(name)
            if entity is not None:
                state.entities[entity] = value
            else:
                state.vars[name] = value
        for when, target in cn.branches:
            if when is None or when.evaluate(ctx):
                return GoTo(target)
        seen = {"response.status": response.get("status")} if response else {}
        seen |= {f"vars.{k}": v for k, v in state.vars.items()}
        raise DialogStopped(
            f"dialog {dialog.id!r} node {cn.node.id!r}: no branch of `next` matched; "
            f"conditions {[w.source for w, _ in cn.branches if w]!r}, values seen {seen!r}",
            "Sorry, I don't know how to go on from here, so I've stopped this conversation.",
        )

    def context(
        self, turn: Turn, *, response: Any = None, value: Any = None, call: Any = None
    ) -> dict[str, Any]:
        state = turn.state
        ctx: dict[str, Any] = {
            "entities": state.entities,
            "vars": state.vars,
            "nodes": {nid: {"response": r} for nid, r in state.results.items()},
            "user": {"id": turn.user.id, "channel": turn.user.channel},
            "session": {"id": state.session},
            "globals": self._globals(turn),
            "auth": self.authorizer.facts(turn) if self.authorizer else {},
            "held": [h.dialog for h in state.held] if state.held else NOTHING_HELD,
        }
        if response is not None:
            ctx["response"] = response
        if value is not None:
            ctx["value"] = value
        if call is not None:
            ctx["call"] = call
        return ctx

    def _globals(self, turn: Turn) -> Mapping[str, Any]:
        more = self._more_globals(turn) if self._more_globals is not None else None
        return {**self.globals, **more} if more else self.globals


def call_facts(inflight: Mapping[str, Any]) -> dict[str, Any]:
    """`call` in `verify` and `idempotency_key`: the call whose outcome is being checked.

    `started` is when it first went out (UTC, ISO 8601, whole seconds); `since` is that less
    CLOCK_ALLOWANCE, the lower bound to query "created since the call" with, so that a service
    whose clock runs behind ours still matches.
    """
    at = float(inflight.get("at", 0.0))
    return {
        "started": _iso(at),
        "since": _iso(at - CLOCK_ALLOWANCE),
        "attempt": inflight.get("attempt", ""),
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_answer(value: Any) -> dict[str, Any]:
    """`verify.response` rendered: the shape of a service answer, with what it leaves out."""
    answer = dict(value) if isinstance(value, Mapping) else {"body": value}
    status = answer.setdefault("status", 200)
    answer.setdefault("ok", isinstance(status, int) and 200 <= status < 300)
    answer.setdefault("body", None)
    answer.setdefault("headers", {})
    return answer


def _build(r: Any, ctx: Mapping[str, Any], headers: Mapping[str, str]) -> ServiceRequest:
    """A compiled request rendered for one call."""
    return ServiceRequest(
        method=r.method,
        url=r.url.render(ctx),
        headers={k: v.render(ctx) for k, v in r.headers} | dict(headers),
        query={k: v.render(ctx) for k, v in r.query},
        json=r.json.render(ctx, drop_nulls=r.json_drop_nulls) if r.json else None,
        has_json=r.json is not None,
        timeout=r.timeout,
    )


def _with_headers(request: ServiceRequest, headers: dict[str, str]) -> ServiceRequest:
    return ServiceRequest(
        method=request.method,
        url=request.url,
        headers=request.headers | headers,
        query=request.query,
        json=request.json,
        has_json=request.has_json,
        timeout=request.timeout,
    )
