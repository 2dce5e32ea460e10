"""Small talk, help and "Did you mean", through the real engine on a real SQLite store."""

from __future__ import annotations

from runtime.engine.turn import User

CONTACT = """
dialog: register_contact
description: Register a contact
intents: [register a contact, add a contact, new contact, save a contact's details]
nodes:
  - id: last_name
    type: entity
    entity_type: string
    prompt: What is the last name?
  - id: done
    type: message
    text: "Saved {{ entities.last_name }}."
"""

PIZZA = """
dialog: order_pizza
description: Order a pizza
intents: [order a pizza, I want a pizza, pizza delivery, get me a pizza please]
nodes:
  - id: size
    type: entity
    entity_type: list
    prompt: What size?
    values: [small, large]
  - id: done
    type: message
    text: "A {{ entities.size }} pizza is coming."
"""

REMOVE = """
dialog: remove_contact
description: Remove a contact
intents: [remove a contact, delete a contact]
nodes:
  - id: bye
    type: message
    text: Removed.
"""

# The same subject as REMOVE, said alike: "contact" alone could mean either.
ADD = """
dialog: register_contact
description: Register a contact
intents: [register a contact, add a contact]
nodes:
  - id: last_name
    type: entity
    entity_type: string
    prompt: What is the last name?
  - id: done
    type: message
    text: "Saved {{ entities.last_name }}."
"""

HIDDEN = """
dialog: follow_up
description: Only started by other dialogs
nodes:
  - id: say
    type: message
    text: Following up.
"""

ALICE = User("alice", "test")

FALLBACK = "Sorry, I didn't understand that. Here is what I can do:"


def texts(out):
    return [m.text for m in out]


async def test_greeting_thanks_and_goodbye_each_get_one_message_and_start_nothing(make_bot):
    bot = await make_bot({"contact": CONTACT, "pizza": PIZZA})
    answers = {
        "hello": "Hello! What can I do for you?",
        "Hi there!": "Hello! What can I do for you?",
        "good morning": "Hello! What can I do for you?",
        "thanks": "You're welcome.",
        "Thank you so much!": "You're welcome.",
        "goodbye": "Goodbye! Come back any time.",
        "see you later": "Goodbye! Come back any time.",
    }
    for said, answer in answers.items():
        out = await bot.engine.handle(ALICE, said)
        assert [(m.type, m.text, m.buttons) for m in out] == [("message", answer, ())], said
        state = await bot.engine.load(ALICE)
        assert (state.dialog, state.entities) == (None, {}), said


async def test_small_talk_after_a_dialog_ended_is_answered_too(make_bot):
    bot = await make_bot({"contact": CONTACT})
    await bot.engine.handle(ALICE, "register a contact")
    assert texts(await bot.engine.handle(ALICE, "Smith")) == ["Saved Smith."]
    assert texts(await bot.engine.handle(ALICE, "thanks")) == ["You're welcome."]


async def test_a_configured_string_replaces_the_answer(make_bot):
    bot = await make_bot(
        {"contact": CONTACT},
        config={
            "conversation": {
                "small_talk": {"greeting": "Hi! I keep your contacts.", "goodbye": "Bye now."}
            }
        },
    )
    assert texts(await bot.engine.handle(ALICE, "hello")) == ["Hi! I keep your contacts."]
    assert texts(await bot.engine.handle(ALICE, "bye")) == ["Bye now."]
    assert texts(await bot.engine.handle(ALICE, "thanks")) == ["You're welcome."]


async def test_configured_utterances_are_small_talk_too(make_bot):
    # "ahoy matey" is no small talk out of the box: the fallback answers it.
    plain = await make_bot({"contact": CONTACT})
    assert texts(await plain.engine.handle(ALICE, "ahoy matey")) == [FALLBACK]
    assert texts(await plain.engine.handle(ALICE, "show me around")) == [FALLBACK]

    bot = await make_bot(
        {"contact": CONTACT},
        config={
            "conversation": {
                "small_talk": {
                    "greeting": {"text": "Ahoy!", "utterances": ["yo yo yo", "ahoy matey"]},
                    "help": {"text": "I can:", "utterances": ["show me around"]},
                }
            }
        },
    )
    bob = User("bob", "test")
    assert texts(await bot.engine.handle(bob, "ahoy matey")) == ["Ahoy!"]
    assert texts(await bot.engine.handle(bob, "yo yo yo")) == ["Ahoy!"]
    assert texts(await bot.engine.handle(bob, "hello")) == ["Ahoy!"]  # the defaults stay
    out = await bot.engine.handle(bob, "show me around")
    assert [(m.text, m.buttons) for m in out] == [
        ("I can:", (("Register a contact", "/start register_contact"),))
    ]


async def test_a_kind_set_to_false_is_no_longer_small_talk(make_bot):
    bot = await make_bot(
        {"contact": CONTACT}, config={"conversation": {"small_talk": {"thanks": False}}}
    )
    for said in ("thanks", "thank you"):
        out = await bot.engine.handle(ALICE, said)
        assert [(m.text, m.buttons) for m in out] == [
            (FALLBACK, (("Register a contact", "/start register_contact"),))
        ], said
        assert (await bot.engine.load(ALICE)).dialog is None
    # the other kinds are still answered
    assert texts(await bot.engine.handle(ALICE, "hello")) == ["Hello! What can I do for you?"]
    assert texts(await bot.engine.handle(ALICE, "goodbye")) == ["Goodbye! Come back any time."]


