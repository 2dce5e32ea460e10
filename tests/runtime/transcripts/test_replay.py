"""Replaying transcripts against a real bot on a real SQLite store: passing, failing, reports."""

from __future__ import annotations

from runtime.transcripts import summary
from tests.runtime.transcripts.conftest import only

ORDER = """
name: order a pizza
steps:
  - user: order a pizza
  - bot: {text: "What size?", buttons: [small, large]}
  - user: LARGE
  - bot: Your name?
  - user: Ann
  - bot: {match: "Thanks Ann, a \\\\w+ pizza is coming\\\\."}
  - expect_no_more: true
"""


async def test_a_transcript_that_matches_the_bot_passes(replay):
    result = only(await replay({"order": ORDER}))
    assert result.passed, result.render()
    assert result.steps == 7
    assert result.render() == f"PASSED {result.file}: order a pizza"


async def test_a_different_text_fails_at_its_line_with_a_diff(replay):
    result = only(
        await replay(
            {"t": "steps:\n  - user: order a pizza\n  - bot: What sise?\n  - user: large\n"}
        )
    )
    assert not result.passed
    assert result.steps == 1
    assert result.render().splitlines() == [
        f"FAILED {result.file}: t",
        f"{result.file}:3: the bot said something else",
        "  - expected",
        "  + the bot said",
        "  - bot: What sise?",
        "  ?             ^",
        "  + bot: What size?",
        "  ?             ^",
    ]


async def test_match_contains_buttons_and_their_failures(replay):
    results = await replay(
        {
            "a_match": "steps:\n  - user: order a pizza\n  - bot: {match: 'What s.ze'}\n",
            "b_contains": "steps:\n  - user: order a pizza\n  - bot: {contains: colour}\n",
            "c_buttons": "steps:\n  - user: order a pizza\n  - bot: {buttons: [small]}\n",
            "d_auth": "steps:\n  - user: order a pizza\n  - bot: {auth_link: salesforce}\n",
            "e_ok": "steps:\n  - user: order a pizza\n"
            "  - bot: {contains: size, buttons: [small, large]}\n",
        }
    )
    reports = [r.render().splitlines()[1:] for r in results]
    file = results[0].file.replace("a_match", "{}")
    assert (
        reports[0][0] == f"{file.format('a_match')}:3: the bot's message does not match /What s.ze/"
    )
    assert reports[1][0].endswith(":3: the bot's message does not contain 'colour'")
    assert reports[2][0].endswith(":3: the bot's message has other buttons")
    assert reports[2][3:] == [
        "  - bot: {buttons: [small]}",
        "  + bot: {buttons: [small, large]}",
        "  ?                      +++++++",
    ]
    assert reports[3][0].endswith(":3: the bot did not send an auth link for 'salesforce'")
    assert reports[3][4] == "  + bot: What size?"
    assert results[4].passed, results[4].render()
    assert summary(results) == "1 passed, 4 failed"


async def test_a_bot_that_says_more_fails_before_the_next_action_and_at_the_end(replay):
    more = await replay(
        {
            "early": "steps:\n  - user: order a pizza\n  - user: large\n",
            "late": "steps:\n  - user: order a pizza\n",
            "no_more": "steps:\n  - user: order a pizza\n  - expect_no_more: true\n",
        }
    )
    early, late, no_more = (r.render().splitlines()[1:] for r in more)
    assert early == [
        f"{more[0].file}:3: the bot said more than expected before the user spoke",
        "  step: user: large",
        "  - expected",
        "  + the bot said",
        "  + bot: {text: 'What size?', buttons: [small, large]}",
    ]
    assert late[0] == f"{more[1].file}:2: the bot said more than expected after the last step"
    assert no_more[0] == f"{more[2].file}:3: the bot said more than expected"


async def test_a_bot_that_says_less_fails_at_the_bot_step(replay):
    result = only(
        await replay(
            {"less": "steps:\n  - user: order a pizza\n  - bot: What size?\n  - bot: Anything?\n"}
        )
    )
    assert result.render().splitlines()[1:] == [
        f"{result.file}:4: the bot said less than expected",
        "  - expected",
        "  + the bot said",
        "  - bot: Anything?",
        "  + (nothing)",
    ]


