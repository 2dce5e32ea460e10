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
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import msgspec

from runtime.config.model import ConversationConfig
from runtime.dialogs.compiler import CompiledDialog, CompiledEntity
from runtime.dialogs.model import INTERRUPTIONS
from runtime.engine.amend import Amender
from runtime.engine.authorization import PAGE_TEXT, Authorizer, Outcome, Verdict
from runtime.engine.executor import UNKNOWN_OUTCOME, YES_NO, DialogStopped, Executor
from runtime.engine.extraction import Extractor
from runtime.engine.history import HISTORY, extended, messages
from runtime.engine.interruptions import NEVER, Interruptions
from runtime.engine.messages import Outbound, error, from_wire, say
from runtime.engine.parking import REMINDER
from runtime.engine.state import (
    ConversationState,
    Held,
    Status,
    UnreadableState,
    cut_short_channel,
    decode,
    encode,
)
from runtime.engine.text_input import clean_text, normalise_command
from runtime.engine.turn import Deliver, Turn, User
from runtime.entities import EntitySpec, Parsed, parse
from runtime.errors import ChannelError, LockLost, TemplateError, UnknownDialog
from runtime.intents import IntentMatcher
from runtime.intents.small_talk import HELP, default_small_talk
from runtime.store.base import Store

log = logging.getLogger("parley.engine")

CONVERSATIONS = "conv"  # the store namespace of conversation states, keyed by user id
# What only the process serving a user writes: a store may keep it in memory too.
OWN_NAMESPACES = frozenset({CONVERSATIONS, HISTORY})
# What may be written a moment after the turn (on SQLite): the history only shows what was said,
# and rewriting it on every turn's commit halved the turns per second (bench/README.md).
DEFERRABLE = frozenset({HISTORY})


@dataclass(frozen=True, slots=True)
class CallbackResult:
    outcome: Outcome
    user: User | None
    messages: list[Outbound]
    page: str  # a sentence for the browser tab that completed the flow


EXACT = 100.0  # the score of a message that is one of the utterances
NAMED_CHOICES = 3  # "Did you mean" names this many dialogs in its text; more are buttons only


@dataclass(frozen=True, slots=True)
class WaitingReading:
    """`Engine.read_waiting`: what a message means while a dialog waits."""

    mode: str  # the interruptions mode in force
    wanted: str | None = None  # the dialog it interrupts for
    small_talk: str | None = None  # small talk said as such, answered before the question
    parsed: Parsed | None = None  # the message read as the waiting node's type, if it was


_ANSWER: dict[str, WaitingReading] = {
    mode: WaitingReading(mode) for mode in INTERRUPTIONS
}  # "an answer", built once


# config.yaml's defaults (runtime/config/model.py), for an engine built without a config
_DEFAULTS = ConversationConfig()


@dataclass(frozen=True, slots=True)
class ConversationWords:
    cancel: tuple[str, ...] = _DEFAULTS.cancel_words
    restart: tuple[str, ...] = _DEFAULTS.restart_words
    small_talk: Mapping[str, str] = field(
        default_factory=lambda: {r.kind: r.text for r in default_small_talk()}
    )
    fallback: str = "Sorry, I didn't understand that. Here is what I can do:"
    greeting: str | None = None  # what a new user is told first; None: what the bot can do


