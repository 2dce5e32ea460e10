"""Whole dialogs driven through the real engine, on a real SQLite store."""

from __future__ import annotations

import asyncio

from runtime.engine.turn import User

CONTACT = """
dialog: register_contact
description: Register a contact
intents: [register a contact, add a contact]
nodes:
  - id: last_name
    type: entity
    prompt: What is the last name?
  - id: email
    type: entity
    entity_type: email
    optional: true
    prompt: Their email address? (say "skip" if you don't have it)
    error_prompt:
      - That doesn't look like an email address. Try again, or say "skip".
      - Still not an email address. One more try, or "skip".
    retries: 2
    on_failure: done
  - id: done
    type: message
    text: "Saved {{ entities.last_name }}{% if entities.email %} <{{ entities.email }}>{% endif %}."
"""

ALICE = User("alice", "test")


def texts(out):
    return [m.text for m in out]


async def test_a_dialog_runs_from_intent_to_end(make_bot):
    bot = await make_bot({"contact": CONTACT})
    assert texts(await bot.engine.handle(ALICE, "please register a contact")) == [
        "What is the last name?"
    ]
    assert texts(await bot.engine.handle(ALICE, "  Smith ")) == [
        'Their email address? (say "skip" if you don\'t have it)'
    ]
    assert texts(await bot.engine.handle(ALICE, "it is bob@EXAMPLE.com")) == [
        "Saved Smith <bob@example.com>."
    ]
    state = await bot.engine.load(ALICE)
    assert state.dialog is None  # ended; the next message starts a new one


async def test_messages_carry_session_and_reply_to(make_bot):
    bot = await make_bot({"contact": CONTACT})
    out = await bot.engine.handle(ALICE, "register a contact", message_id="c-1")
    wire = out[0].to_wire()
    assert wire["reply_to"] == "c-1"
    assert wire["session"] == (await bot.engine.load(ALICE)).session


async def test_optional_entity_is_skipped(make_bot):
    bot = await make_bot({"contact": CONTACT})
    await bot.engine.handle(ALICE, "register a contact")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(ALICE, "skip")) == ["Saved Smith."]


async def test_escalating_error_prompts_then_on_failure(make_bot):
    bot = await make_bot({"contact": CONTACT})
    await bot.engine.handle(ALICE, "register a contact")
    await bot.engine.handle(ALICE, "Smith")
    first = texts(await bot.engine.handle(ALICE, "no idea"))
    second = texts(await bot.engine.handle(ALICE, "still no idea"))
    assert first == ['That doesn\'t look like an email address. Try again, or say "skip".']
    assert second == ['Still not an email address. One more try, or "skip".']
    # the retries (2) are used up: on_failure carries on with an empty value
    assert texts(await bot.engine.handle(ALICE, "nope")) == ["Saved Smith."]


async def test_without_on_failure_the_dialog_ends_telling_why(make_bot):
    bot = await make_bot(
        {
            "age": """
            dialog: age
            intents: [tell my age]
            nodes:
              - id: years
                type: entity
                entity_type: number
                prompt: How old are you?
                retries: 1
              - id: thanks
                type: message
                text: Thanks.
            """
        }
    )
    await bot.engine.handle(ALICE, "tell my age")
    assert texts(await bot.engine.handle(ALICE, "old")) != []
    out = texts(await bot.engine.handle(ALICE, "very old"))
    assert "couldn't get the years" in out[0]
    assert (await bot.engine.load(ALICE)).dialog is None


async def test_prefill_from_the_starting_utterance_skips_the_question(make_bot):
    bot = await make_bot({"contact": CONTACT})
    await bot.engine.handle(ALICE, "register a contact bob@example.com")
    out = texts(await bot.engine.handle(ALICE, "Smith"))
    assert out == ["Saved Smith <bob@example.com>."]


async def test_prefilled_value_that_fails_validate_is_dropped_and_asked(make_bot):
    bot = await make_bot(
        {
            "seats": """
            dialog: seats
            intents: [book seats]
            nodes:
              - id: count
                type: entity
                entity_type: number
                prompt: How many seats?
                validate:
                  when: value <= 10
                  error: At most 10 seats, please. How many?
              - id: ok
                type: message
                text: "{{ entities.count }} seats booked."
            """
        }
    )
    assert texts(await bot.engine.handle(ALICE, "book seats for 12")) == ["How many seats?"]
    assert texts(await bot.engine.handle(ALICE, "11")) == ["At most 10 seats, please. How many?"]
    assert texts(await bot.engine.handle(ALICE, "4")) == ["4 seats booked."]


async def test_cancel_and_restart_while_waiting(make_bot):
    bot = await make_bot({"contact": CONTACT})
    await bot.engine.handle(ALICE, "register a contact")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(ALICE, "restart")) == [
        "Okay, let's start over.",
        "What is the last name?",
    ]
    assert (await bot.engine.load(ALICE)).entities == {}
    assert texts(await bot.engine.handle(ALICE, "Cancel!")) == ["Okay, I've cancelled that."]
    assert (await bot.engine.load(ALICE)).dialog is None
    assert texts(await bot.engine.handle(ALICE, "cancel")) == ["There's nothing to cancel."]