async def test_expect_checks_any_subset_of_the_state(replay):
    ok = """
    steps:
      - user: order a pizza
      - bot: {contains: size}
      - expect: {dialog: order_pizza, node: size, status: waiting}
      - user: small
      - bot: Your name?
      - user: Bo
      - bot: {contains: Bo}
      - expect: {dialog: null, node: null, status: idle}
    """
    vars_kept = """
    steps:
      - user: order a pizza
      - bot: {contains: size}
      - user: small
      - bot: Your name?
      - expect: {entities: {size: small}, vars: {}}
    """
    wrong = """
    steps:
      - user: order a pizza
      - bot: {contains: size}
      - user: small
      - bot: Your name?
      - expect: {node: size, entities: {size: large, name: Bo}}
    """
    results = await replay({"ok": ok, "vars_kept": vars_kept, "wrong": wrong})
    assert [r.passed for r in results] == [True, True, False], results[2].render()
    assert results[2].render().splitlines()[1:] == [
        f"{results[2].file}:6: the conversation's state is not as expected",
        "  step: expect: {node: size, entities: {size: large, name: Bo}}",
        "  - expected",
        "  + the conversation's state",
        "  - node: size",
        "  + node: name",
        "  - entities: {size: large, name: Bo}",
        "  ?                   ^^^^        ^^",
        "  + entities: {size: small, name: (absent)}",
        "  ?                  +++ ^        ^^^^^^^^",
    ]


async def test_vars_set_by_a_node_can_be_expected(replay):
    text = """
    steps:
      - user: I want a pizza
      - bot: {contains: size}
      - user: small
      - bot: Your name?
      - user: Cy
      - bot: Thanks Cy, a small pizza is coming.
    """
    # the dialog has ended by then, so look before its message node is left
    assert only(await replay({"v": text})).passed
    stop_early = """
    steps:
      - user: I want a pizza
      - bot: {contains: size}
      - user: small
      - bot: Your name?
      - expect: {vars: {greeting: null}}
    """
    result = only(await replay({"v": stop_early}))
    assert "+ vars: {greeting: (absent)}" in result.render()


async def test_names_the_bot_does_not_have_fail_with_file_and_line(replay):
    text = """
    fixtures: {dialog: order_pizzza}
    stubs:
      fetch: {status: 200}
      size: {status: 200}
      lookup.fetsh: {status: 200}
      nowhere.fetch: {status: 200}
    steps:
      - user: hi
      - bot: {auth_link: github}
      - authorize: salesforse
      - expect: {dialog: lookup, node: nmber}
      - expect: {node: nothing_like_it}
    """
    result = only(await replay({"names": text}))
    f = result.file
    assert [fl.render() for fl in result.failures] == [
        f"{f}:1: no dialog 'order_pizzza' (did you mean 'order_pizza'?)",
        f"{f}:4: no service node 'size' in any dialog to stub (known: fetch)",
        f"{f}:5: no service node 'fetsh' in dialog 'lookup' to stub (did you mean 'fetch'?)",
        f"{f}:6: no dialog 'nowhere' (known: lookup, order_pizza)",
        f"{f}:9: no auth profile 'github' (known: salesforce)",
        f"{f}:10: no auth profile 'salesforse' (did you mean 'salesforce'?)",
        f"{f}:11: no node 'nmber' in dialog 'lookup' (did you mean 'number'?)",
        f"{f}:12: no node 'nothing_like_it' in any dialog (known: done, fetch, found, missing, "
        "name, number, size, unreachable)",
    ]
    assert result.steps == 0


async def test_a_hanging_bot_fails_at_the_step_that_hangs(replay, hanging_server):
    text = """
    steps:
      - user: look up my order
      - bot: Which order number?
      - user: "7"
      - bot: Order 7 is shipped.
    """
    config = {"globals": {"orders_url": hanging_server}}
    result = only(await replay({"hang": text}, config=config, step_timeout=0.2))
    assert result.render().splitlines()[1:] == [
        f"{result.file}:4: the bot did not finish this step within 0.2 s",
        "  step: user: '7'",
    ]


async def test_transcripts_with_one_user_id_run_one_after_another_from_a_clean_slate(replay):
    first = """
    user_id: same
    steps:
      - user: order a pizza
      - bot: {contains: size}
    """
    # were the first one's conversation kept, "small" would answer its question
    second = """
    user_id: same
    steps:
      - user: small
      - bot: {contains: "Sorry, I didn't understand that"}
    """
    results = await replay({"a": first, "b": second})
    assert [r.passed for r in results] == [True, True], [r.render() for r in results]