async def test_help_lists_each_dialog_with_intents_once_as_buttons(make_bot):
    bot = await make_bot({"contact": CONTACT, "pizza": PIZZA, "hidden": HIDDEN})
    expected = (
        ("Register a contact", "/start register_contact"),
        ("Order a pizza", "/start order_pizza"),
    )
    for said in ("help", "what can you do", "What can you do?"):
        out = await bot.engine.handle(ALICE, said)
        assert len(out) == 1, said
        [message] = out
        assert message.text == "Here is what I can do:", said
        # In any order, each dialog with intents once; follow_up has none, so is not offered.
        assert sorted(message.buttons) == sorted(expected), said
        assert len(set(message.buttons)) == len(message.buttons)
        # The list is in the buttons only, not repeated in the text.
        for label, _ in expected:
            assert label not in message.text
        assert "Only started by other dialogs" not in message.text
        assert (await bot.engine.load(ALICE)).dialog is None


async def test_a_help_button_starts_its_dialog(make_bot):
    bot = await make_bot({"contact": CONTACT, "pizza": PIZZA})
    [message] = await bot.engine.handle(ALICE, "help")
    values = dict(message.buttons)
    assert texts(await bot.engine.handle(ALICE, values["Order a pizza"])) == ["What size?"]
    assert (await bot.engine.load(ALICE)).dialog == "order_pizza"


async def test_a_configured_help_heading_keeps_the_buttons(make_bot):
    bot = await make_bot(
        {"contact": CONTACT}, config={"conversation": {"small_talk": {"help": "Pick one:"}}}
    )
    out = await bot.engine.handle(ALICE, "help")
    assert [(m.text, m.buttons) for m in out] == [
        ("Pick one:", (("Register a contact", "/start register_contact"),))
    ]


async def test_help_with_no_dialog_to_offer_says_so_in_one_message(make_bot):
    bot = await make_bot({"hidden": HIDDEN})
    out = await bot.engine.handle(ALICE, "help")
    assert [(m.text, m.buttons) for m in out] == [
        ("Here is what I can do: Nothing yet: this bot has no dialogs to start.", ())
    ]


async def test_small_talk_does_not_interrupt_a_waiting_entity_node(make_bot):
    bot = await make_bot({"contact": CONTACT})
    assert texts(await bot.engine.handle(ALICE, "register a contact")) == ["What is the last name?"]
    # A string node takes any text: "hello" is the answer, not a greeting.
    assert texts(await bot.engine.handle(ALICE, "hello")) == ["Saved hello."]
    assert (await bot.engine.load(ALICE)).dialog is None
    await bot.engine.handle(ALICE, "register a contact")
    assert texts(await bot.engine.handle(ALICE, "help")) == ["Saved help."]


async def test_chit_chat_gets_the_fallback_in_one_message_and_starts_nothing(make_bot):
    bot = await make_bot({"contact": CONTACT, "pizza": PIZZA})
    for said in ("what's the weather like", "tell me a joke"):
        out = await bot.engine.handle(ALICE, said)
        assert len(out) == 1, said
        assert out[0].text == FALLBACK
        assert sorted(out[0].buttons) == [
            ("Order a pizza", "/start order_pizza"),
            ("Register a contact", "/start register_contact"),
        ]
        assert (await bot.engine.load(ALICE)).dialog is None


async def test_did_you_mean_buttons_start_the_dialog_their_value_names(make_bot):
    bot = await make_bot({"add": ADD, "remove": REMOVE, "pizza": PIZZA})
    [question] = await bot.engine.handle(ALICE, "contact")
    assert question.text in (
        'Did you mean "Register a contact" or "Remove a contact"?',
        'Did you mean "Remove a contact" or "Register a contact"?',
    )
    assert sorted(question.buttons) == [
        ("Register a contact", "/start register_contact"),
        ("Remove a contact", "/start remove_contact"),
    ]
    assert (await bot.engine.load(ALICE)).dialog is None
    values = dict(question.buttons)
    assert texts(await bot.engine.handle(ALICE, values["Register a contact"])) == [
        "What is the last name?"
    ]
    assert (await bot.engine.load(ALICE)).dialog == "register_contact"
    assert texts(await bot.engine.handle(ALICE, "cancel")) == ["Okay, I've cancelled that."]

    [again] = await bot.engine.handle(ALICE, "a contact")
    assert again.text.startswith("Did you mean ")
    assert texts(await bot.engine.handle(ALICE, dict(again.buttons)["Remove a contact"])) == [
        "Removed."
    ]
    assert (await bot.engine.load(ALICE)).dialog is None


async def test_help_offers_every_dialog_however_many(make_bot):
    dialogs = {
        f"task{i}": f"""
        dialog: task_{i}
        description: Task number {i}
        intents: [run task {i}]
        nodes:
          - id: done
            type: message
            text: Task {i} done.
        """
        for i in range(14)
    }
    bot = await make_bot(dialogs)
    [message] = await bot.engine.handle(ALICE, "help")
    assert sorted(label for label, _ in message.buttons) == sorted(
        f"Task number {i}" for i in range(14)
    )
