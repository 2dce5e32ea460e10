"""Changing the subject while a dialog waits: hold and resume, ask, discard, never
(conversation.md, "Changing the subject"), through the real engine on a real SQLite store."""

from __future__ import annotations

from runtime.engine.state import encode
from runtime.engine.turn import User

LEAD = """
dialog: create_lead
description: Create a lead
intents: [create a lead, add a new lead, new lead please]
nodes:
  - id: last_name
    type: entity
    prompt: What is the lead's last name?
  - id: company
    type: entity
    prompt: Which company does {{ entities.last_name }} work for?
  - id: email
    type: entity
    entity_type: email
    optional: true
    prompt: Their email address?
  - id: done
    type: message
    text: "Lead {{ entities.last_name }} at {{ entities.company }} saved."
"""

SEARCH = """
dialog: search_leads
description: Search leads
intents: [search leads, find leads, look up leads]
nodes:
  - id: phrase
    type: entity
    prompt: What should I search for?
    extract: ["for {value}", "named {value}"]
  - id: found
    type: message
    text: "No lead matches {{ entities.phrase }}."
"""

DELETE = """
dialog: delete_lead
description: Delete a lead
intents: [delete a lead, remove a lead, delete lead]
nodes:
  - id: which
    type: entity
    prompt: Which lead?
  - id: sure
    type: entity
    entity_type: boolean
    prompt: Delete {{ entities.which }}?
  - id: gone
    type: message
    text: "{{ 'Deleted.' if entities.sure else 'Kept.' }}"
"""

PIZZA = """
dialog: order_pizza
description: Order a pizza
intents: [order a pizza, i want a pizza, pizza please]
nodes:
  - id: size
    type: entity
    entity_type: list
    prompt: What size?
    values: [small, medium, large]
  - id: count
    type: entity
    entity_type: number
    prompt: How many?
  - id: ordered
    type: message
    text: "{{ entities.count }} {{ entities.size }} pizza(s) ordered."
"""

ALL = {"lead": LEAD, "search": SEARCH, "delete": DELETE, "pizza": PIZZA}
ALICE = User("alice", "test")


def texts(out):
    return [m.text for m in out]


