"""`not_intents`: phrasings an author marks as starting nothing keep false friends out."""

from __future__ import annotations

from runtime.engine.turn import User

ALICE = User("alice", "test")
BOB = User("bob", "test")  # the two bots below share a store: one user each

PIZZA = """
dialog: order_pizza
description: Order a pizza
intents:
  - order a pizza
  - I want a pizza
  - get me a large pizza
  - pizza delivery please
  - can I order pizza for tonight
  - a pizza with extra cheese
{not_intents}
nodes:
  - id: size
    type: entity
    entity_type: list
    prompt: What size?
    values: [small, large]
  - id: done
    type: message
    text: A {{{{ entities.size }}}} pizza is coming.
"""
FALSE_FRIENDS = """\
not_intents:
  - how do you make pizza dough
  - who invented the pizza
  - easy pizza recipes for beginners
  - what toppings are healthy on a pizza
"""


async def test_a_false_friend_starts_the_dialog_without_not_intents_and_nothing_with(make_bot):
    said = "pizza recipes for kids"
    plain = await make_bot({"pizza": PIZZA.format(not_intents="")})
    assert (await plain.engine.handle(ALICE, said))[0].text == "What size?"

    careful = await make_bot({"pizza": PIZZA.format(not_intents=FALSE_FRIENDS)})
    [answer] = await careful.engine.handle(BOB, said)
    assert answer.text == "Sorry, I didn't understand that. Here is what I can do:"
    # The dialog's own phrasings still start it.
    assert (await careful.engine.handle(BOB, "could I get a pizza delivered"))[0].text == (
        "What size?"
    )