async def test_cancel_words_are_configurable(make_bot):
    bot = await make_bot({"contact": CONTACT}, config={"conversation": {"cancel_words": ["abort"]}})
    await bot.engine.handle(ALICE, "register a contact")
    assert texts(await bot.engine.handle(ALICE, "abort")) == ["Okay, I've cancelled that."]


async def test_unknown_message_gets_a_fallback_listing_what_the_bot_can_do(make_bot):
    bot = await make_bot({"contact": CONTACT})
    out = await bot.engine.handle(ALICE, "what's the weather like")
    # One message: a heading, and each dialog once, as a button (not also in the text).
    assert [o.text for o in out] == ["Sorry, I didn't understand that. Here is what I can do:"]
    assert out[0].buttons == (("Register a contact", "/start register_contact"),)
    started = await bot.engine.handle(ALICE, out[0].buttons[0][1])
    assert started[0].text == "What is the last name?"


async def test_ambiguous_message_asks_which_dialog(make_bot):
    bot = await make_bot(
        {
            "contact": CONTACT,
            "remove": """
            dialog: remove_contact
            description: Remove a contact
            intents: [remove a contact]
            nodes:
              - id: bye
                type: message
                text: Removed.
            """,
        }
    )
    out = await bot.engine.handle(ALICE, "contact")
    assert out[0].text.startswith("Did you mean")
    assert {label for label, _ in out[0].buttons} == {"Register a contact", "Remove a contact"}


async def test_goto_command_starts_a_dialog_without_intents(make_bot):
    bot = await make_bot(
        {
            "hidden": """
            dialog: hidden
            nodes:
              - id: hi
                type: message
                text: Found the hidden dialog.
            """
        }
    )
    assert texts(await bot.engine.handle(ALICE, "/start hidden")) == ["Found the hidden dialog."]
    out = texts(await bot.engine.handle(ALICE, "/start nowhere"))
    assert "There is no dialog called 'nowhere'" in out[0]


async def test_message_node_messages_buttons_and_set(make_bot):
    bot = await make_bot(
        {
            "menu": """
            dialog: menu
            intents: [show the menu]
            nodes:
              - id: intro
                type: message
                messages: ["Here is the menu.", "Pick one:"]
                buttons: [Soup, {label: Salad, value: salad please}]
                set: {shown: 2, entities.choice_hint: "'soup'"}
              - id: choice
                type: entity
                prompt: never asked, the hint prefilled it
                entity: choice_hint
              - id: bye
                type: message
                text: "{{ vars.shown }} {{ entities.choice_hint }}"
            """
        }
    )
    out = await bot.engine.handle(ALICE, "show the menu")
    assert texts(out) == ["Here is the menu.", "Pick one:", "2 soup"]
    assert out[0].buttons == ()
    assert out[1].buttons == (("Soup", "Soup"), ("Salad", "salad please"))


async def test_a_loop_through_an_entity_node_asks_again(make_bot):
    bot = await make_bot(
        {
            "count": """
            dialog: count
            intents: [count with me]
            nodes:
              - id: n
                type: entity
                entity_type: number
                prompt: Number?
              - id: echo
                type: message
                text: "got {{ entities.n }}"
                next:
                  - when: entities.n == 0
                    to: end
                  - to: n
            """
        }
    )
    await bot.engine.handle(ALICE, "count with me")
    assert texts(await bot.engine.handle(ALICE, "5")) == ["got 5", "Number?"]
    assert texts(await bot.engine.handle(ALICE, "7")) == ["got 7", "Number?"]
    assert texts(await bot.engine.handle(ALICE, "0")) == ["got 0"]


async def test_one_users_messages_are_handled_one_at_a_time_in_order(make_bot):
    bot = await make_bot(
        {
            "count": """
            dialog: count
            intents: [count with me]
            nodes:
              - id: n
                type: entity
                entity_type: number
                prompt: Number?
              - id: echo
                type: message
                text: "got {{ entities.n }}"
                next: n
            """
        }
    )
    await bot.engine.handle(ALICE, "count with me")
    results = await asyncio.gather(*(bot.engine.handle(ALICE, str(i)) for i in range(1, 31)))
    assert [texts(out) for out in results] == [[f"got {i}", "Number?"] for i in range(1, 31)]


async def test_users_do_not_share_state(make_bot):
    bot = await make_bot({"contact": CONTACT})
    bob = User("bob", "test")
    await bot.engine.handle(ALICE, "register a contact")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(bob, "Jones")) != ["Saved Jones."]
    assert (await bot.engine.load(bob)).dialog is None
    assert (await bot.engine.load(ALICE)).entities == {"last_name": "Smith"}


async def test_start_entry_point_with_prefilled_entities(make_bot):
    bot = await make_bot({"contact": CONTACT})
    out = await bot.engine.start(ALICE, "register_contact", entities={"last_name": "Ng"})
    assert texts(out) == ['Their email address? (say "skip" if you don\'t have it)']


async def test_stored_state_is_compact(make_bot):
    bot = await make_bot({"contact": CONTACT})
    await bot.engine.handle(ALICE, "register a contact")
    await bot.engine.handle(ALICE, "Smith")
    raw = await bot.store.get("conv", ALICE.id)
    assert raw is not None and len(raw) < 200
    assert b"Smith" in raw