async def test_hold_runs_the_new_dialog_then_resumes_the_held_one(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    out = await bot.engine.handle(ALICE, "search leads for Acme")
    assert texts(out) == [
        "No lead matches Acme.",
        "Back to: Create a lead.",
        "Which company does Smith work for?",
    ]
    state = await bot.engine.load(ALICE)
    assert (state.dialog, state.node, state.entities) == (
        "create_lead",
        "company",
        {"last_name": "Smith"},
    )
    assert state.held == []
    assert texts(await bot.engine.handle(ALICE, "Acme")) == ["Their email address?"]


async def test_the_held_dialog_is_in_the_state_and_the_snapshot(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    assert texts(await bot.engine.handle(ALICE, "search leads")) == ["What should I search for?"]
    state = await bot.engine.load(ALICE)
    assert state.dialog == "search_leads"
    assert bot.engine.snapshot(state)["held"] == ["create_lead"]
    assert state.held[0].node == "last_name"


async def test_held_dialogs_resume_last_in_first_out(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "order a pizza")
    await bot.engine.handle(ALICE, "search leads")
    state = await bot.engine.load(ALICE)
    assert [h.dialog for h in state.held] == ["create_lead", "order_pizza"]
    assert len(encode(state)) < 2048  # two held dialogs stay small
    out = await bot.engine.handle(ALICE, "Acme")
    assert texts(out) == ["No lead matches Acme.", "Back to: Order a pizza.", "What size?"]
    assert [label for label, _ in out[-1].buttons] == ["small", "medium", "large"]
    await bot.engine.handle(ALICE, "large")
    out = await bot.engine.handle(ALICE, "2")
    assert texts(out) == [
        "2 large pizza(s) ordered.",
        "Back to: Create a lead.",
        "What is the lead's last name?",
    ]


async def test_max_held_drops_the_oldest_with_a_message(make_bot):
    bot = await make_bot(ALL, {"conversation": {"max_held": 1}})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "order a pizza")
    out = await bot.engine.handle(ALICE, "search leads")
    assert "Create a lead" in out[0].text and "on hold" in out[0].text
    assert texts(out)[1:] == ["What should I search for?"]
    state = await bot.engine.load(ALICE)
    assert [h.dialog for h in state.held] == ["order_pizza"]


async def test_a_valid_typed_answer_is_always_an_answer(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "order a pizza")
    await bot.engine.handle(ALICE, "large")
    # "2" is a number; so is the 2 in a sentence that also sounds like a new order
    assert texts(await bot.engine.handle(ALICE, "order 2 pizzas")) == ["2 large pizza(s) ordered."]


async def test_an_invalid_typed_answer_that_asks_for_a_dialog_interrupts(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "order a pizza")
    out = await bot.engine.handle(ALICE, "create a lead")
    assert texts(out) == ["What is the lead's last name?"]
    assert (await bot.engine.load(ALICE)).held[0].dialog == "order_pizza"


async def test_a_one_word_message_never_interrupts_a_string_node(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    assert texts(await bot.engine.handle(ALICE, "Delete")) == [
        "Which company does Delete work for?"
    ]
    state = await bot.engine.load(ALICE)
    assert state.entities == {"last_name": "Delete"} and state.held == []


async def test_a_name_that_sounds_like_a_subject_stays_an_answer(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(ALICE, "Pizza Hut")) == ["Their email address?"]
    assert (await bot.engine.load(ALICE)).entities["company"] == "Pizza Hut"


async def test_a_string_node_is_interrupted_only_above_interrupt_threshold(make_bot):
    bot = await make_bot(ALL, {"conversation": {"interrupt_threshold": 100}})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    # an exact utterance scores 100, which is not above 100
    assert texts(await bot.engine.handle(ALICE, "search leads")) == ["Their email address?"]
    assert (await bot.engine.load(ALICE)).entities["company"] == "search leads"


async def test_cancel_ends_the_current_dialog_and_resumes_the_held_one(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "search leads")
    assert texts(await bot.engine.handle(ALICE, "cancel")) == [
        "Okay, I've cancelled that.",
        "Back to: Create a lead.",
        "What is the lead's last name?",
    ]


async def test_a_menu_button_while_waiting_is_an_interruption(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    assert texts(await bot.engine.handle(ALICE, "/start order_pizza")) == ["What size?"]
    assert [h.dialog for h in (await bot.engine.load(ALICE)).held] == ["create_lead"]


async def test_ask_asks_first_with_yes_and_no(make_bot):
    bot = await make_bot(ALL, {"conversation": {"interruptions": "ask"}})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    out = await bot.engine.handle(ALICE, "search leads for Acme")
    assert len(out) == 1 and "instead?" in out[0].text
    assert '"Create a lead"' in out[0].text and '"Search leads"' in out[0].text
    assert [label for label, _ in out[0].buttons] == ["Yes", "No"]
    assert texts(await bot.engine.handle(ALICE, "no")) == ["Which company does Smith work for?"]
    await bot.engine.handle(ALICE, "search leads for Acme")
    assert texts(await bot.engine.handle(ALICE, "yes")) == [
        "No lead matches Acme.",
        "Back to: Create a lead.",
        "Which company does Smith work for?",
    ]


async def test_ask_then_something_else_is_read_as_an_answer(make_bot):
    bot = await make_bot(ALL, {"conversation": {"interruptions": "ask"}})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    await bot.engine.handle(ALICE, "search leads for Acme")
    assert texts(await bot.engine.handle(ALICE, "Globex")) == ["Their email address?"]


async def test_discard_ends_the_current_dialog(make_bot):
    bot = await make_bot(ALL, {"conversation": {"interruptions": "discard"}})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(ALICE, "search leads for Acme")) == [
        "No lead matches Acme."
    ]
    state = await bot.engine.load(ALICE)
    assert state.dialog is None and state.held == []


async def test_never_takes_the_message_as_the_answer(make_bot):
    bot = await make_bot(ALL, {"conversation": {"interruptions": "never"}})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(ALICE, "search leads for Acme")) == [
        "Their email address?"
    ]
    assert (await bot.engine.load(ALICE)).entities["company"] == "search leads for Acme"


async def test_a_dialog_and_a_node_set_their_own_mode(make_bot):
    lead = LEAD.replace(
        "description: Create a lead", "description: Create a lead\ninterruptions: discard"
    )
    pizza = PIZZA.replace(
        "    prompt: What size?", "    prompt: What size?\n    interruptions: never"
    )
    bot = await make_bot({**ALL, "lead": lead, "pizza": pizza})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "search leads")
    assert (await bot.engine.load(ALICE)).held == []  # the lead dialog discards
    await bot.engine.handle(ALICE, "cancel")
    await bot.engine.handle(ALICE, "order a pizza")
    out = await bot.engine.handle(ALICE, "create a lead")  # the size node never interrupts
    assert texts(out) == ["Please choose one of: small, medium, large."]


async def test_held_dialogs_survive_a_restart(make_bot, tmp_path):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    await bot.engine.handle(ALICE, "search leads")
    await bot.close()
    again = await make_bot(ALL)
    assert texts(await again.engine.handle(ALICE, "Acme")) == [
        "No lead matches Acme.",
        "Back to: Create a lead.",
        "Which company does Smith work for?",
    ]


async def test_held_is_in_the_expression_context(make_bot):
    search = SEARCH.replace(
        'text: "No lead matches {{ entities.phrase }}."',
        "text: \"No lead matches {{ entities.phrase }}; on hold: {{ held | join(', ') }}.\"",
    )
    bot = await make_bot({**ALL, "search": search})
    await bot.engine.handle(ALICE, "create a lead")
    out = await bot.engine.handle(ALICE, "search leads for Acme")
    assert out[0].text == "No lead matches Acme; on hold: create_lead."


async def test_boolean_questions_have_yes_and_no_buttons(make_bot):
    bot = await make_bot(ALL)
    await bot.engine.handle(ALICE, "delete a lead")
    out = await bot.engine.handle(ALICE, "Smith")
    assert out[0].text == "Delete Smith?"
    assert out[0].buttons == (("Yes", "yes"), ("No", "no"))
    assert texts(await bot.engine.handle(ALICE, out[0].buttons[0][1])) == ["Deleted."]


async def test_a_node_s_own_buttons_replace_yes_and_no(make_bot):
    delete = DELETE.replace(
        "    prompt: Delete {{ entities.which }}?",
        "    prompt: Delete {{ entities.which }}?\n"
        "    buttons: [{label: 'Yes, delete {{ entities.which }}', value: 'yes'}, "
        "{label: Keep it, value: 'no'}]",
    )
    bot = await make_bot({**ALL, "delete": delete})
    await bot.engine.handle(ALICE, "delete a lead")
    out = await bot.engine.handle(ALICE, "Smith")
    assert out[0].buttons == (("Yes, delete Smith", "yes"), ("Keep it", "no"))
