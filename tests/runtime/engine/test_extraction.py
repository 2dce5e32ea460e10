"""Values taken from the sentence that started a dialog (conversation.md, "Values from what the
user already said"), through the real engine."""

from __future__ import annotations

import pytest

from runtime.engine.turn import User

LEAD = """
dialog: create_lead
description: Create a lead
intents: [create a lead, add a new lead, new lead please]
nodes:
  - id: last_name
    type: entity
    prompt: What is the lead's last name?
    extract: ["for {value:last}", "named {value:last}"]
    validate:
      when: value | length <= 20
      error: Too long.
  - id: first_name
    type: entity
    optional: true
    prompt: First name?
    extract: ["for {value:first}", "named {value:first}"]
  - id: company
    type: entity
    prompt: Which company?
    extract: ["at {value}", "from {value}"]
  - id: email
    type: entity
    entity_type: email
    optional: true
    prompt: Their email address?
  - id: title
    type: entity
    optional: true
    prompt: Job title?
    extract: false
  - id: done
    type: message
    text: >-
      {{ entities.first_name }} {{ entities.last_name }}, {{ entities.company }},
      {{ entities.email }}, {{ entities.title }}
"""

DEMO = """
dialog: book_demo
description: Book a demo
intents:
  - book a demo
  - schedule a demo
  - book a demo for 4 people on friday
  - a demo for our team of 5 on the 3rd please
  - I'd like a demo next tuesday in the large room
nodes:
  - id: seats
    type: entity
    entity_type: number
    prompt: How many people?
  - id: day
    type: entity
    entity_type: date
    prompt: Which day?
  - id: budget
    type: entity
    entity_type: currency
    prompt: Budget?
  - id: size
    type: entity
    entity_type: list
    prompt: Which room?
    values: [{value: small, synonyms: [cosy]}, large]
  - id: done
    type: message
    text: >-
      {{ entities.seats }} on {{ entities.day }} for {{ entities.budget.amount }}
      in {{ entities.size }}
"""

ALICE = User("alice", "test")


@pytest.fixture
async def bot(make_bot):
    return await make_bot({"lead": LEAD, "demo": DEMO})


async def entities(bot):
    return (await bot.engine.load(ALICE)).entities


async def test_string_entities_through_extract_patterns(bot):
    out = await bot.engine.handle(ALICE, "create a lead for Pat O'Brien at Acme Corp")
    assert [m.text for m in out] == ["Their email address?"]
    assert await entities(bot) == {
        "first_name": "Pat",
        "last_name": "O'Brien",
        "company": "Acme Corp",
    }


async def test_typed_values_anywhere_and_strings_stop_at_them(bot):
    out = await bot.engine.handle(
        ALICE, "new lead please: named Priya Patel from Umbrella Corp, priya@umbrella.com"
    )
    assert [m.text for m in out] == ["Job title?"]  # extract: false always asks
    assert await entities(bot) == {
        "first_name": "Priya",
        "last_name": "Patel",
        "company": "Umbrella Corp",
        "email": "priya@umbrella.com",
    }


async def test_one_name_fills_the_last_name_only(bot):
    await bot.engine.handle(ALICE, "add a new lead for Smith")
    assert await entities(bot) == {"last_name": "Smith"}


async def test_a_pronoun_is_no_value(bot):
    out = await bot.engine.handle(ALICE, "create a lead for me")
    assert [m.text for m in out] == ["What is the lead's last name?"]
    assert await entities(bot) == {}


async def test_a_value_that_fails_validate_is_dropped_and_asked_for(bot):
    out = await bot.engine.handle(
        ALICE, "create a lead for Pat Wolfeschlegelsteinhausenbergerdorff at Acme"
    )
    assert [m.text for m in out] == ["What is the lead's last name?"]


async def test_each_piece_of_text_gives_one_value(bot):
    # "3" is the number of people, "the 5th" the day (not a second number), "$10k" the budget
    out = await bot.engine.handle(ALICE, "book a demo for 3 people on the 5th, cosy room, $10k")
    assert len(out) == 1, out
    seats, rest = out[0].text.split(" on ")
    day, rest = rest.split(" for ")
    assert seats == "3" and day.endswith("-05")
    assert rest == "10000 in small"


async def test_nothing_found_asks_everything(bot):
    out = await bot.engine.handle(ALICE, "book a demo")
    assert [m.text for m in out] == ["How many people?"]


LOOKUP = """
dialog: find_customer
description: Find a customer
intents: [find a customer, look up a customer, find customer named Smith]
nodes:
  - id: who
    type: entity
    prompt: Which customer?
    extract: ["named {value}"]
  - id: check
    type: message
    text: >-
      {{ 'Found ' ~ entities.who ~ '.' if entities.who == 'Ada'
         else 'Several match; which one?' }}
    next:
      - when: entities.who == 'Ada'
        to: end
      - to: who
"""


async def test_a_loop_back_to_a_node_filled_from_the_sentence_asks_again(make_bot):
    bot = await make_bot({"lookup": LOOKUP})
    out = await bot.engine.handle(ALICE, "find a customer named Smith")
    assert [m.text for m in out] == ["Several match; which one?", "Which customer?"]
    assert [m.text for m in await bot.engine.handle(ALICE, "Ada")] == ["Found Ada."]
