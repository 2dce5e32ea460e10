"""The benchmark's baseline: the conversation of `dialog.yaml`, built on Bot Framework.

A `WaterfallDialog` asks with TextPrompt, NumberPrompt and ConfirmPrompt; prompt validators do
the same reading work as Parley's entity types with the same libraries (email-validator for the
email, phonenumbers for the phone, rapidfuzz for the intent). State lives in a
`ConversationState` over `MemoryStorage` and is saved after every turn; the bot is driven through
botbuilder's `TestAdapter`, one conversation reference per simulated user.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from decimal import Decimal

import jsonpickle
import phonenumbers
from botbuilder.core import ConversationState, MemoryStorage, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.choices import ListStyle
from botbuilder.dialogs.prompts import (
    ConfirmPrompt,
    NumberPrompt,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
)
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from email_validator import EmailNotValidError, validate_email
from rapidfuzz import fuzz, process, utils

from bench.engine.harness import RunResult
from bench.engine.script import EXPECTED_REPLIES, USER_TURNS, UnexpectedReply

NAME = "botbuilder"
DIALOG_ID = "register_contact"
INTENTS = ("register a contact",)
INTENT_THRESHOLD = 70.0
REGION = "US"
LOCALE = "en-us"
CANCEL_WORDS = ("cancel",)
RESTART_WORDS = ("restart",)
FALLBACK = 'Sorry, I didn\'t get that. I can help you "register a contact".'

STRING_PROMPT = "string_prompt"
EMAIL_PROMPT = "email_prompt"
PHONE_PROMPT = "phone_prompt"
NUMBER_PROMPT = "number_prompt"
CONFIRM_PROMPT = "confirm_prompt"

_EDGE_PUNCTUATION = ".,;:!?()[]<>\"'"


async def read_string(prompt_context: PromptValidatorContext) -> bool:
    text = (prompt_context.recognized.value or "").strip()
    prompt_context.recognized.value = text
    return bool(text)


async def read_email(prompt_context: PromptValidatorContext) -> bool:
    for word in (prompt_context.recognized.value or "").split():
        candidate = word.strip(_EDGE_PUNCTUATION)
        if "@" not in candidate:
            continue
        try:
            address = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        prompt_context.recognized.value = address.normalized
        return True
    return False


async def read_phone(prompt_context: PromptValidatorContext) -> bool:
    text = prompt_context.recognized.value or ""
    for match in phonenumbers.PhoneNumberMatcher(text, REGION):
        prompt_context.recognized.value = phonenumbers.format_number(
            match.number, phonenumbers.PhoneNumberFormat.E164
        )
        return True
    return False


async def read_number(prompt_context: PromptValidatorContext) -> bool:
    if not prompt_context.recognized.succeeded:
        return False
    value: Decimal = prompt_context.recognized.value
    prompt_context.recognized.value = (
        int(value) if value == value.to_integral_value() else float(value)
    )
    return True


async def read_boolean(prompt_context: PromptValidatorContext) -> bool:
    return prompt_context.recognized.succeeded


def _ask(text: str, retry: str | None = None) -> PromptOptions:
    return PromptOptions(
        prompt=MessageFactory.text(text),
        retry_prompt=MessageFactory.text(retry) if retry else None,
    )


async def ask_last_name(step: WaterfallStepContext) -> DialogTurnResult:
    return await step.prompt(STRING_PROMPT, _ask("What is the contact's last name?"))


async def ask_company(step: WaterfallStepContext) -> DialogTurnResult:
    step.values["last_name"] = step.result
    return await step.prompt(
        STRING_PROMPT, _ask(f"Which company does {step.values['last_name']} work for?")
    )


async def ask_email(step: WaterfallStepContext) -> DialogTurnResult:
    step.values["company"] = step.result
    return await step.prompt(
        EMAIL_PROMPT,
        _ask(
            f"What is {step.values['last_name']}'s email address?",
            "That doesn't look like an email address. Please type it again.",
        ),
    )


async def ask_phone(step: WaterfallStepContext) -> DialogTurnResult:
    step.values["email"] = step.result
    return await step.prompt(
        PHONE_PROMPT,
        _ask(
            f"And {step.values['last_name']}'s phone number?",
            "That doesn't look like a phone number. Please type it again.",
        ),
    )


async def ask_employees(step: WaterfallStepContext) -> DialogTurnResult:
    step.values["phone"] = step.result
    return await step.prompt(
        NUMBER_PROMPT,
        _ask(
            f"How many employees does {step.values['company']} have?",
            "Please answer with a number.",
        ),
    )


async def ask_confirm(step: WaterfallStepContext) -> DialogTurnResult:
    step.values["employees"] = step.result
    v = step.values
    return await step.prompt(
        CONFIRM_PROMPT,
        _ask(
            f"Register {v['last_name']} of {v['company']} "
            f"({v['email']}, {v['phone']}, {v['employees']} employees)?",
            "Please answer yes or no.",
        ),
    )


async def summarise(step: WaterfallStepContext) -> DialogTurnResult:
    v = step.values
    verdict = "Registered" if step.result else "Not registered"
    await step.context.send_activity(
        MessageFactory.text(
            f"{verdict}: {v['last_name']} of {v['company']}, {v['email']}, "
            f"{v['phone']}, {v['employees']} employees."
        )
    )
    return await step.end_dialog()


class ContactBot:
    """The contact-registration bot on botbuilder-dialogs, behind one `TestAdapter`."""

    def __init__(self) -> None:
        self.storage = MemoryStorage()
        self.conversation_state = ConversationState(self.storage)
        self.dialogs = DialogSet(self.conversation_state.create_property("DialogState"))
        confirm = ConfirmPrompt(CONFIRM_PROMPT, read_boolean, default_locale=LOCALE)
        confirm.style = ListStyle.none  # ask exactly the prompt text, as Parley does
        for dialog in (
            TextPrompt(STRING_PROMPT, read_string),
            TextPrompt(EMAIL_PROMPT, read_email),
            TextPrompt(PHONE_PROMPT, read_phone),
            NumberPrompt(NUMBER_PROMPT, read_number, default_locale=LOCALE),
            confirm,
            WaterfallDialog(
                DIALOG_ID,
                [
                    ask_last_name,
                    ask_company,
                    ask_email,
                    ask_phone,
                    ask_employees,
                    ask_confirm,
                    summarise,
                ],
            ),
        ):
            self.dialogs.add(dialog)
        self.adapter = TestAdapter(self.on_turn)

    async def on_turn(self, turn_context: TurnContext) -> None:
        text = (turn_context.activity.text or "").strip()
        command = text.strip(".!?").strip().lower()
        dialog_context = await self.dialogs.create_context(turn_context)
        if dialog_context.active_dialog is not None and command in CANCEL_WORDS:
            await dialog_context.cancel_all_dialogs()
        elif dialog_context.active_dialog is not None and command in RESTART_WORDS:
            await dialog_context.cancel_all_dialogs()
            await dialog_context.begin_dialog(DIALOG_ID)
        else:
            result = await dialog_context.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                if self._asks_to_register(text):
                    await dialog_context.begin_dialog(DIALOG_ID)
                else:
                    await turn_context.send_activity(FALLBACK)
        await self.conversation_state.save_changes(turn_context)

    @staticmethod
    def _asks_to_register(text: str) -> bool:
        best = process.extractOne(
            text,
            INTENTS,
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            score_cutoff=INTENT_THRESHOLD,
        )
        return best is not None

    @staticmethod
    def reference(conversation_id: str) -> ConversationReference:
        """The conversation reference of one simulated user."""
        return TestAdapter.create_conversation_reference(conversation_id, f"user-{conversation_id}")

    @staticmethod
    def message(reference: ConversationReference, text: str) -> Activity:
        """An incoming message from the user of `reference`."""
        activity = Activity(type=ActivityTypes.message, text=text, locale=LOCALE)
        return TurnContext.apply_conversation_reference(activity, reference, is_incoming=True)

    async def handle(self, activity: Activity) -> None:
        """Run one turn; its replies wait in `take_replies()`."""
        await self.adapter.receive_activity(activity)

    def take_replies(self) -> list[str]:
        """The texts the bot sent since the last call, oldest first."""
        replies = [a.text for a in self.adapter.activity_buffer]
        self.adapter.activity_buffer.clear()
        return replies

    async def say(self, conversation_id: str, text: str) -> list[str]:
        """Send one message in a conversation and return the bot's replies."""
        await self.handle(self.message(self.reference(conversation_id), text))
        return self.take_replies()

    def stored_bytes(self, conversation_id: str) -> int:
        """Size of the conversation's state in storage, serialised as botbuilder's stores do."""
        reference = self.reference(conversation_id)
        key = f"{reference.channel_id}/conversations/{reference.conversation.id}"
        state = self.storage.memory.get(key)
        return 0 if state is None else len(jsonpickle.encode(state).encode())