class Engine:
    def __init__(
        self,
        dialogs: Mapping[str, CompiledDialog],
        store: Store,
        executor: Executor,
        intents: IntentMatcher,
        *,
        words: ConversationWords | None = None,
        max_chars: int = _DEFAULTS.max_message_chars,
        state_ttl: float | None = None,
        interruptions: Interruptions | None = None,
    ) -> None:
        self.dialogs = dialogs
        self.store = store
        self.executor = executor
        self.intents = intents
        self.words = words or ConversationWords()
        self.max_chars = max_chars
        self.state_ttl = state_ttl
        self.interruptions = interruptions or Interruptions()
        self.extractors = {d: Extractor(c) for d, c in dialogs.items()}
        self.amenders = {d: Amender(c) for d, c in dialogs.items()}

    @property
    def authorizer(self) -> Authorizer | None:
        """The executor's: who completes the callbacks of parked conversations."""
        return self.executor.authorizer

    # -- entry points ---------------------------------------------------------------------------

    async def handle(
        self,
        user: User,
        text: object,
        *,
        message_id: str | None = None,
        deliver: Deliver | None = None,
        once: bool = False,
    ) -> list[Outbound]:
        """Process one message from `user` and return what the bot says, in order.

        `once`: `message_id` identifies the message for good (the webhook's contract): the
        answer is saved with the conversation, and the same id again gets it again."""
        try:
            clean = clean_text(text, max_chars=self.max_chars)
        except ChannelError as exc:
            return [_reply(error(exc.code, str(exc)), message_id)]
        async with self._locked(user) as (stored, history):
            raw, state = self._decoded(user, stored)
            if once and message_id is not None and (state.reply or {}).get("id") == message_id:
                return [from_wire(m) for m in state.reply["out"]]  # type: ignore[index]
            turn = self._turn(user, state, history, reply_to=message_id, deliver=deliver)
            turn.heard = clean
            if _cut_short(state):
                work = self._recover_then(turn, clean)
            else:
                work = self._on_message(turn, clean)
            await self._guarded(turn, work, raw, answering=message_id if once else None)
            return turn.out

    async def greet(self, user: User, *, deliver: Deliver | None = None) -> list[Outbound]:
        """The greeting, for a user who has no conversation yet (a first visit, or one whose
        conversation expired); nothing for anyone else. It is kept in the history."""
        async with self._locked(user) as (stored, history):
            raw, state = self._decoded(user, stored)
            if raw is not None:
                return []
            turn = self._turn(user, state, history, deliver=deliver)

            async def work() -> None:
                await turn.emit(self._greeting())

            await self._guarded(turn, work(), raw)
            return turn.out

    async def history(self, user: User) -> list[dict[str, Any]]:
        """The last messages of `user`'s conversation, both ways, oldest first."""
        return messages(await self.store.get(HISTORY, user.id))

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
            raise UnknownDialog(dialog_id)
        async with self._locked(user) as (stored, history):
            raw, state = self._decoded(user, stored)
            turn = self._turn(user, state, history, deliver=deliver)

            async def work() -> None:
                if _cut_short(turn.state):
                    await self._recover(turn)
                await self._begin(turn, dialog_id, entities=entities)

            await self._guarded(turn, work(), raw)
            return turn.out

    async def authorization_callback(
        self,
        *,
        state: str,
        code: str | None = None,
        error: str | None = None,
        presenter: str | None = None,
        presenter_channel: str | None = None,
        deliver_to: Callable[[User], Deliver] | None = None,
    ) -> CallbackResult:
        """An identity provider redirected back: validate, exchange, store, and resume.

        `presenter` is the user id of the browser session presenting the callback, when known;
        a state issued to another user is refused. `deliver_to(user)` gives the function that
        delivers the resumed conversation's messages as they are produced (the user is known
        only once the state is redeemed); they are also returned.
        """
        authorizer = self.authorizer
        if authorizer is None:
            return CallbackResult(Outcome.UNKNOWN, None, [], "No authorization is configured.")
        verdict = await authorizer.redeem(state=state, code=code, error=error, presenter=presenter)
        page = PAGE_TEXT[verdict.outcome]
        pending = verdict.pending
        if verdict.outcome is Outcome.USED and presenter and presenter_channel:
            reopened = await self._reopened(state, User(presenter, presenter_channel), deliver_to)
            if reopened is not None:
                return reopened
            if verdict.connected_before:  # its owner, opening a completed link again
                connected = PAGE_TEXT[Outcome.CONNECTED]
                return CallbackResult(Outcome.CONNECTED, None, [], connected)
        if pending is None or verdict.outcome is Outcome.WRONG_USER:
            return CallbackResult(verdict.outcome, None, [], page)
        user = User(pending.user_id, pending.channel)
        async with self._locked(user) as (stored, history):
            raw, conv = self._decoded(user, stored)
            turn = self._turn(user, conv, history, deliver=deliver_to(user) if deliver_to else None)
            parked_here = (
                conv.status == Status.PARKED
                and conv.session == pending.session
                and conv.node == pending.node
                and conv.parked is not None
                and conv.parked.profile == pending.profile
            )
            held = _held_parked(conv, pending.node, pending.profile)
            if parked_here:
                if verdict.ok:
                    conv.status, conv.parked = Status.ACTIVE, None
                    await self._guarded(turn, self.executor.advance(turn), raw)
                else:
                    text = authorizer.failure_text(verdict)
                    await self._guarded(turn, self.executor.auth_failed(turn, text), raw)
                    if verdict.detail:
                        page = f"{page} {verdict.detail}"
            elif held is not None:
                await self._guarded(
                    turn, self._authorized_while_held(turn, held, verdict, authorizer), raw
                )
        return CallbackResult(verdict.outcome, user, turn.out, page)

    async def _reopened(
        self, state: str, user: User, deliver_to: Callable[[User], Deliver] | None
    ) -> CallbackResult | None:
        """A used link opened again by its own user (the browser's chat identity) while their
        conversation still waits on it: the first callback was cut short. Run the service node
        again: it finds the token that callback stored, or sends a fresh link to the chat."""
        async with self._locked(user) as (stored, history):
            raw, conv = self._decoded(user, stored)
            parked = conv.parked
            if conv.status != Status.PARKED or parked is None or parked.link_state() != state:
                return None
            turn = self._turn(user, conv, history, deliver=deliver_to(user) if deliver_to else None)
            conv.status, conv.parked = Status.ACTIVE, None
            await self._guarded(turn, self.executor.advance(turn), raw)
        if turn.state.status == Status.PARKED:  # no token after all: a fresh link went out
            page = PAGE_TEXT[Outcome.USED] + " A new link is waiting in the chat."
            return CallbackResult(Outcome.USED, user, turn.out, page)
        return CallbackResult(Outcome.CONNECTED, user, turn.out, PAGE_TEXT[Outcome.CONNECTED])

    async def _authorized_while_held(
        self, turn: Turn, held: Held, verdict: Verdict, authorizer: Authorizer
    ) -> None:
        """The callback of a dialog on hold: it runs on when it resumes, after the current one."""
        title = self._title(held.dialog)
        if verdict.ok:
            held.status, held.parked = Status.ACTIVE, None
            await turn.emit(say(f"You're connected. I'll get back to \"{title}\" after this."))
            return
        turn.state.held.remove(held)
        text = authorizer.failure_text(verdict)
        await turn.emit(say(f'{text} I\'ve stopped "{title}", which was on hold.'))

    def _turn(
        self, user: User, state: ConversationState, history: bytes | None, **kwargs: Any
    ) -> Turn:
        """A turn whose state can be saved mid-turn (the in-flight record of a call)."""
        turn = Turn(user, state, history=history, **kwargs)

        async def persist() -> None:
            await self.save(turn.user, turn.state)

        turn.persist = persist
        return turn

    # -- a call whose answer never arrived --------------------------------------------------------

    async def _recover(self, turn: Turn) -> None:
        """The last turn sent a call with a side effect and never saw its answer (the server
        died, or the turn failed): its service node finds out what happened, and goes on."""
        state = turn.state
        compiled = self.dialogs.get(state.dialog) if state.dialog else None
        if compiled is None or state.node not in compiled.nodes:
            log.warning("user %r: a call in flight belongs to a dialog that is gone", turn.user.id)
            state.finish()
            await turn.emit(say(UNKNOWN_OUTCOME))
            return
        log.info("user %r: a call of %r was in flight; finding out", turn.user.id, state.dialog)
        await self.executor.advance(turn)

    async def recover_cut_short(self, deliver_to: Callable[[User], Deliver] | None = None) -> int:
        """Find out about every call a dead process left in flight, without waiting for the
        users to write: run at startup. What each conversation says next goes to
        `deliver_to(user)`. Returns how many were found out about."""
        found = [
            User(key, channel)
            async for key, raw in self.store.scan(CONVERSATIONS)
            if (channel := cut_short_channel(raw)) is not None
        ]
        for user in found:
            async with self._locked(user) as (stored, history):
                raw, state = self._decoded(user, stored)
                if not _cut_short(state):  # the user wrote first, or another instance did it
                    continue
                deliver = deliver_to(user) if deliver_to else None
                turn = self._turn(user, state, history, deliver=deliver)
                # The user's channel may send the cut-short message again (its answer never
                # came): it then gets nothing more, the outcome having been delivered here.
                message = (state.inflight or {}).get("message")
                if message is not None:
                    state.reply = {"id": message, "out": []}
                await self._guarded(turn, self._recover(turn), raw)
        if found:
            log.info("found out about %d call(s) a stopped process left in flight", len(found))
        return len(found)

    async def _recover_then(self, turn: Turn, text: str) -> None:
        """Recover, then take the message only if it asks for something new: it was written
        before the user saw what became of their request, so it is not an answer to what the
        dialog asks next."""
        await self._recover(turn)
        state = turn.state
        if state.status != Status.IDLE:
            return
        if text.startswith("/start") or self.intents.match(text).best is not None:
            await self._on_message(turn, text)

    async def load(self, user: User) -> ConversationState:
        return self._decoded(user, await self.store.get(CONVERSATIONS, user.id))[1]

    def _locked(self, user: User) -> AbstractAsyncContextManager[list[bytes | None]]:
        """The user's lock, with their stored state and history, read as it is taken (on
        Redis, in the same round trip)."""
        return self.store.lock(_lock_key(user), read=((CONVERSATIONS, user.id), (HISTORY, user.id)))

    def _decoded(self, user: User, raw: bytes | None) -> tuple[bytes | None, ConversationState]:
        """The stored bytes (the turn's checkpoint) and the state they hold."""
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

    async def _save_at_end(self, turn: Turn, *, fresh: bool) -> None:
        """Save the state, and the turn in the user's history (channels.md, `history`) beside
        it: both writes at once, so that a store that commits in batches (SQLite) makes one
        commit of them, not two in a row. A `fresh` conversation (no state was stored: a new
        user, or one whose conversation expired) starts a new history, unread."""
        user = turn.user.id
        kept = extended(None if fresh else turn.history, turn.heard, turn.out)
        entries = [(CONVERSATIONS, user, encode(turn.state))]
        if kept is not None:
            entries.append((HISTORY, user, kept))
        try:  # the turn's last writes: on Redis, the user's lock goes with them
            await self.store.put_many(entries, ttl=self.state_ttl, release=True)
        except LockLost as exc:  # another instance took the user over: its state stands
            log.warning("user %r: this turn was not saved: %s", user, exc)

    # -- a turn ---------------------------------------------------------------------------------

    async def _guarded(
        self, turn: Turn, work: Any, checkpoint: bytes | None, *, answering: str | None = None
    ) -> None:
        """Run `work`, resume held dialogs once no dialog is active, and save the state; with
        the answer, when the turn answers the message `answering`."""
        try:
            await self._attempt(turn, work, checkpoint)
            while turn.state.status == Status.IDLE and turn.state.held:
                turn.state.resume()
                await self._attempt(turn, self._resumed(turn), encode(turn.state))
        except LockLost as exc:  # paused past the lock's expiry: the new holder's state stands
            log.warning("user %r: this turn stopped: %s", turn.user.id, exc)
            return
        if answering is not None:
            turn.state.reply = {"id": answering, "out": [m.to_wire() for m in turn.out]}
        await self._save_at_end(turn, fresh=checkpoint is None)

    async def _attempt(self, turn: Turn, work: Any, checkpoint: bytes | None) -> None:
        """Run `work`; on failure tell the user and go back to `checkpoint` (the stored state
        the turn began from) unless a non-idempotent call already went out."""
        try:
            await work
        except LockLost:
            raise
        except DialogStopped as exc:
            log.log(exc.level, "%s", exc)
            turn.state.finish()
            await turn.emit(say(exc.user_message))
        except Exception as exc:  # the user is told in a sentence; operators get the traceback
            if isinstance(exc, TemplateError):
                log.error("%s", exc)
                detail = f" ({exc})"
            else:
                log.exception("a turn of user %r failed", turn.user.id)
                detail = ""
            if turn.state.inflight is not None:
                # A call with a side effect may have gone out: keep the record, so that the
                # next turn finds out what happened instead of forgetting or repeating it.
                turn.state.status = Status.ACTIVE
                await turn.emit(
                    say(
                        f"Sorry, something went wrong on my side{detail}. Write to me again "
                        "and I'll find out whether your request went through."
                    )
                )
            elif turn.side_effect:
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

    async def _resumed(self, turn: Turn) -> None:
        """A held dialog is active again: say so, then ask its question again (or remind of
        its authorization link, or run on when the authorization arrived meanwhile)."""
        state = turn.state
        title = self._title(state.dialog or "")
        await turn.emit(say(f"Back to: {title.rstrip('.')}."))
        if state.status == Status.WAITING:
            await self.executor.reask(turn)
        else:  # parked, or authorized while held: the service node finds the token or links
            state.status, state.parked = Status.ACTIVE, None
            await self.executor.advance(turn)

    async def _on_message(self, turn: Turn, text: str) -> None:
        state = turn.state
        command = normalise_command(text)
        pending, state.pending = state.pending, None
        dialog = state.dialog
        if state.status in (Status.WAITING, Status.PARKED) and dialog and dialog in self.dialogs:
            switching = pending and pending.get("ask") == "interrupt"
            if pending and switching and await self._answer_switch(turn, pending, text):
                return
            if command in self.words.cancel:
                state.finish()
                await turn.emit(say("Okay, I've cancelled that."))
                return
            if command in self.words.restart:
                await turn.emit(say("Okay, let's start over."))
                await self._begin(turn, dialog)
                return
            if await self._amend(turn, text):
                return
            await self._while_waiting(turn, text)
            return
        if state.dialog is not None:  # a dialog that no longer exists, or a stale state
            state.finish()
        if text.startswith("/start"):
            said = pending.get("text") if pending and pending.get("ask") == "choose" else None
            await self._goto(turn, text.removeprefix("/start").strip(), said)
            return
        if command in self.words.cancel:
            await turn.emit(say("There's nothing to cancel."))
            return
        await self._recognise(turn, text)

    # -- while a dialog waits: an answer, or another subject ------------------------------------

    async def _while_waiting(self, turn: Turn, text: str) -> None:
        """The active dialog waits for an answer or an authorization; `text` is an answer,
        or an interruption (conversation.md, "Changing the subject")."""
        state = turn.state
        reading = self.read_waiting(state, text)
        if reading.wanted is not None:
            await self._switch(turn, reading.wanted, text, reading.mode)
        elif state.status == Status.PARKED:
            await self._remind_parked(turn)
        elif reading.small_talk is not None:
            await turn.emit(self._small_talk(reading.small_talk))
            await self.executor.reask(turn)
        else:
            await self.executor.advance(turn, answer=text, parsed=reading.parsed)

    def read_waiting(self, state: ConversationState, text: str) -> WaitingReading:
        """What `text` is while the active dialog waits: an interruption (the dialog it asks
        for, and what the mode makes of it), small talk, or an answer (already read as the
        node's type when that was needed to decide). Changes nothing."""
        dialog = self.dialogs[state.dialog or ""]
        cn = dialog.nodes[state.node or ""]
        entity = cn.node if isinstance(cn, CompiledEntity) else None
        mode = self.interruptions.mode(dialog.dialog, entity)
        if mode == NEVER:
            return _ANSWER[mode]
        wanted = self._started_by_command(text)
        if wanted is not None or entity is None:  # a menu button, or a parked dialog
            if wanted is None:
                wanted, _ = self._other_dialog(state.dialog, text, strict=False)
            return WaitingReading(mode, wanted)
        if entity.entity_type == "string":
            if not self.interruptions.may_interrupt_string(text):
                return _ANSWER[mode]
            wanted, _ = self._other_dialog(state.dialog, text, strict=True)
            return WaitingReading(mode, wanted)
        assert isinstance(cn, CompiledEntity)  # `entity` is its node
        parsed = self.executor.read_answer(cn, text)
        if parsed.ok:  # a valid typed answer is always an answer
            return WaitingReading(mode, parsed=parsed)
        wanted, small_talk = self._other_dialog(state.dialog, text, strict=False)
        return WaitingReading(mode, wanted, small_talk, parsed)

    def _started_by_command(self, text: str) -> str | None:
        """The dialog a `/start ID` message names (a menu button), if it exists."""
        if text.startswith("/start"):
            wanted = text.removeprefix("/start").strip()
            if wanted in self.dialogs:
                return wanted
        return None

    def _other_dialog(
        self, current: str | None, text: str, *, strict: bool
    ) -> tuple[str | None, str | None]:
        """The dialog other than `current` that `text` clearly asks for, and the kind of
        small talk it is; `strict` (a string node's answer) needs `interrupt_threshold`."""
        result = self.intents.match(text)
        best = result.best
        if best is None or best.dialog == current:
            # Only small talk said as such ("thanks", "help") is answered during a question:
            # a looser match may be an answer the node could not read ("nope, none at all").
            exact = result.ranked[:1] and result.ranked[0].score >= EXACT
            return None, result.small_talk if exact else None
        if strict and best.score <= self.interruptions.threshold:
            return None, None
        return best.dialog, None

    async def _switch(self, turn: Turn, wanted: str, text: str, mode: str) -> None:
        """Leave the active dialog for `wanted` as `mode` says: hold, ask or discard."""
        state = turn.state
        said = None if text.startswith("/start") else text
        if mode == "ask":
            current, other = self._title(state.dialog or ""), self._title(wanted)
            state.pending = {"ask": "interrupt", "dialog": wanted, "text": said}
            await turn.emit(
                say(
                    f'Do you want to leave "{current}" for now and start "{other}" instead?',
                    YES_NO,
                )
            )
            return
        if mode == "discard":
            state.finish()
        else:
            await self._hold(turn)
        await self._begin(turn, wanted, utterance=said)

    async def _hold(self, turn: Turn) -> None:
        state = turn.state
        state.hold()
        while len(state.held) > self.interruptions.max_held:
            dropped = state.held.pop(0)
            await turn.emit(
                say(
                    f'I\'ve let go of "{self._title(dropped.dialog)}": I keep at most '
                    f"{self.interruptions.max_held} things on hold."
                    if self.interruptions.max_held
                    else f'I\'ve stopped "{self._title(dropped.dialog)}".'
                )
            )

    async def _answer_switch(self, turn: Turn, pending: Mapping[str, Any], text: str) -> bool:
        """The answer to "Do you want to leave X for now and start Y instead?"; False when
        the message is no yes or no, and is then read as if the question had not been asked."""
        answer = parse(_BOOLEAN, text, self.executor.settings)
        wanted = pending.get("dialog")
        if not answer.ok or not isinstance(wanted, str) or wanted not in self.dialogs:
            return False
        if answer.value:
            await self._hold(turn)
            await self._begin(turn, wanted, utterance=pending.get("text"))
        elif turn.state.status == Status.PARKED:
            await self._remind_parked(turn)
        else:
            await self.executor.reask(turn)
        return True

    # -- amend ---------------------------------------------------------------------------------

    async def _amend(self, turn: Turn, text: str) -> bool:
        """ "change the company to Acme": update the entity and ask the waiting question again
        (conversation.md, "Changing a value"). False when `text` asks no such thing."""
        state = turn.state
        dialog = self.dialogs[state.dialog or ""]
        amender = self.amenders[dialog.id]
        request = amender.read(text)
        if request is None:
            return False
        node = dialog.nodes[state.node or ""]
        waiting = node if isinstance(node, CompiledEntity) else None
        waiting_entity = waiting.node.entity if waiting is not None else None
        entity = request.entity
        if entity is None:  # "actually make it large": the one given entity the value fits
            if waiting is not None and self.executor.read_answer(waiting, request.value).ok:
                return False
            entity = amender.by_value(request.value, state.entities, self.executor.settings)
            if entity is None:
                return False
        if entity == waiting_entity and state.status == Status.WAITING:
            await self.executor.advance(turn, answer=request.value)
            return True
        label = request.label or entity.replace("_", " ")
        if amender.used(entity, state.results):
            await turn.emit(
                say(f"Sorry, I can't change the {label} now: it has already been sent.")
            )
        else:
            checked = self.executor.check_value(turn, amender.nodes[entity], request.value)
            if checked.ok:
                state.entities[entity] = checked.value
                if waiting_entity is not None:
                    state.attempts = 0
                await turn.emit(say(f"Changed {label} to {_shown(checked.value)}."))
            else:
                await turn.emit(say(checked.error or f"That doesn't work as the {label}."))
        if state.status == Status.PARKED:
            await self._remind_parked(turn)
        else:
            await self.executor.reask(turn)
        return True

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
            turn.state.pending = {"ask": "choose", "text": text}  # its values, once chosen
            await turn.emit(say(question, buttons))
        else:
            await turn.emit(self._fallback())

    async def _goto(self, turn: Turn, dialog_id: str, said: str | None = None) -> None:
        if dialog_id in self.dialogs:
            await self._begin(turn, dialog_id, utterance=said)
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
            found = self.extractors[dialog_id].extract(utterance, self.executor.settings)
            turn.state.entities.update(found)
        await self.executor.advance(turn)

    async def _remind_parked(self, turn: Turn) -> None:
        parked = turn.state.parked
        authorizer = self.authorizer
        if (
            parked is None
            or parked.expired()
            or (authorizer is not None and not await authorizer.link_usable(parked))
        ):
            # The link has expired, or was used by a callback that did not resume (the server
            # died): run the service node again, which finds a token that arrived meanwhile or
            # sends a fresh link. A link that can no longer work is never sent again.
            turn.state.status, turn.state.parked = Status.ACTIVE, None
            await self.executor.advance(turn)
            return
        await turn.emit(parked.auth_link(REMINDER))

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

    def _greeting(self) -> Outbound:
        """The bot's own greeting, or a line naming what it can do, with a button for each."""
        if self.words.greeting:
            return say(self.words.greeting)
        offered = [d for d in self.dialogs if self.dialogs[d].dialog.intents]
        if not offered:
            return say("Hi! I have nothing to offer yet: this bot has no dialogs to start.")
        named = [_as_clause(self._title(d)) for d in offered[:NAMED_CHOICES]]
        if len(offered) > NAMED_CHOICES:
            named.append(f"{len(offered) - NAMED_CHOICES} more")
        text = (
            f"Hi! I can {_both(named)}. Pick one below, or tell me in your own words what you need."
        )
        return say(text, tuple(self._button(d) for d in offered))

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
            "held": [h.dialog for h in state.held],
        }


