"""Exactly-once side effects, end to end (issue #14): real `parley serve` processes killed with
SIGKILL while Salesforce (the sandbox org, a process too) has created a lead and the bot has not
yet seen the answer, then started again; webhook users who re-send what got no answer.

Every conversation must end with the truth told and no lead created twice: "Lead 00Q… created"
with that lead in the org, or an honest "I can't tell whether the lead was created" (never
more than one lead either way). With create_lead's `verify` in place, the bot finds out after
the restart, so every conversation ends "created".
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2

from runtime.store.redis import LOCK_TIMEOUT
from tests.support.fleet import (
    CREATED,
    Crowd,
    Fleet,
    Verdict,
    check,
    kill_during_post,
    open_fleet,
    post_message,
    until,
    waiting_messages,
)

CONVERSATIONS = 200
CONCURRENCY = 20
KILLS = 5  # four while a lead's answer is held, one at an arbitrary moment
ARBITRARY = 2  # which kill is the arbitrary one
STEP = 30  # conversations finished between two kills
REDIS_DB = 12  # a Redis database of its own (test_rolling_restart: 13, test_instances: 7)


async def arbitrary_kill(fleet: Fleet, crowd: Crowd, index: int) -> None:
    await asyncio.sleep(random.uniform(0.0, 1.0))
    await fleet.kill(index, reason="at an arbitrary moment", crowd=crowd)


async def test_sqlite_a_server_killed_after_salesforce_answered_creates_each_lead_once(
    tmp_path: Path,
) -> None:
    async with open_fleet(tmp_path) as fleet:
        crowd = Crowd(fleet, total=CONVERSATIONS, concurrency=CONCURRENCY)

        async def chaos() -> None:
            for k in range(KILLS):
                await until(lambda k=k: crowd.finished >= STEP * (k + 1), f"kill {k + 1}")
                if k == ARBITRARY:
                    await arbitrary_kill(fleet, crowd, 0)
                else:
                    await kill_during_post(fleet, crowd, 0)
                await fleet.restart(0)

        conversations = await crowd.run(chaos())
        verdict = Verdict(conversations, await fleet.org.leads())
        cut = len(await fleet.org.cut_posts())
        summary = verdict.summary(
            "SQLite, one instance", fleet, cut, unavailable=dict(crowd.unavailable)
        )
    assert len(conversations) >= CONVERSATIONS
    assert len(fleet.kills) == KILLS
    assert cut >= KILLS - 1, f"each timed kill cuts a lead POST short\n{summary}"
    check(verdict, summary)


async def test_redis_two_instances_one_killed_after_salesforce_answered_creates_each_lead_once(
    tmp_path: Path,
) -> None:
    async with open_fleet(tmp_path, instances=2, redis_db=REDIS_DB) as fleet:
        crowd = Crowd(fleet, total=CONVERSATIONS, concurrency=CONCURRENCY)

        async def chaos() -> None:
            for k in range(KILLS):
                await until(lambda k=k: crowd.finished >= STEP * (k + 1), f"kill {k + 1}")
                victim = k % 2
                if k == ARBITRARY:
                    await arbitrary_kill(fleet, crowd, victim)
                else:
                    await kill_during_post(fleet, crowd, victim)
                await fleet.restart(victim)

        conversations = await crowd.run(chaos())
        verdict = Verdict(conversations, await fleet.org.leads())
        cut = len(await fleet.org.cut_posts())
        takeovers = [wait for kill in fleet.kills for wait in kill.takeovers().values()]
        summary = verdict.summary(
            "Redis, two instances",
            fleet,
            cut,
            unavailable=dict(crowd.unavailable),
            longest_takeover=round(max(takeovers, default=0.0), 2),
        )
    assert len(conversations) >= CONVERSATIONS
    assert len(fleet.kills) == KILLS
    assert cut >= KILLS - 1, f"each timed kill cuts a lead POST short\n{summary}"
    check(verdict, summary)
    # A user whose lock the dead instance held is answered by the other one once that lock
    # expires, which Redis does at most LOCK_TIMEOUT after the kill (the dead instance renews
    # it no more). How long the other instance's turn then takes is the machine's: the summary
    # prints the longest takeover (3.0-3.1 s on an idle machine), not asserted here, since
    # other work on the machine stretches it (no timed assertions in tests).
    assert takeovers, f"no user's lock was held by a killed instance\n{summary}"
    for kill in fleet.kills:
        for user, wait in kill.takeovers().items():
            expiry = kill.held[user]
            assert expiry <= LOCK_TIMEOUT + EXPIRY_SLACK, (
                f"{user}: lock kept {expiry:.2f} s\n{summary}"
            )
            assert wait >= expiry - EXPIRY_SLACK, (
                f"{user}: answered before its lock expired\n{summary}"
            )


EXPIRY_SLACK = 1.0  # seconds: reading the lock's time to live takes a round trip to Redis


def is_lead_post(entry: dict[str, Any]) -> bool:
    return entry["method"] == "POST" and "/sobjects/Lead" in entry["path"]


async def until_logged(fleet: Fleet, what: Callable[[dict[str, Any]], bool]) -> None:
    for _ in range(300):
        if any(is_lead_post(r) and what(r) for r in await fleet.org.requests()):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the org never logged the held POST: {await fleet.org.requests()}")


async def answered_after_the_timeout(tmp_path: Path, *, committed: bool) -> None:
    """One conversation whose lead POST is answered 12 s late (the bot gives up at 10 s)."""
    async with open_fleet(tmp_path) as fleet:
        await fleet.org.hold_posts(delay=12.0, count=1, after_commit=committed)
        crowd = Crowd(fleet, total=1, concurrency=1)
        conversations = await crowd.run()
        # the held POST is logged when its delay is over, whoever still waits for it
        await until_logged(fleet, lambda r: bool(r.get("client_gone")))
        verdict = Verdict(conversations, await fleet.org.leads())
        posts = [r for r in await fleet.org.requests() if is_lead_post(r)]
        summary = verdict.summary(
            f"a lead POST answered after the timeout ({'committed' if committed else 'not'})",
            fleet,
            len(await fleet.org.cut_posts()),
            posts=posts,
        )
    (conversation,) = conversations
    check(verdict, summary)
    assert verdict.count(conversation) == 1, summary
    # found by verify: never sent again; not found: sent again once, and only then created
    assert len(posts) == (1 if committed else 2), f"{summary}\n{conversation.story()}"


async def test_a_lead_created_but_answered_after_the_timeout_is_found_and_reported(
    tmp_path: Path,
) -> None:
    await answered_after_the_timeout(tmp_path, committed=True)


async def test_a_lead_post_that_timed_out_before_taking_effect_is_sent_again_once(
    tmp_path: Path,
) -> None:
    await answered_after_the_timeout(tmp_path, committed=False)


async def test_a_message_sent_again_after_the_restart_found_out_alone_is_not_taken_as_new(
    tmp_path: Path,
) -> None:
    """The server is killed while the lead's answer is held; the restarted server finds out by
    itself (verify, at startup) and keeps "Lead … created" for the user. The relay then sends
    the message that got no answer again, as it must: the user is told the lead was created,
    and the message is not read as a new request ("Sorry, I didn't understand that")."""
    async with open_fleet(tmp_path) as fleet, httpx2.AsyncClient(timeout=60.0) as http:
        server, user = fleet.instances[0], "sent-again"
        for number, text in enumerate(("create a lead for Ada Qsentagain at Initech", "skip")):
            await post_message(http, server, user, f"m{number}", text)
        assert await post_message(http, server, user, "m2", "skip") == [
            'What is Qsentagain\'s job title? (or "skip")'
        ]
        await fleet.org.hold_posts(delay=5.0, count=1)
        last = asyncio.ensure_future(post_message(http, server, user, "m3", "skip"))
        for _ in range(600):  # until the POST is taken: the lead is created, its answer held
            if not await fleet.org.faults():
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        await server.kill()
        with contextlib.suppress(httpx2.TransportError):
            await last
        await server.start()
        for _ in range(300):  # the restarted server finds out without being asked
            waiting = await waiting_messages(http, server, user)
            if waiting:
                break
            await asyncio.sleep(0.1)
        answer = await post_message(http, server, user, "m3", "skip")
        leads = [lead for lead in await fleet.org.leads() if lead["LastName"] == "Qsentagain"]
    assert len(leads) == 1, leads
    assert [t for t in waiting if CREATED.fullmatch(t)], waiting
    assert [t for t in answer if CREATED.fullmatch(t)], answer
    assert not [t for t in answer if "understand" in t], answer
