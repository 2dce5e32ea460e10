"""`expect: {intent: D}`: which dialog the last user message matched best, on a real bot.

The bot has two dialogs with several clear utterances each, so that the matcher's decisions on
the phrases below do not depend on its tuning; the scores themselves are matched loosely.
"""

from __future__ import annotations

import re

from runtime.transcripts.loader import parse_transcript
from runtime.transcripts.render import describe_step
from tests.runtime.transcripts.conftest import only

PIZZA = """
dialog: order_pizza
description: Order a pizza
intents:
  - order a pizza
  - I want a pizza
  - get me a pizza please
  - I'd like to order pizza
  - pizza delivery
  - can I have a large pizza
  - I'm hungry, send a pizza
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

DEMO = """
dialog: book_demo
description: Book a product demo
intents:
  - book a demo
  - schedule a demo
  - I'd like a product demo
  - can I see a demo
  - show me a demo of the product
  - arrange a product demonstration
  - request a demo
nodes:
  - id: email
    type: entity
    entity_type: email
    prompt: Your email?
  - id: done
    type: message
    text: "Demo booked for {{ entities.email }}."
"""

FOLLOW_UP = """
dialog: follow_up
description: Only started by other dialogs
nodes:
  - id: say
    type: message
    text: Following up.
"""

DIALOGS = {"pizza": PIZZA, "demo": DEMO, "follow_up": FOLLOW_UP}

SCORE = r"\d+\.\d"


async def test_expect_intent_passes_for_the_dialog_the_message_matched_best(replay):
    transcript = """
    steps:
      - user: hi there
      - bot: {contains: Hello}
      - expect: {intent: null, dialog: null}
      - user: I would like a pizza
      - bot: {contains: size}
      - expect: {intent: order_pizza, dialog: order_pizza, node: size}
      - user: large
      - bot: A large pizza is coming.
      - expect: {intent: null}
      - user: please book me a demo
      - bot: Your email?
      - expect: {intent: book_demo, status: waiting}
      - user: cancel
      - bot: {contains: cancelled}
      - user: what is the weather like
      - bot: {contains: "didn't understand"}
      - expect: {intent: null}
    """
    result = only(await replay({"ok": transcript}, DIALOGS))
    assert result.passed, result.render()
    assert result.steps == 17


async def test_expect_intent_fails_with_the_scores_of_the_ranked_dialogs(replay):
    transcript = """
    steps:
      - user: I would like a pizza
      - expect: {intent: book_demo}
    """
    result = only(await replay({"wrong": transcript}, DIALOGS))
    assert not result.passed
    assert result.steps == 1
    head, step = result.render().splitlines()[1:]
    pattern = (
        rf'{re.escape(result.file)}:3: expected intent book_demo for "I would like a pizza", '
        rf"got order_pizza \(order_pizza {SCORE}, (.*, )?book_demo {SCORE}(, .*)?\)"
    )
    assert re.fullmatch(pattern, head), head
    assert step == "  step: expect: {intent: book_demo}"


async def test_expect_intent_null_fails_when_a_dialog_matched(replay):
    results = await replay(
        {
            "a_exact": "steps:\n  - user: order a pizza\n  - expect: {intent: null}\n",
            "b_small_talk": "steps:\n  - user: hello\n  - expect: {intent: order_pizza}\n",
        },
        DIALOGS,
    )
    exact, small_talk = (r.render().splitlines()[1] for r in results)
    assert exact == (
        f'{results[0].file}:3: expected no intent for "order a pizza", '
        "got order_pizza (order_pizza 100.0)"
    )
    assert small_talk == (
        f'{results[1].file}:3: expected intent order_pizza for "hello", '
        "got none (small talk: greeting 100.0)"
    )


async def test_a_wrong_intent_and_a_wrong_state_are_reported_together(replay):
    transcript = """
    steps:
      - user: I would like a pizza
      - bot: {contains: size}
      - expect: {dialog: book_demo, intent: book_demo}
    """
    result = only(await replay({"both": transcript}, DIALOGS))
    lines = result.render().splitlines()[1:]
    assert lines[0].startswith(
        f"{result.file}:4: the conversation's state is not as expected; "
        'expected intent book_demo for "I would like a pizza", got order_pizza (order_pizza '
    )
    assert lines[1:] == [
        "  step: expect: {dialog: book_demo, intent: book_demo}",
        "  - expected",
        "  + the conversation's state",
        "  - dialog: book_demo",
        "  + dialog: order_pizza",
    ]


async def test_an_unknown_or_unmatchable_dialog_fails_at_its_file_and_line(replay):
    results = await replay(
        {
            "a_typo": "steps:\n  - user: pizza\n  - expect:\n      intent: order_piza\n",
            "b_no_intents": "steps:\n  - user: pizza\n  - expect: {intent: follow_up}\n",
        },
        DIALOGS,
    )
    typo, no_intents = (r.render().splitlines() for r in results)
    assert typo[1:] == [
        f"{results[0].file}:4: no dialog 'order_piza' (did you mean 'order_pizza'?)"
    ]
    assert no_intents[1].startswith(
        f"{results[1].file}:3: dialog 'follow_up' has no `intents`, so no message can match it"
    )
    assert [r.steps for r in results] == [0, 0]


async def test_intent_before_any_user_message_is_an_error_at_its_line(replay):
    transcript = """
    fixtures:
      dialog: order_pizza
    steps:
      - bot: What size?
      - expect:
          dialog: order_pizza
          intent: order_pizza
      - user: large
    """
    result = only(await replay({"early": transcript}, DIALOGS))
    assert result.render().splitlines()[1:] == [
        f"{result.file}:7: `intent` of `expect` checks what the last user message matched, "
        "but no `user` step comes before it"
    ]


def test_intent_is_shown_as_written_in_reports():
    transcript = parse_transcript(
        "steps:\n  - user: pizza\n  - expect: {node: size, intent: order_pizza}\n", "t.yaml"
    )
    assert describe_step(transcript.steps[1]) == "expect: {node: size, intent: order_pizza}"
    nothing = parse_transcript("steps:\n  - user: hi\n  - expect: {intent: null}\n", "t.yaml")
    assert describe_step(nothing.steps[1]) == "expect: {intent: null}"
