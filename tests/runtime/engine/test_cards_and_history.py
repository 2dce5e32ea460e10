"""Cards, the greeting and the kept history, through the real engine on a real SQLite store."""

from __future__ import annotations

import pytest

from runtime.engine.history import KEPT
from runtime.engine.turn import User

FRUIT = """
dialog: show_fruit
description: Show the fruit
intents: [show fruit, list the fruit, what fruit is there]
nodes:
  - id: show
    type: message
    text: "{{ globals.fruit | length }} fruit:"
    cards:
      items: "{{ globals.fruit }}"
      title: "{{ item.name }}"
      subtitle: "{{ item.colour }}"
      fields:
        Price: "{{ item.price }}"
        Note: "{{ item.note | default('') }}"
      buttons:
        - {label: Buy, value: "buy {{ item.name | lower }}"}
        - {label: Read more, url: "https://fruit.example/{{ item.name | urlencode }}"}
    buttons: [Done]
"""

BUY = """
dialog: buy_fruit
description: Buy fruit
intents: [buy fruit, buy an apple, buy a pear]
nodes:
  - id: which
    type: entity
    entity_type: list
    values: [apple, pear]
    prompt: Which fruit?
    extract: ["buy {value}"]
  - id: sure
    type: entity
    entity: sure
    entity_type: boolean
    prompt: Buy one {{ entities.which }}?
  - id: done
    type: message
    text: "{{ 'Bought.' if entities.sure else 'Not bought.' }}"
"""

APPLE = {"name": "Apple", "colour": "red", "price": 1}
PEAR = {"name": "Pear & Co <b>", "colour": "green", "price": 2, "note": "ripe"}
ALICE = User("alice", "websocket")


async def test_a_message_node_sends_cards_with_a_plain_text_rendering(make_bot):
    bot = await make_bot({"fruit": FRUIT}, {"globals": {"fruit": [APPLE, PEAR]}})
    (cards,) = await bot.engine.handle(ALICE, "show fruit")
    wire = cards.to_wire()
    assert wire["type"] == "cards"
    assert wire["heading"] == "2 fruit:"
    assert wire["text"] == (
        "2 fruit:\n1. Apple, red. Price: 1\n2. Pear & Co <b>, green. Price: 2; Note: ripe"
    )
    assert wire["cards"] == [
        {
            "title": "Apple",
            "subtitle": "red",
            "fields": [{"label": "Price", "value": "1"}],  # an empty field is left out
            "buttons": [
                {"label": "Buy", "value": "buy apple"},
                {"label": "Read more", "url": "https://fruit.example/Apple"},
            ],
        },
        {
            "title": "Pear & Co <b>",
            "subtitle": "green",
            "fields": [{"label": "Price", "value": "2"}, {"label": "Note", "value": "ripe"}],
            "buttons": [
                {"label": "Buy", "value": "buy pear & co <b>"},
                {"label": "Read more", "url": "https://fruit.example/Pear%20%26%20Co%20%3Cb%3E"},
            ],
        },
    ]
    assert wire["buttons"] == [{"label": "Done", "value": "Done"}]  # the node's own buttons


async def test_an_empty_list_is_a_plain_message_and_a_long_one_is_cut_with_a_note(make_bot):
    bot = await make_bot({"fruit": FRUIT}, {"globals": {"fruit": []}})
    (empty,) = await bot.engine.handle(ALICE, "show fruit")
    assert (empty.type, empty.text) == ("message", "0 fruit:")

    many = [{"name": f"F{i}", "colour": "x", "price": i} for i in range(25)]
    bot = await make_bot({"fruit": FRUIT}, {"globals": {"fruit": many}})
    (cards,) = await bot.engine.handle(ALICE, "show fruit")
    assert len(cards.cards) == 20
    assert cards.heading == "25 fruit: The first 20 of 25 are shown."
    assert cards.text.splitlines()[-1] == "20. F19, x. Price: 19"


async def test_items_that_are_not_a_list_end_the_dialog_with_a_sentence(make_bot, caplog):
    bot = await make_bot({"fruit": FRUIT}, {"globals": {"fruit": {"name": "Apple"}}})
    (said,) = await bot.engine.handle(ALICE, "show fruit")
    assert said.type == "message"
    assert said.text.startswith("Sorry, something went wrong on my side")
    assert "gave dict, not a list" in caplog.text


