"""`expect.held` (the dialogs on hold, oldest first) and `restart: server` (the bot closed and
opened again over the same SQLite file) in transcripts replayed in process."""

from __future__ import annotations

import textwrap

import pytest

from runtime.config import load_config
from runtime.errors import DefinitionError
from runtime.transcripts import Runner, load_transcript, open_replay_bot, parse_transcript
from runtime.transcripts.model import Restart
from runtime.transcripts.render import describe_step
from tests.runtime.transcripts.conftest import DIALOGS, bot_folder, only, write_transcripts

FILE = "t.transcript.yaml"

GREET = """
dialog: greet
intents: [say hello]
nodes:
  - id: name
    type: entity
    entity_type: string
    prompt: Your name?
  - id: hi
    type: message
    text: "Hello {{ entities.name }}, welcome to {{ globals.shop }}."
"""

PIZZA_ACROSS_A_RESTART = """
name: a waiting pizza order survives a restart
steps:
  - user: order a pizza
  - bot: {text: "What size?", buttons: [small, large]}
  - user: large
  - bot: Your name?
  - restart: server
  - expect: {dialog: order_pizza, node: name, status: waiting, entities: {size: large}}
  - user: Ann
  - bot: Thanks Ann, a large pizza is coming.
  - expect_no_more: true
"""


def parse(text: str):
    return parse_transcript(textwrap.dedent(text).lstrip(), FILE)


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


# -- expect.held --------------------------------------------------------------------------------


def test_held_is_a_list_of_dialog_ids_oldest_first_each_with_its_line():
    t = parse(
        """
        steps:
          - user: order a pizza
          - expect: {held: [order_pizza, lookup]}
          - expect:
              held:
                - lookup
          - expect: {held: []}
          - expect: {dialog: null}
        """
    )
    listed, block, empty, unchecked = t.steps[1:]
    assert (listed.held, listed.held_lines) == (("order_pizza", "lookup"), (3, 3))
    assert (block.held, block.held_lines) == (("lookup",), (6,))
    assert empty.held == ()
    assert unchecked.held is None
    assert describe_step(listed) == "expect: {held: [order_pizza, lookup]}"
    assert describe_step(empty) == "expect: {held: []}"


def test_a_malformed_held_fails_at_its_line():
    assert problems(
        """
        steps:
          - user: order a pizza
          - expect: {held: order_pizza}
          - expect: {held: null}
          - expect:
              held:
                - lookup
                - {dialog: order_pizza}
        """
    ) == [
        f"{FILE}:3: `held` of `expect` must list the held dialogs' ids, oldest first ([] for "
        "none), got 'order_pizza'",
        f"{FILE}:4: `held` of `expect` must list the held dialogs' ids, oldest first ([] for "
        "none), got nothing",
        f"{FILE}:8: `held` of `expect` lists dialog ids, got a mapping",
    ]


async def test_an_unknown_held_dialog_fails_at_its_line(replay):
    text = """
    steps:
      - user: order a pizza
      - expect:
          held:
            - lookup
            - order_piza
    """
    result = only(await replay({"held": text}))
    assert [f.render() for f in result.failures] == [
        f"{result.file}:6: no dialog 'order_piza' (did you mean 'order_pizza'?)"
    ]
    assert result.steps == 0


async def test_held_is_checked_in_order_and_empty_means_none(replay):
    results = await replay(
        {
            "a_none": """
            steps:
              - user: order a pizza
              - bot: {contains: size}
              - expect: {held: [], dialog: order_pizza}
            """,
            "b_wrong": """
            steps:
              - user: order a pizza
              - bot: {contains: size}
              - expect: {dialog: order_pizza, held: [lookup]}
            """,
        }
    )
    none, wrong = results
    assert none.passed, none.render()
    assert wrong.render().splitlines()[1:] == [
        f"{wrong.file}:4: the dialogs on hold (oldest first) are none, not [lookup]",
        "  step: expect: {dialog: order_pizza, held: [lookup]}",
        "  - expected",
        "  + the conversation's state",
        "    dialog: order_pizza",
        "  - held: [lookup]",
        "  + held: []",
    ]


