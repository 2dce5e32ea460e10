"""The conversation engine: one user's turn at a time, from message in to messages out.

A turn takes the user's lock in the store (so one user's messages are handled one at a time, in
order, across every instance sharing the store), loads their state, runs the executor and saves
the state. When something goes wrong inside a dialog the user is told in a sentence, the log gets
the details, and the conversation stays where it was before the turn unless a call that cannot
be repeated (POST, PATCH) already went out, in which case the dialog ends rather than risk
creating a record twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from runtime.auth.authorizer import PAGE_TEXT, Outcome
from runtime.dialogs.compiler import CompiledDialog
from runtime.dialogs.model import EntityNode
from runtime.engine.executor import DialogStopped, Executor
from runtime.engine.messages import Outbound, error, say
from runtime.engine.state import ConversationState, Status, UnreadableState, decode, encode
from runtime.engine.text_input import MAX_CHARS, clean_text, normalise_command
from runtime.engine.turn import Deliver, Turn, User
from runtime.entities import FINDABLE, find
from runtime.errors import ChannelError, TemplateError
from runtime.intents import IntentMatcher
from runtime.intents.small_talk import HELP, default_small_talk
from runtime.store.base import Store

log = logging.getLogger("parley.engine")

CONVERSATIONS = "conv"


@dataclass(frozen=True, slots=True)
class CallbackResult:
    outcome: str  # connected, denied, expired, used, unknown, wrong_user, failed, refused
    user: User | None
    messages: list[Outbound]
    page: str  # a sentence for the browser tab that completed the flow


NAMED_CHOICES = 3  # "Did you mean" names this many dialogs in its text; more are buttons only


@dataclass(frozen=True, slots=True)
class ConversationWords:
    cancel: tuple[str, ...] = ("cancel", "stop", "quit")
    restart: tuple[str, ...] = ("restart", "start over")
    small_talk: Mapping[str, str] = field(
        default_factory=lambda: {r.kind: r.text for r in default_small_talk()}
    )
    fallback: str = "Sorry, I didn't understand that. Here is what I can do:"


class Engine:
    def __init__(
        self,
        dialogs: Mapping[str, CompiledDialog],
        store: Store,
        executor: Executor,
        intents: IntentMatcher,
        *,
        words: ConversationWords | None = None,
        max_chars: int = MAX_CHARS,
        state_ttl: float | None = None,
    ) -> None:
        self.dialogs = dialogs
        self.store = store
        self.executor = executor
        self.intents = intents
        self.words = words or ConversationWords()
        self.max_chars = max_chars
        self.state_ttl = state_ttl

    # -- entry points ---------------------------------------------------------------------------

    async def handle(
        self,
        user: User,
        text: object,
        *,
        message_id: str | None = None,
        deliver: Deliver | None = None,
    ) -> list[Outbound]:
        """Process one message from `user` and return what the bot says, in order."""
        try:
            clean = clean_text(text, max_chars=self.max_chars)
        except ChannelError as exc:
            return [_reply(error(exc.code, str(exc)), message_id)]
        async with self.store.lock(_lock_key(user)):
            raw, state = await self._load(user)
            turn = Turn(user, state, reply_to=message_id, deliver=deliver)
            await self._guarded(turn, self._on_message(turn, clean), raw)
            return turn.out

    async def start(
        self,
        user: User,
        dialog_id: str,
        *,
        entities: Mapping[str, Any] | None = None,
        deliver: Deliver | None = None,
    ) -> list[Outbound]:
        """Start `dialog_id` for `user`, ending any active dialog; `entities` are prefilled."""
        if dialog_id not in self.dialogs:
            raise KeyError(f"unknown dialog {dialog_id!r}")
        async with self.store.lock(_lock_key(user)):
            raw, state = await self._load(user)
            turn = Turn(user, state, deliver=deliver)
            await self._guarded(turn, self._begin(turn, dialog_id, entities=entities), raw)
            return turn.out

    async def authorization_callback(
        self,
        *,
        state: str,
        code: str | None = None,
        error: str | None = None,
        presenter: str | None = None,
        deliver_to: Callable[[User], Deliver] | None = None,
    ) -> CallbackResult:
        """An identity provider redirected back: validate, exchange, store, and resume.

        `presenter` is the user id of the browser session presenting the callback, when known;
        a state issued to another user is refused. `deliver_to(user)` gives the function that
        delivers the resumed conversation's messages as they are produced (the user is known
        only once the state is redeemed); they are also returned.
        """
        authorizer = self.executor.authorizer
        if authorizer is None:
            return CallbackResult("unknown", None, [], "No authorization is configured.")
        verdict = await authorizer.redeem(state=state, code=code, error=error, presenter=presenter)
        page = PAGE_TEXT[verdict.outcome]
        pending = verdict.pending
        if pending is None or verdict.outcome == Outcome.WRONG_USER:
            return CallbackResult(str(verdict.outcome), None, [], page)
        user = User(pending.user_id, pending.channel)
        async with self.store.lock(_lock_key(user)):
            raw, conv = await self._load(user)
            turn = Turn(user, conv, deliver=deliver_to(user) if deliver_to else None)
            parked_here = (
                conv.status == Status.PARKED
                and conv.session == pending.session
                and conv.node == pending.node
                and (conv.parked or {}).get("profile") == pending.profile
            )
            if parked_here:
                if verdict.ok:
                    conv.status, conv.parked = Status.ACTIVE, None
                    await self._guarded(turn, self.executor.advance(turn), raw)
                else:
                    text = authorizer.failure_text(verdict)
                    await self._guarded(turn, self.executor.auth_failed(turn, text), raw)
                    if verdict.detail:
                        page = f"{page} {verdict.detail}"
        return CallbackResult(str(verdict.outcome), user, turn.out, page)

    async def load(self, user: User) -> ConversationState:
        return (await self._load(user))[1]

    async def _load(self, user: User) -> tuple[bytes | None, ConversationState]:
        """The stored bytes (the turn's checkpoint) and the state they hold."""
        raw = await self.store.get(CONVERSATIONS, user.id)
        if not raw:
            return None, ConversationState()
        try:
            return raw, decode(raw)
        except UnreadableState as exc:
            # Left as it is, every message of this user would fail the same way: start afresh.
            log.error("user %r: %s; starting a new conversation", user.id, exc)
            return None, ConversationState()

    async def save(self, user: User, state: ConversationState) -> None:
        await self.store.put(CONVERSATIONS, user.id, encode(state), ttl=self.state_ttl)

    # -- a turn ---------------------------------------------------------------------------------

    async def _guarded(self, turn: Turn, work: Any, checkpoint: bytes | None) -> None:
        """Run `work`; on failure tell the user and go back to `checkpoint` (the stored state
        the turn began from) unless a non-idempotent call already went out."""
        try:
            await work
        except DialogStopped as exc:
            log.error("%s", exc)
            turn.state.finish()
            await turn.emit(say(exc.user_message))
        except Exception as exc:  # the user is told in a sentence; operators get the traceback
            if isinstance(exc, TemplateError):
                log.error("%s", exc)
                detail = f" ({exc})"
            else:
                log.exception("a turn of user %r failed", turn.user.id)
                detail = ""
            if turn.side_effect:
                turn.state.finish()
                await turn.emit(say(f"Sorry, something went wrong on my side{detail}."))
            else:
                turn.state = (
                    decode(checkpoint)
                    if checkpoint
                    else ConversationState(session=turn.state.session)
                )
                await turn.emit(
                    say(
                        f"Sorry, something went wrong on my side{detail}. "
                        "You can try again, or say cancel."
                    )
                )
        await self.save(turn.user, turn.state)

    async def _on_message(self, turn: Turn, text: str) -> None:
        state = turn.state
        command = normalise_command(text)
        if state.status in (Status.WAITING, Status.PARKED) and state.dialog in self.dialogs:
            if command in self.words.cancel:
                state.finish()
                await turn.emit(say("Okay, I've cancelled that."))
                return
            if command in self.words.restart:
                await turn.emit(say("Okay, let's start over."))
                await self._begin(turn, state.dialog)
                return
            if state.status == Status.PARKED:
                await self._remind_parked(turn)
                return
            await self.executor.advance(turn, answer=text)
            return
        if state.dialog is not None:  # a dialog that no longer exists, or a stale state
            state.finish()
        if text.startswith("/start"):
            await self._goto(turn, text.removeprefix("/start").strip())
            return
        if command in self.words.cancel:
            await turn.emit(say("There's nothing to cancel."))
            return
        await self._recognise(turn, text)

    async def _recognise(self, turn: Turn, text: str) -> None:
        """No dialog is active: start the one the message asks for, or answer it."""
        result = self.intents.match(text)
        if result.best is not None:
            await self._begin(turn, result.best.dialog, utterance=text)
        elif result.small_talk is not None:
            await turn.emit(self._small_talk(result.small_talk))
        elif result.candidates:
            buttons = tuple(self._button(m.dialog) for m in result.candidates)
            if len(buttons) > NAMED_CHOICES:
                question = "Did you mean one of these?"
            else:  # quoted, since a description may hold commas and "or" of its own
                question = "Did you mean " + _either(f'"{label}"' for label, _ in buttons) + "?"
            await turn.emit(say(question, buttons))
        else:
            await turn.emit(self._fallback())

    async def _goto(self, turn: Turn, dialog_id: str) -> None:
        if dialog_id in self.dialogs:
            await self._begin(turn, dialog_id)
        else:
            await turn.emit(
                say(f"There is no dialog called {dialog_id!r}. " + self._fallback().text)
            )

    async def _begin(
        self,
        turn: Turn,
        dialog_id: str,
        *,
        utterance: str | None = None,
        entities: Mapping[str, Any] | None = None,
    ) -> None:
        dialog = self.dialogs[dialog_id]
        turn.state.begin(dialog_id, dialog.start)
        if entities:
            turn.state.entities.update(entities)
        if utterance:
            turn.state.entities.update(self._prefill(dialog, utterance))
        await self.executor.advance(turn)

    def _prefill(self, dialog: CompiledDialog, utterance: str) -> dict[str, Any]:
        """Values the starting utterance already holds, for types that can be found in it."""
        by_type: dict[str, list[Any]] = {}
        for cn in dialog.entity_nodes:
            node = cn.node
            assert isinstance(node, EntityNode)
            if node.entity_type in FINDABLE:
                by_type.setdefault(node.entity_type, []).append(cn)
        found: dict[str, Any] = {}
        for kind, nodes in by_type.items():
            candidates = nodes if kind == "list" else nodes[:1] if len(nodes) == 1 else []
            for cn in candidates:
                assert cn.spec is not None
                value = find(cn.spec, utterance, self.executor.settings)
                if value is not None:
                    found[cn.node.entity] = value
        return found

    async def _remind_parked(self, turn: Turn) -> None:
        parked = turn.state.parked or {}
        link = parked.get("link")
        if not link or parked.get("until", 0) <= time.time():
            # The link has expired: run the service node again, which finds a token that
            # arrived meanwhile or sends a fresh link.
            turn.state.status, turn.state.parked = Status.ACTIVE, None
            await self.executor.advance(turn)
            return
        if link:
            await turn.emit(
                Outbound(
                    type="auth_link",
                    profile=parked.get("profile", ""),
                    provider=parked.get("provider", ""),
                    url=link,
                    text="I'm still waiting for you to connect your account. "
                    "Use this link, or say cancel.",
                )
            )

    # -- words for the user ---------------------------------------------------------------------

    def _title(self, dialog_id: str) -> str:
        dialog = self.dialogs[dialog_id].dialog
        return dialog.description or (dialog.intents[0] if dialog.intents else dialog_id)

    def _button(self, dialog_id: str) -> tuple[str, str]:
        """A button that starts the dialog: its title, and a command that cannot miss."""
        return self._title(dialog_id), f"/start {dialog_id}"

    def _menu(self, heading: str) -> Outbound:
        """`heading` and one button per dialog a user can start: one message."""
        offered = [d for d in self.dialogs if self.dialogs[d].dialog.intents]
        if not offered:
            return say(f"{heading} Nothing yet: this bot has no dialogs to start.")
        return say(heading, tuple(self._button(d) for d in offered))

    def _fallback(self) -> Outbound:
        return self._menu(self.words.fallback)

    def _small_talk(self, kind: str) -> Outbound:
        text = self.words.small_talk.get(kind, "")
        return self._menu(text) if kind == HELP else say(text)

    def snapshot(self, state: ConversationState) -> dict[str, Any]:
        """What tests and tools may inspect: never tokens (the state holds none)."""
        return {
            "dialog": state.dialog,
            "node": state.node,
            "status": str(state.status),
            "entities": dict(state.entities),
            "vars": dict(state.vars),
        }


def _lock_key(user: User) -> str:
    return f"user:{user.id}"


def _reply(message: Outbound, reply_to: str | None) -> Outbound:
    return msgspec.structs.replace(message, reply_to=reply_to)


def _either(names: Iterable[str]) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
