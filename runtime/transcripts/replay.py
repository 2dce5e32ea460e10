"""Replay one transcript step by step: against a bot's engine in process, or over a channel.

`Replay` reads the steps and judges what the bot says; a `Peer` carries the steps to the bot.
`EnginePeer` is the bot's engine in this process; a test may drive a real server over a
channel with a peer of its own (``tests/support/wire_replay.py``: the webhook). A peer that
cannot take a step (a channel cannot show the conversation's state) raises `StepError`, which
fails the replay at that step: a step is never skipped.

Every bot message must be matched by a `bot` step, in order: a message left over when the user
speaks again, when an authorization starts, before a restart, or when the transcript ends is a
failure ("said more than expected"), as is a `bot` step with nothing left to match ("said
less"). Each step has a time limit, so a bot that hangs fails at that step's line instead of
hanging the run; a restart is not cut short (half done, it would leave a bot or a server
behind), each peer bounds its own. The replay stops at the first failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Protocol

from runtime.bot import Bot
from runtime.engine.messages import Outbound
from runtime.engine.text_input import clean_text
from runtime.engine.turn import User
from runtime.errors import ChannelError, TranscriptError
from runtime.intents import IntentResult
from runtime.transcripts.identity import AuthorizationFailed, Login, follow_authorization
from runtime.transcripts.model import (
    UNSET,
    Authorize,
    BotSays,
    ExpectNoMore,
    ExpectState,
    Restart,
    Step,
    Transcript,
    UserSays,
)
from runtime.transcripts.render import (
    card_titles,
    describe_message,
    describe_step,
    expected_state,
    flow,
    scores,
)
from runtime.transcripts.report import Failure, Result

log = logging.getLogger("parley.transcripts")

CHANNEL = "test"
DEFAULT_STEP_TIMEOUT = 10.0
NOTHING = "(nothing)"


class StepFailed(TranscriptError):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class StepError(TranscriptError):
    """A peer could not take a step; the message says why, and is the failure's."""


class Peer(Protocol):
    """The other side of a replay: it carries the user's steps to the bot and brings back what
    the bot said. A step it cannot take raises `StepError` saying why."""

    async def start(self, dialog: str) -> list[Outbound]:
        """Begin `dialog` before the first step (``fixtures.dialog``)."""

    async def say(self, text: str) -> list[Outbound]:
        """The user sends `text`; what the bot answered."""

    async def authorize(self, link: Outbound, *, allow: bool) -> list[Outbound]:
        """Follow the auth `link` as the user would, allowing or refusing; what the bot said
        when the conversation resumed."""

    async def restart(self) -> None:
        """Stop the bot's server and start it again on the same store."""

    async def state(self) -> Mapping[str, Any]:
        """The conversation's state, as `Engine.snapshot` shows it."""

    def intent(self, text: str) -> IntentResult:
        """What the intent matcher makes of `text`."""


class EnginePeer:
    """The bot's engine in this process, spoken to as `user_id` on the ``test`` channel.

    `restart` stops the bot and returns a new one opened over the same config and store (the
    `Runner` passes its own); without it a `restart` step fails.
    """

    def __init__(
        self,
        bot: Bot,
        user_id: str,
        *,
        login: Login | None = None,
        restart: Callable[[], Awaitable[Bot]] | None = None,
    ) -> None:
        self.bot = bot
        self.user = User(user_id, CHANNEL)
        self.login = login
        self._restart = restart

    async def start(self, dialog: str) -> list[Outbound]:
        return await self.bot.engine.start(self.user, dialog)

    async def say(self, text: str) -> list[Outbound]:
        return await self.bot.engine.handle(self.user, text)

    async def authorize(self, link: Outbound, *, allow: bool) -> list[Outbound]:
        try:
            params = await follow_authorization(link.url, login=self.login, allow=allow)
        except AuthorizationFailed as exc:
            raise StepError(f"the authorization failed: {exc}") from None
        if "state" not in params:
            raise StepError(f"the identity provider's redirect has no state: {params}")
        result = await self.bot.engine.authorization_callback(
            state=params["state"],
            code=params.get("code"),
            error=params.get("error"),
            presenter=self.user.id,
        )
        wanted = "connected" if allow else "denied"
        if result.outcome != wanted:
            raise StepError(
                f"the authorization ended {str(result.outcome)!r}, not {wanted!r}: {result.page}"
            )
        return result.messages

    async def restart(self) -> None:
        if self._restart is None:
            raise StepError(
                "this replay cannot restart the bot: only a bot opened by open_replay_bot, "
                "which knows how to open it again, can be restarted"
            )
        self.bot = await self._restart()

    async def state(self) -> Mapping[str, Any]:
        return self.bot.engine.snapshot(await self.bot.engine.load(self.user))

    def intent(self, text: str) -> IntentResult:
        engine = self.bot.engine
        try:
            return engine.intents.match(clean_text(text, max_chars=engine.max_chars))
        except ChannelError:  # the engine refused the message: it matched nothing
            return IntentResult(None)