async def test_the_greeting_names_what_the_bot_can_do_once(make_bot):
    bot = await make_bot({"fruit": FRUIT, "buy": BUY}, {"globals": {"fruit": [APPLE]}})
    (greeting,) = await bot.engine.greet(ALICE)
    assert greeting.text == (
        "Hi! I can buy fruit and show the fruit. Pick one below, or tell me in your own words "
        "what you need."
    )
    assert greeting.buttons == (
        ("Buy fruit", "/start buy_fruit"),
        ("Show the fruit", "/start show_fruit"),
    )
    assert await bot.engine.greet(ALICE) == []  # the conversation exists now
    await bot.engine.handle(User("bob", "websocket"), "hello")
    assert await bot.engine.greet(User("bob", "websocket")) == []  # bob has spoken already


async def test_a_configured_greeting_replaces_the_default(make_bot):
    config = {"conversation": {"greeting": "Welcome to the fruit stall."}}
    bot = await make_bot({"buy": BUY}, config)
    (greeting,) = await bot.engine.greet(ALICE)
    assert (greeting.text, greeting.buttons) == ("Welcome to the fruit stall.", ())


async def test_history_keeps_both_sides_as_the_user_saw_them(make_bot):
    bot = await make_bot({"fruit": FRUIT, "buy": BUY}, {"globals": {"fruit": [APPLE]}})
    await bot.engine.greet(ALICE)
    await bot.engine.handle(ALICE, "/start buy_fruit")  # sent by the greeting's button
    await bot.engine.handle(ALICE, "pear")
    await bot.engine.handle(ALICE, "x" * 5000)  # refused as too long: not part of the history
    await bot.engine.handle(ALICE, "yes")
    await bot.engine.handle(ALICE, "show fruit")
    await bot.engine.handle(ALICE, "buy apple")  # a card's button: shown with its card's title
    history = await bot.engine.history(ALICE)
    said = [(m["from"], m["type"], m["text"]) for m in history]
    assert said == [
        ("bot", "message", history[0]["text"]),
        ("user", "message", "Buy fruit"),
        ("bot", "message", "Which fruit?"),
        ("user", "message", "pear"),
        ("bot", "message", "Buy one pear?"),
        ("user", "message", "Yes"),
        ("bot", "message", "Bought."),
        ("user", "message", "show fruit"),
        ("bot", "cards", "1 fruit:\n1. Apple, red. Price: 1"),
        ("user", "message", "Buy: Apple"),
        ("bot", "message", "Buy one apple?"),
    ]
    assert history[0]["text"].startswith("Hi! I can")
    assert history[4]["buttons"] == [
        {"label": "Yes", "value": "yes"},
        {"label": "No", "value": "no"},
    ]
    assert history[8]["cards"][0]["title"] == "Apple"
    assert all(isinstance(m["at"], float) for m in history)
    assert not any("session" in m or "reply_to" in m for m in history)


async def test_history_keeps_the_last_fifty_and_survives_a_restart(make_bot):
    bot = await make_bot({"buy": BUY})
    for n in range(40):
        await bot.engine.handle(ALICE, f"nonsense {n}")
    await bot.close()
    again = await make_bot({"buy": BUY})  # the same SQLite file
    history = await again.engine.history(ALICE)
    assert len(history) == KEPT == 50
    assert history[-2]["text"] == "nonsense 39"
    assert history[0]["text"] == "nonsense 15"


@pytest.mark.parametrize("answer", ["yes", "no"])
async def test_a_yes_no_question_offers_yes_and_no(make_bot, answer):
    bot = await make_bot({"buy": BUY})
    (asked,) = await bot.engine.handle(ALICE, "buy a pear")
    assert asked.to_wire()["buttons"] == [
        {"label": "Yes", "value": "yes"},
        {"label": "No", "value": "no"},
    ]
    (done,) = await bot.engine.handle(ALICE, answer)
    assert done.text == ("Bought." if answer == "yes" else "Not bought.")