def _cut_short(state: ConversationState) -> bool:
    """A call with a side effect went out in a turn that never finished."""
    return state.inflight is not None and state.status == Status.ACTIVE


def _lock_key(user: User) -> str:
    return f"user:{user.id}"


def _reply(message: Outbound, reply_to: str | None) -> Outbound:
    return msgspec.structs.replace(message, reply_to=reply_to)


_BOOLEAN = EntitySpec("boolean")


def _held_parked(state: ConversationState, node: str, profile: str) -> Held | None:
    """The held dialog parked at `node` for `profile`, if one is."""
    for held in reversed(state.held):
        if (
            held.status == Status.PARKED
            and held.node == node
            and held.parked is not None
            and held.parked.profile == profile
        ):
            return held
    return None


def _shown(value: Any) -> str:
    """A value as a sentence shows it: "10000 USD", "yes", "nothing"."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and {"amount", "currency"} <= value.keys():
        return f"{value['amount']:,} {value['currency']}"
    return str(value)


def _as_clause(title: str) -> str:
    """A dialog's title inside a sentence: "Order a pizza." as "order a pizza" (an initial
    capital is lowered unless the word is an acronym, such as "SOQL")."""
    title = title.strip().rstrip(".")
    if len(title) > 1 and title[0].isupper() and not title[1].isupper():
        return title[0].lower() + title[1:]
    return title


def _both(names: Iterable[str]) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _either(names: Iterable[str]) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
