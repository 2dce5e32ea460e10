"""The Bot Framework baseline holds the benchmark's conversation and does real work."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from bench.engine.botbuilder_side import (
    EXPECTED_REPLIES,
    FALLBACK,
    USER_TURNS,
    ContactBot,
    UnexpectedReply,
    check_replies,
    run_botbuilder,
)

DIALOG = Path(__file__).parents[1] / "dialog.yaml"


async def answer(bot: ContactBot, conversation: str, texts: list[str]) -> list[list[str]]:
    return [await bot.say(conversation, text) for text in texts]


async def test_a_run_follows_the_script_and_measures_every_turn() -> None:
    run = await run_botbuilder(3)
    assert run.name == "botbuilder"
    assert run.conversations == 3
    assert run.turns == 3 * len(USER_TURNS) == len(run.latencies_us)
    assert all(latency > 0 for latency in run.latencies_us)
    assert run.seconds > 0
    assert run.bytes_per_conversation is not None and run.bytes_per_conversation > 500


async def test_a_run_needs_a_conversation() -> None:
    with pytest.raises(ValueError, match="expected at least 1 conversation, got 0"):
        await run_botbuilder(0)


async def test_the_script_gets_the_expected_replies() -> None:
    replies = await answer(ContactBot(), "c1", list(USER_TURNS))
    assert replies == [[text] for text in EXPECTED_REPLIES]


async def test_answers_are_read_and_normalised() -> None:
    replies = await answer(
        ContactBot(),
        "c1",
        ["register a contact", "  Jones ", "Initech", "it is Ann@Example.COM.",
         "call 415.555.0199 please", "forty two", "nope"],
    )  # fmt: skip
    assert replies[-2] == [
        "Register Jones of Initech (Ann@example.com, +14155550199, 42 employees)?"
    ]
    assert replies[-1] == [
        "Not registered: Jones of Initech, Ann@example.com, +14155550199, 42 employees."
    ]


async def test_bad_answers_are_asked_again() -> None:
    bot = ContactBot()
    await answer(bot, "c1", ["register a contact", "Smith", "Acme"])
    assert await bot.say("c1", "bob at example") == [
        "That doesn't look like an email address. Please type it again."
    ]
    assert await bot.say("c1", "bob@example.com") == ["And Smith's phone number?"]
    assert await bot.say("c1", "12") == [
        "That doesn't look like a phone number. Please type it again."
    ]
    assert await bot.say("c1", "(415) 555-0123") == ["How many employees does Acme have?"]
    assert await bot.say("c1", "lots") == ["Please answer with a number."]
    assert await bot.say("c1", "42") == [EXPECTED_REPLIES[5]]
    assert await bot.say("c1", "maybe") == ["Please answer yes or no."]


async def test_conversations_keep_their_own_state() -> None:
    bot = ContactBot()
    await answer(bot, "a", ["register a contact", "Smith"])
    await answer(bot, "b", ["register a contact", "Jones"])
    assert await bot.say("a", "Acme") == ["What is Smith's email address?"]
    assert await bot.say("b", "Initech") == ["What is Jones's email address?"]
    assert bot.stored_bytes("a") > 0
    assert bot.stored_bytes("nobody") == 0


async def test_other_messages_get_the_fallback_and_cancel_ends_the_dialog() -> None:
    bot = ContactBot()
    assert await bot.say("c1", "what's the weather") == [FALLBACK]
    await answer(bot, "c1", ["register a contact", "Smith"])
    assert await bot.say("c1", "cancel") == []
    assert await bot.say("c1", "Acme") == [FALLBACK]
    await answer(bot, "c1", ["register a contact", "Smith"])
    assert await bot.say("c1", "restart") == [EXPECTED_REPLIES[0]]


def test_an_unexpected_reply_is_reported_with_its_place() -> None:
    with pytest.raises(UnexpectedReply, match=r"conversation c9, turn 3 \('Acme'\)"):
        check_replies("c9", 3, "Acme", ["Sorry?"], EXPECTED_REPLIES[2])


def test_parley_dialog_says_the_same_as_the_baseline() -> None:
    dialog = yaml.safe_load(DIALOG.read_text())
    nodes = dialog["nodes"]
    assert [n["type"] for n in nodes] == ["entity"] * 6 + ["message"]
    assert [n.get("entity_type") for n in nodes[:6]] == [
        "string", "string", "email", "phone", "number", "boolean"
    ]  # fmt: skip
    assert dialog["intents"] == [USER_TURNS[0]]
    entities = {
        "last_name": "Smith",
        "company": "Acme",
        "email": "bob@example.com",
        "phone": "+14155550123",
        "employees": 42,
        "confirm": True,
    }
    env = SandboxedEnvironment()
    texts = [env.from_string(n.get("prompt") or n["text"]).render(entities=entities) for n in nodes]
    assert texts == list(EXPECTED_REPLIES)
