"""A rolling restart under load (issue #14): two `parley serve` processes on one Redis store,
webhook users creating leads on both, and each instance in turn stopped with SIGTERM (graceful:
it stops accepting, finishes the turns in flight, then exits) and started again, while the
users keep going, re-sending to the other instance what the stopping one did not take.

Nothing is lost or created twice, every conversation ends "Lead 00Q… created", no user gets an
error reply, and the turns in flight when SIGTERM came (a lead POST whose answer Salesforce
holds back for a while, so that there is one) are finished and answered by the stopping
instance itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.fleet import (
    Conversation,
    Crowd,
    Request,
    Verdict,
    check,
    open_fleet,
    post_held,
    stories,
    until,
)

REDIS_DB = 13  # a Redis database of its own (test_exactly_once: 12, test_instances: 7)
CONVERSATIONS = 60
CONCURRENCY = 10
THINK = (0.05, 0.4)  # seconds a user takes to answer
HOLD = 3.0  # seconds Salesforce holds a lead POST's answer when SIGTERM comes


@dataclass
class Stop:
    instance: int
    at: float  # time.monotonic() when SIGTERM was sent
    exit_code: int
    took: float
    finishing: list[tuple[Conversation, Request]]  # a lead POST in flight on it at SIGTERM
    log: str

    def describe(self) -> str:
        return (
            f"SIGTERM to #{self.instance}: exit {self.exit_code} after {self.took:.1f} s, "
            f"{len(self.finishing)} lead POSTs in flight"
        )


async def test_a_rolling_restart_under_load_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    stops: list[Stop] = []
    async with open_fleet(tmp_path, instances=2, redis_db=REDIS_DB) as fleet:
        crowd = Crowd(fleet, total=CONVERSATIONS, concurrency=CONCURRENCY, think=THINK)

        async def chaos() -> None:
            for index in (0, 1):
                await until(lambda i=index: crowd.finished >= 10 * (i + 1), f"stop #{index}")
                server = fleet.instances[index]
                async with post_held(fleet, crowd, index, hold=HOLD, min_age=0.5) as finishing:
                    started = time.monotonic()
                    await server.stop()  # SIGTERM, and wait for the process to end
                    took = time.monotonic() - started
                log = server.log.read_text(errors="replace")
                stops.append(Stop(index, started, server.exits[-1], took, finishing, log))
                await fleet.restart(index)

        conversations = await crowd.run(chaos())
        verdict = Verdict(conversations, await fleet.org.leads())
        summary = verdict.summary(
            "rolling restart, two instances on Redis",
            fleet,
            len(await fleet.org.cut_posts()),
            stops=[stop.describe() for stop in stops],
            unavailable=dict(crowd.unavailable),
        )
    assert len(conversations) >= CONVERSATIONS
    assert len(stops) == 2, summary
    for stop in stops:
        assert stop.exit_code == 0, f"{stop.describe()}\n{stop.log}"
        assert "still running" not in stop.log, f"{stop.describe()}\n{stop.log}"
        # answered by the instance, to the attempt sent before SIGTERM: never sent again
        unfinished = [
            c
            for c, request in stop.finishing
            if request.answered_by != stop.instance or request.attempts[-1][1] > stop.at
        ]
        assert not unfinished, (
            f"turns in flight at SIGTERM were not finished by #{stop.instance}\n{summary}\n"
            f"{stories(unfinished)}"
        )
    check(verdict, summary)
    errors = [c for c in conversations if c.errors]
    assert not errors, f"error replies\n{summary}\n{stories(errors)}"
    assert not fleet.kills
