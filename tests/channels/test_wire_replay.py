"""Transcripts replayed over the webhook of a real `parley serve` process: a `restart: server`
step kills it with SIGKILL and starts it again on the same SQLite file, and the conversation goes
on; steps the webhook cannot observe fail the replay, clearly, at their line."""

from __future__ import annotations

import signal
import textwrap

from tests.runtime.transcripts.conftest import write_transcripts
from tests.support.wire_replay import ROOT, parley_server, replay_over_webhook

PIZZA = ROOT / "dialogs" / "order_pizza.yaml"

ACROSS_KILLS = """
name: a pizza order survives kill -9
steps:
  - user: order a pizza
  - bot: {text: "What size?", buttons: [small, medium, large]}
  - user: family
  - bot: What's your budget?
  - restart: server
  - user: $20
  - bot: Do you have a coupon code (like ABC-1234)? Say "skip" if not.
  - user: my code is ABC-1234
  - bot: Paste a link to the menu you ordered from last time, or say "skip".
  - restart: server
  - user: skip
  - bot: A large pizza for at most 20 USD.
  - bot: {text: Coupon ABC-1234 applied., buttons: [Order another, Done]}
  - expect_no_more: true
"""

# A dialog behind an auth profile, so that the bot sends an auth link; nobody is called.
WHOAMI = """
dialog: whoami
intents: [who am i]
nodes:
  - id: me
    type: service
    auth: crm
    request:
      url: http://127.0.0.1:9/me
    next: done
  - id: done
    type: message
    text: You are you.
"""

CRM = {
    "identity_provider": "CRM",
    "client_id": "wire-test",
    "client_secret": "not-a-secret",
    "authorization_url": "http://127.0.0.1:9/authorize",
    "token_url": "http://127.0.0.1:9/token",
    "scope": "api",
    "mode": "per_user",
}


async def test_a_conversation_goes_on_after_the_server_is_killed(tmp_path):
    (path,) = write_transcripts(tmp_path / "transcripts", {"kills": ACROSS_KILLS})
    async with parley_server(tmp_path / "bot", dialogs=[PIZZA]) as server:
        first = server.pid
        result = await replay_over_webhook(path, server)
        assert result.passed, result.render()
        assert result.steps == 14
        assert server.exits == [-signal.SIGKILL, -signal.SIGKILL]
        assert server.pid != first
        wrong = ACROSS_KILLS.replace("Do you have a", "Got a")  # the step after the first kill
        (path,) = write_transcripts(tmp_path / "transcripts", {"wrong": wrong})
        result = await replay_over_webhook(path, server)
        assert len(server.exits) == 3
    report = [line for line in result.render().splitlines()[1:] if not line.startswith("  ?")]
    assert report == [
        f"{path}:9: the bot said something else",
        "  - expected",
        "  + the bot said",
        '  - bot: Got a coupon code (like ABC-1234)? Say "skip" if not.',
        '  + bot: Do you have a coupon code (like ABC-1234)? Say "skip" if not.',
    ]


async def test_what_the_webhook_cannot_observe_fails_the_replay(tmp_path):
    (tmp_path / "whoami.yaml").write_text(textwrap.dedent(WHOAMI))
    paths = write_transcripts(
        tmp_path / "transcripts",
        {
            "expect": """
            steps:
              - user: order a pizza
              - bot: {contains: size}
              - expect: {dialog: order_pizza, held: []}
              - user: small
            """,
            "authorize": """
            steps:
              - user: who am i
              - bot: {auth_link: crm}
              - authorize: crm
              - bot: You are you.
            """,
            "world": """
            fixtures:
              entities: {size: small}
            stubs:
              create: {status: 201}
            steps:
              - user: order a pizza
            """,
        },
    )
    dialogs = [PIZZA, tmp_path / "whoami.yaml"]
    async with parley_server(
        tmp_path / "bot", dialogs=dialogs, config={"auth_profiles": {"crm": CRM}}
    ) as server:
        expect, authorize, world = [await replay_over_webhook(p, server) for p in paths]
        assert server.exits == []  # nothing restarted
    assert expect.render().splitlines()[1:] == [
        f"{paths[0]}:4: `expect` reads the conversation's state, which the webhook does not "
        "show: a transcript replayed over the wire can check only what the bot says",
        "  step: expect: {dialog: order_pizza, held: []}",
    ]
    assert expect.steps == 2
    assert authorize.render().splitlines()[1:] == [
        f"{paths[1]}:4: `authorize` is not replayed over the webhook: the resumed "
        "conversation's messages would come from GET /webhook/messages, which this replayer "
        "does not read; replay this transcript in process (parley test)",
        "  step: authorize: crm",
    ]
    assert [f.render() for f in world.failures] == [
        f"{paths[2]}:1: `fixtures` set up the bot's own process, which a replay over the "
        "webhook does not reach",
        f"{paths[2]}:4: stub 'create': stubs answer service nodes inside the bot's own process; "
        "over the webhook the real service is called",
    ]
    assert world.steps == 0


async def test_a_held_dialog_resumes_after_kills_on_the_webhook(tmp_path):
    """tests/transcripts/conversation/webhook_hold_restart: a dialog held by another, two
    SIGKILLs, an amend, and the held one resumes, all over the webhook channel."""
    path = ROOT / "tests" / "transcripts" / "conversation" / "webhook_hold_restart.transcript.yaml"
    demo = ROOT / "dialogs" / "book_demo.yaml"
    async with parley_server(tmp_path / "bot", dialogs=[PIZZA, demo]) as server:
        result = await replay_over_webhook(path, server)
        assert result.passed, result.render() + server.tail()
        assert server.exits == [-signal.SIGKILL, -signal.SIGKILL]