class Replay:
    """One transcript, replayed through `peer`."""

    def __init__(
        self,
        peer: Peer,
        transcript: Transcript,
        *,
        step_timeout: float = DEFAULT_STEP_TIMEOUT,
    ) -> None:
        self.peer = peer
        self.transcript = transcript
        self.step_timeout = step_timeout
        self.pending: deque[Outbound] = deque()
        self.links: dict[str, Outbound] = {}  # profile -> the last auth link for it
        self.last_user: str | None = None  # what the user said last, for `expect.intent`

    async def run(self) -> Result:
        """Replay every step; never raises for anything the bot or the transcript does."""
        t = self.transcript
        done = 0
        try:
            if t.fixtures.dialog is not None:
                await self._timed(self._start(t.fixtures.dialog), t.fixtures.line)
            for step in t.steps:
                timed = not isinstance(step, Restart)
                await self._timed(self._step(step), step.line, step, timed=timed)
                done += 1
            if self.pending:
                last = t.steps[-1]
                raise StepFailed(self._said_more(last, "after the last step"))
        except StepFailed as exc:
            return Result(t.file, t.name, (exc.failure,), done)
        return Result(t.file, t.name, (), done)

    async def _timed(
        self,
        work: Coroutine[Any, Any, None],
        line: int,
        step: Step | None = None,
        *,
        timed: bool = True,
    ) -> None:
        try:
            await (asyncio.wait_for(work, self.step_timeout) if timed else work)
        except StepFailed:
            raise
        except StepError as exc:
            message = str(exc)
        except TimeoutError:
            message = f"the bot did not finish this step within {self.step_timeout:g} s"
        except Exception as exc:  # the bot broke: report it at the step, not as a traceback
            log.debug("replaying %s", self.transcript.file, exc_info=True)
            message = f"the bot failed: {type(exc).__name__}: {exc}"
        else:
            return
        shown = describe_step(step) if step is not None else "fixtures: ..."
        raise StepFailed(Failure(self.transcript.file, line, message, shown))

    # -- steps ----------------------------------------------------------------------------------

    async def _start(self, dialog: str) -> None:
        self._heard(await self.peer.start(dialog))

    async def _step(self, step: Step) -> None:
        if isinstance(step, UserSays):
            self._nothing_pending(step, "before the user spoke")
            self.last_user = step.text
            self._heard(await self.peer.say(step.text))
        elif isinstance(step, BotSays):
            self._bot_says(step)
        elif isinstance(step, Authorize):
            self._nothing_pending(step, "before the authorization")
            await self._authorize(step)
        elif isinstance(step, ExpectNoMore):
            self._nothing_pending(step, "")
        elif isinstance(step, ExpectState):
            await self._expect(step)
        elif isinstance(step, Restart):
            self._nothing_pending(step, "before the restart")
            await self.peer.restart()

    def _heard(self, messages: list[Outbound]) -> None:
        for message in messages:
            self.pending.append(message)
            if message.type == "auth_link":
                self.links[message.profile] = message

    def _bot_says(self, step: BotSays) -> None:
        if not self.pending:
            raise StepFailed(
                self._failure(
                    step, "the bot said less than expected", [describe_step(step)], [NOTHING]
                )
            )
        message = self.pending.popleft()
        wrong = mismatch(step, message)
        if wrong:
            raise StepFailed(
                self._failure(step, wrong, [describe_step(step)], [describe_message(message, step)])
            )

    def _nothing_pending(self, step: Step, when: str) -> None:
        if self.pending:
            raise StepFailed(self._said_more(step, when))

    def _said_more(self, step: Step, when: str) -> Failure:
        said = [describe_message(m) for m in self.pending]
        message = "the bot said more than expected" + (f" {when}" if when else "")
        return self._failure(step, message, [], said)

    async def _authorize(self, step: Authorize) -> None:
        link = self.links.get(step.profile)
        if link is None:
            raise StepFailed(
                self._failure(step, f"the bot has sent no auth link for {step.profile!r}")
            )
        self._heard(await self.peer.authorize(link, allow=step.allow))

    async def _expect(self, step: ExpectState) -> None:
        state = await self.peer.state()
        wanted = expected_state(step)
        wanted.pop("intent", None)
        seen: dict[str, Any] = {}
        for key, value in wanted.items():
            if isinstance(value, dict):
                have = state[key]
                seen[key] = {k: have.get(k, _ABSENT) for k in value}
            else:
                seen[key] = state[key]
        intent = self._intent(step)
        if seen != wanted:
            expected = [f"{k}: {flow(v)}" for k, v in wanted.items()]
            actual = [f"{k}: {flow(_shown(v))}" for k, v in seen.items()]
            message = "the conversation's state is not as expected"
            if [k for k in wanted if seen[k] != wanted[k]] == ["held"]:
                message = (
                    f"the dialogs on hold (oldest first) are {_dialogs(seen['held'])}, "
                    f"not {_dialogs(wanted['held'])}"
                )
            raise StepFailed(
                self._failure(
                    step,
                    f"{message}; {intent}" if intent else message,
                    expected,
                    actual,
                    seen_as="the conversation's state",
                )
            )
        if intent:
            raise StepFailed(self._failure(step, intent))

    def _intent(self, step: ExpectState) -> str:
        """Why the last user message did not match `step.intent` best, with the matcher's
        scores; "" when it did or the step does not check it."""
        if step.intent is UNSET:
            return ""
        text = self.last_user
        if text is None:  # the loader refuses this; a transcript built by hand may not
            return "`expect.intent` needs a user message before it"
        result = self.peer.intent(text)
        if result.top == step.intent:
            return ""
        wanted = f"intent {step.intent}" if step.intent is not None else "no intent"
        got = result.top or "none"
        ranked = scores(result.ranked, keep=step.intent)
        return f'expected {wanted} for "{text}", got {got} ({ranked or "no scores"})'

    def _failure(
        self,
        step: Step,
        message: str,
        expected: list[str] | None = None,
        said: list[str] | None = None,
        *,
        seen_as: str = "the bot said",
    ) -> Failure:
        return Failure(
            self.transcript.file,
            step.line,
            message,
            describe_step(step),
            tuple(expected or ()),
            tuple(said or ()),
            seen_as,
        )


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT: Any = _Absent()


def _dialogs(ids: list[str]) -> str:
    return flow(list(ids)) if ids else "none"


def _shown(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "(absent)" if v is _ABSENT else v for k, v in value.items()}
    return value


def mismatch(step: BotSays, message: Outbound) -> str:
    """Why `message` does not pass `step`, or "" when it does."""
    if step.auth_link is not None and (
        message.type != "auth_link" or message.profile != step.auth_link
    ):
        return f"the bot did not send an auth link for {step.auth_link!r}"
    if step.text is not None and message.text != step.text:
        return "the bot said something else"
    if step.match is not None and step.match.fullmatch(message.text) is None:
        return f"the bot's message does not match /{step.match.pattern}/"
    if step.contains is not None and step.contains not in message.text:
        return f"the bot's message does not contain {step.contains!r}"
    if step.buttons is not None and tuple(label for label, _ in message.buttons) != step.buttons:
        return "the bot's message has other buttons"
    if step.cards is not None:
        if message.type != "cards":
            return "the bot did not send cards"
        if tuple(card_titles(message)) != step.cards:
            return "the bot's cards have other titles"
    return ""
