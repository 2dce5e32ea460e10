"""Bad input gets a clear message and loses nothing: the conversation stays where it was."""

from __future__ import annotations

import pytest

from runtime.engine.turn import User

ALICE = User("alice", "test")

ASK_TWICE = """
dialog: names
intents: [collect names]
nodes:
  - id: first
    type: entity
    prompt: First name?
  - id: last
    type: entity
    prompt: Last name?
  - id: bye
    type: message
    text: "Hello {{ entities.first }} {{ entities.last }}."
"""


def texts(out):
    return [m.text for m in out]


async def waiting_at_last(make_bot, dialog=ASK_TWICE):
    bot = await make_bot({"names": dialog})
    await bot.engine.handle(ALICE, "collect names")
    await bot.engine.handle(ALICE, "Ada")
    return bot


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * 4001, "too_long"),
        ("", "bad_request"),
        ("   \n\t ", "bad_request"),
        ("\x00\x07\x1b", "bad_request"),
        (None, "bad_request"),
        (42, "bad_request"),
    ],
)
async def test_unprocessable_messages_get_an_error_and_keep_the_place(make_bot, text, code):
    bot = await waiting_at_last(make_bot)
    before = await bot.store.get("conv", ALICE.id)
    out = await bot.engine.handle(ALICE, text, message_id="m-9")
    assert [(m.type, m.code, m.reply_to) for m in out] == [("error", code, "m-9")]
    assert await bot.store.get("conv", ALICE.id) == before
    assert texts(await bot.engine.handle(ALICE, "Lovelace")) == ["Hello Ada Lovelace."]


async def test_a_message_of_exactly_4000_characters_is_accepted(make_bot):
    bot = await waiting_at_last(make_bot)
    out = await bot.engine.handle(ALICE, "L" * 4000)
    assert out[0].type == "message"


async def test_control_characters_are_removed_from_the_text(make_bot):
    bot = await waiting_at_last(make_bot)
    assert texts(await bot.engine.handle(ALICE, "Love\x00lace\u200b\x1b")) == [
        "Hello Ada Lovelace."
    ]


async def test_undefined_name_at_run_time_names_it_and_keeps_the_place(make_bot, caplog):
    broken = ASK_TWICE.replace("{{ entities.last }}", "{{ vars.nickname }}")
    bot = await waiting_at_last(make_bot, broken)
    out = texts(await bot.engine.handle(ALICE, "Lovelace"))
    assert len(out) == 1
    assert "dialog 'names', node 'bye'" in out[0]
    assert "nickname" in out[0]
    assert "Traceback" not in caplog.text
    state = await bot.engine.load(ALICE)
    assert (state.dialog, state.node, state.entities) == ("names", "last", {"first": "Ada"})
    assert texts(await bot.engine.handle(ALICE, "cancel")) == ["Okay, I've cancelled that."]


@pytest.mark.parametrize(
    "stored",
    [b"{not json", b"[1, 2]", b'{"s":"abc","t":"dancing"}', b'{"s":"abc","a":"x"}'],
)
async def test_a_stored_state_that_cannot_be_read_starts_a_new_conversation(
    make_bot, caplog, stored
):
    bot = await waiting_at_last(make_bot)
    await bot.store.put("conv", ALICE.id, stored)
    out = await bot.engine.handle(ALICE, "collect names")
    assert texts(out) == ["First name?"]  # not stuck: every later turn works
    assert "cannot be read" in caplog.text and "alice" in caplog.text
    assert texts(await bot.engine.handle(ALICE, "Ada")) == ["Last name?"]


async def test_unicode_text_and_values_survive_the_stored_state(make_bot):
    bot = await waiting_at_last(make_bot)
    out = await bot.engine.handle(ALICE, "Lövelace-Åström 😀")
    assert texts(out) == ["Hello Ada Lövelace-Åström 😀."]
    await bot.engine.handle(ALICE, "collect names")
    await bot.engine.handle(ALICE, "Zoë  Ünal")
    stored = await bot.store.get("conv", ALICE.id)
    assert "Zoë Ünal".encode() in stored  # UTF-8 as it is (no escapes), white space folded
