"""Changing a value already given (conversation.md, "Changing a value"), through the engine."""

from __future__ import annotations

import pytest

from runtime.engine.turn import User

LEAD = """
dialog: create_lead
description: Create a lead
intents: [create a lead, add a new lead]
nodes:
  - id: last_name
    type: entity
    prompt: What is the lead's last name?
  - id: company
    type: entity
    prompt: Which company does {{ entities.last_name }} work for?
    amend_words: [organisation, employer]
    validate:
      when: value | length <= 20
      error: That company name is too long.
  - id: email
    type: entity
    entity_type: email
    optional: true
    prompt: Their email address?
  - id: seats
    type: entity
    entity_type: number
    prompt: How many seats?
    validate:
      when: value >= 1 and value <= 50
      error: Between 1 and 50 seats, please.
  - id: done
    type: message
    text: >-
      {{ entities.last_name }} at {{ entities.company }} <{{ entities.email }}>,
      {{ entities.seats }} seats.
"""

PIZZA = """
dialog: order_pizza
description: Order a pizza
intents: [order a pizza]
nodes:
  - id: size
    type: entity
    entity_type: list
    prompt: What size?
    values: [small, medium, large]
  - id: crust
    type: entity
    entity_type: list
    prompt: Which crust?
    values: [thin, thick]
  - id: ordered
    type: message
    text: "A {{ entities.size }} pizza, {{ entities.crust }} crust."
"""

ALICE = User("alice", "test")


def texts(out):
    return [m.text for m in out]


async def _at_email(make_bot):
    bot = await make_bot({"lead": LEAD, "pizza": PIZZA})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    await bot.engine.handle(ALICE, "Initech")
    return bot


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("change the company to Acme", "company"),
        ("Change company to Acme", "company"),
        ("actually, change the company to Acme please", "company"),
        ("set the organisation to Acme", "organisation"),
        ("the employer is Acme, not Initech", "employer"),
        ("company should be Acme", "company"),
    ],
)
async def test_a_named_entity_is_changed_and_the_question_asked_again(make_bot, said, named):
    bot = await _at_email(make_bot)
    assert texts(await bot.engine.handle(ALICE, said)) == [
        f"Changed {named} to Acme.",
        "Their email address?",
    ]
    state = await bot.engine.load(ALICE)
    assert state.entities["company"] == "Acme" and state.node == "email"


async def test_the_question_is_asked_again_with_the_new_value(make_bot):
    bot = await make_bot({"lead": LEAD})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(ALICE, "change the last name to Jones")) == [
        "Changed last name to Jones.",
        "Which company does Jones work for?",
    ]


async def test_a_typed_value_goes_through_the_same_checks(make_bot):
    bot = await _at_email(make_bot)
    await bot.engine.handle(ALICE, "bob@acme.com")
    out = await bot.engine.handle(ALICE, "the email is not-an-address, not bob")
    assert out[-1].text == "How many seats?"
    assert (await bot.engine.load(ALICE)).entities["email"] == "bob@acme.com"
    assert texts(await bot.engine.handle(ALICE, "the email is BILL@Acme.com, not bob")) == [
        "Changed email to BILL@acme.com.",
        "How many seats?",
    ]


async def test_validate_applies_to_an_amended_value(make_bot):
    bot = await _at_email(make_bot)
    assert texts(
        await bot.engine.handle(ALICE, "change the company to International Business Machines")
    ) == [
        "That company name is too long.",
        "Their email address?",
    ]
    assert (await bot.engine.load(ALICE)).entities["company"] == "Initech"


async def test_a_value_for_the_waiting_question_is_its_answer(make_bot):
    bot = await make_bot({"lead": LEAD})
    await bot.engine.handle(ALICE, "create a lead")
    await bot.engine.handle(ALICE, "Smith")
    assert texts(await bot.engine.handle(ALICE, "the company is Acme")) == ["Their email address?"]
    assert (await bot.engine.load(ALICE)).entities["company"] == "Acme"


async def test_make_it_finds_the_entity_by_the_value_s_type(make_bot):
    bot = await make_bot({"pizza": PIZZA})
    await bot.engine.handle(ALICE, "order a pizza")
    await bot.engine.handle(ALICE, "small")
    assert texts(await bot.engine.handle(ALICE, "actually make it large")) == [
        "Changed size to large.",
        "Which crust?",
    ]
    assert texts(await bot.engine.handle(ALICE, "thin")) == ["A large pizza, thin crust."]


async def test_an_unknown_name_is_no_amend(make_bot):
    bot = await _at_email(make_bot)
    out = await bot.engine.handle(ALICE, "change the colour to blue")
    assert len(out) == 1 and "email" in out[0].text.lower()  # an answer to the email question
    assert (await bot.engine.load(ALICE)).entities["company"] == "Initech"