async def test_an_interrupted_dialog_is_held_and_stays_held_across_a_restart(replay):
    text = """
    steps:
      - user: order a pizza
      - bot: {contains: size}
      - user: look up my order
      - bot: Which order number?
      - expect: {dialog: lookup, held: [order_pizza]}
      - restart: server
      - expect: {dialog: lookup, node: number, held: [order_pizza]}
    """
    result = only(await replay({"held": text}))
    assert result.passed, result.render()


# -- restart: server ----------------------------------------------------------------------------


def test_restart_takes_server_or_true_and_nothing_else():
    t = parse("steps:\n  - restart: server\n  - restart: true\n")
    assert t.steps == (Restart(2), Restart(3))
    assert describe_step(t.steps[1]) == "restart: server"
    assert problems("steps:\n  - restart: now\n  - restart: false\n") == [
        f"{FILE}:2: `restart` takes server (or true), got 'now'",
        f"{FILE}:3: `restart` takes server (or true), got False",
    ]


async def test_a_waiting_conversation_continues_on_the_reopened_bot(tmp_path):
    config = bot_folder(tmp_path / "bot")
    (path,) = write_transcripts(tmp_path / "transcripts", {"restart": PIZZA_ACROSS_A_RESTART})
    async with open_replay_bot(load_config(config, env={})) as opened:
        first = opened.bot
        runner = Runner(first)
        (result,) = await runner.run([runner.load(path)])
        assert result.passed, result.render()
        assert result.steps == 9
        assert runner.bot is opened.bot is not first
        assert runner.bot.engine.executor is runner.executor
        assert first.store.path == runner.bot.store.path  # the same SQLite file


async def test_stubs_and_fixtures_carry_over_to_the_reopened_bot(replay):
    text = """
    fixtures:
      globals: {shop: Fixture Mart}
    stubs:
      fetch:
        - {status: 200, body: {state: shipped}}
        - {status: 404}
    steps:
      - user: look up my order
      - bot: Which order number?
      - user: "7"
      - bot: Order 7 is shipped.
      - restart: server
      - user: look up my order
      - bot: Which order number?
      - restart: true
      - user: "8"
      - bot: No order 8 (status 404).
      - user: say hello
      - bot: Your name?
      - restart: server
      - user: Ann
      - bot: Hello Ann, welcome to Fixture Mart.
    """
    dialogs = {**DIALOGS, "greet": GREET}
    config = {"globals": {"orders_url": "http://127.0.0.1:9", "shop": "Config Mart"}}
    result = only(await replay({"stubs": text}, dialogs, config=config))
    assert result.passed, result.render()


async def test_a_restart_with_bot_messages_left_unmatched_fails(replay):
    text = """
    steps:
      - user: order a pizza
      - restart: server
      - user: large
    """
    result = only(await replay({"early": text}))
    assert result.render().splitlines()[1:] == [
        f"{result.file}:3: the bot said more than expected before the restart",
        "  step: restart: server",
        "  - expected",
        "  + the bot said",
        "  + bot: {text: 'What size?', buttons: [small, large]}",
    ]
    assert result.steps == 1


async def test_restarting_transcripts_run_alone_and_the_others_are_unharmed(replay):
    order = """
    steps:
      - user: order a pizza
      - bot: {contains: size}
      - user: small
      - bot: Your name?
      - user: Bo
      - bot: Thanks Bo, a small pizza is coming.
    """
    results = await replay(
        {
            "a": order,
            "b_restart": PIZZA_ACROSS_A_RESTART,
            "c": order,
            "d_restart": PIZZA_ACROSS_A_RESTART,
        },
        jobs=4,
    )
    assert [r.passed for r in results] == [True] * 4, [r.render() for r in results]


async def test_a_bot_not_opened_for_replay_cannot_restart(tmp_path, make_bot):
    bot = await make_bot(DIALOGS, {"globals": {"orders_url": "http://127.0.0.1:9"}})
    (path,) = write_transcripts(tmp_path / "transcripts", {"restart": PIZZA_ACROSS_A_RESTART})
    runner = Runner(bot)
    (result,) = await runner.run([runner.check(load_transcript(path))])
    assert result.render().splitlines()[1] == (
        f"{result.file}:7: this replay cannot restart the bot: only a bot opened by "
        "open_replay_bot, which knows how to open it again, can be restarted"
    )
    assert runner.bot is bot