def check_replies(
    conversation_id: str, turn: int, said: str, replies: Sequence[str], expected: str
) -> None:
    """Raise UnexpectedReply unless the bot answered exactly `expected` to `said`."""
    if list(replies) != [expected]:
        raise UnexpectedReply(
            f"botbuilder, conversation {conversation_id}, turn {turn} ({said!r}): "
            f"expected [{expected!r}], got {list(replies)!r}"
        )


async def _converse(bot: ContactBot, conversation_id: str, latencies_us: list[float]) -> int:
    """Hold one scripted conversation, appending each turn's time; return its peak state size."""
    reference = bot.reference(conversation_id)
    peak = 0
    for turn, (said, expected) in enumerate(zip(USER_TURNS, EXPECTED_REPLIES, strict=True)):
        activity = bot.message(reference, said)
        started = time.perf_counter_ns()
        await bot.handle(activity)
        latencies_us.append((time.perf_counter_ns() - started) / 1000)
        check_replies(conversation_id, turn + 1, said, bot.take_replies(), expected)
        peak = max(peak, bot.stored_bytes(conversation_id))
    return peak


async def run_botbuilder(conversations: int, *, warmup: int = 1, concurrency: int = 1) -> RunResult:
    """Hold `conversations` conversations of the script; time every turn.

    `warmup` conversations first run untimed, so the recognizers' one-time set-up is not
    counted. With `concurrency` 1 they run one after another and only the turns are timed
    (checking replies and measuring state happen between turns); with more, that many lanes
    run at once, each its own bot and adapter (replies are collected per adapter), and the
    run's wall-clock time is what counts. Raises UnexpectedReply when the bot strays.
    """
    if conversations < 1:
        raise ValueError(f"expected at least 1 conversation, got {conversations}")
    lanes = [ContactBot() for _ in range(max(1, concurrency))]
    for n in range(warmup):
        for lane, bot in enumerate(lanes):
            await _converse(bot, f"warmup-{lane}-{n}", [])
    latencies_us: list[float] = []

    async def lane(index: int) -> list[int]:
        bot = lanes[index]
        numbers = range(index, conversations, len(lanes))
        return [await _converse(bot, f"bench-{n}", latencies_us) for n in numbers]

    started = time.perf_counter()
    peaks = [
        peak
        for lane_peaks in await asyncio.gather(*map(lane, range(len(lanes))))
        for peak in lane_peaks
    ]
    wall = time.perf_counter() - started
    return RunResult(
        name=NAME,
        turns=len(latencies_us),
        seconds=sum(latencies_us) / 1e6 if len(lanes) == 1 else wall,
        latencies_us=latencies_us,
        bytes_per_conversation=sum(peaks) / len(peaks),
        conversations=conversations,
    )
