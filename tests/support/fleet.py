"""Real processes for end-to-end fault tests: the sandbox org, `parley serve` instances (on one
SQLite file, or several on one Redis database), and webhook users who retry as real clients do.

    async with open_fleet(tmp_path, instances=2, redis_db=12) as fleet:
        crowd = Crowd(fleet, total=200, concurrency=20)

        async def chaos():
            await until(lambda: crowd.finished >= 30, "30 conversations done")
            await kill_during_post(fleet, crowd, 0)  # SIGKILL while a lead's answer is held
            await fleet.restart(0)

        verdict = Verdict(await crowd.run(chaos()), await fleet.org.leads())
        summary = verdict.summary("two instances", fleet, len(await fleet.org.cut_posts()))
    check(verdict, summary)  # no duplicate, the truth told, every conversation "created"

`sandbox.testing.SandboxOrg` runs ``python -m sandbox`` (`parley sandbox` itself does not pass
options through) with its test controls on, in its own process, so that the test's clients
never slow it down. Each bot instance is a `tests.support.wire_replay.ParleyServer` (``parley
serve`` on a free port, SIGKILL and SIGTERM, started again on the same folder and store) over a
bot folder of its own (`bench.sandbox_bot`, which the benches share): the installed Salesforce
template ``create_lead``, the webhook in sync mode, and the ``salesforce`` integration in mode
``pre_authorized``, connected once by running ``parley integrations authorize salesforce`` as
an administrator would.

A `Conversation` is one webhook user creating one lead ("create a lead for Ada Qabcd at Acme
Robotics", then whatever the bot asks next), driven by what the bot says. A request that fails
because its server is dead (refused, reset, no answer) is sent again, with the same
``message_id``, to the next instance (the same one when there is only one), as a client
behind a load balancer would; the server's 503 ``unavailable`` ("restarting, send that again")
is retried the same way and counted apart. Anything else that is not a 200 is an error reply,
recorded. When the bot's answer is none of create_lead's questions or outcomes, the user fetches
``GET /webhook/messages`` (what a sync-mode relay can do) and the conversation ends there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2

from bench.sandbox_bot import authorize, bot_env, letters, write_bot
from channels.signing import signed_headers, signed_request_headers
from sandbox.testing import SandboxOrg
from tests.channels.conftest import free_port
from tests.support.wire_replay import ParleyServer, ServerFailed

REDIS = "redis://127.0.0.1:6379"
ANSWER_TIMEOUT = 60.0  # one webhook request: longer than the bot's 10 s service timeout + verify
GIVE_UP = 300.0  # seconds a client keeps re-sending one message before it gives up (a loaded CI)
RETRY_PAUSE = 0.25  # seconds between a failed request and its re-send
MAX_TURNS = 20  # a conversation that has not ended after this many messages is stuck

CREATED = re.compile(r"Lead (00Q\w{15}) created for (.+)\.")
UNKNOWN = re.compile(r"can.t tell|cannot tell|check in Salesforce", re.IGNORECASE)
NOT_CREATED = re.compile(r"was not created", re.IGNORECASE)
WRITE_AGAIN = re.compile(r"write to me again", re.IGNORECASE)
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Niklaus")
COMPANIES = ("Acme Robotics", "Initech", "Globex", "Umbrella Corp", "Hooli", "Vandelay Imports")


@dataclass
class Fleet:
    """The org, the bot instances (all on one store) and what the test knows of them."""

    root: Path
    org: SandboxOrg
    instances: list[ParleyServer]
    redis_url: str | None
    kills: list[Kill] = field(default_factory=list)

    async def kill(self, index: int, *, reason: str, crowd: Crowd | None = None) -> Kill:
        """SIGKILL instance `index`; what was in flight on it is noted from `crowd`, and (on
        Redis) which of those users' locks it held."""
        server = self.instances[index]
        in_flight = crowd.in_flight(index) if crowd is not None else []
        at = time.monotonic()
        await server.kill()
        kill = Kill(index, reason, at, in_flight, {})
        self.kills.append(kill)
        kill.held = await self._held_by_the_dead([c.user_id for c, _ in in_flight], at)
        return kill

    async def restart(self, index: int) -> None:
        await self.instances[index].start()

    async def _held_by_the_dead(
        self, user_ids: Sequence[str], killed: float, watch: float = 1.5
    ) -> dict[str, float]:
        """Of `user_ids` (whose request was on the instance killed at `killed`), those whose
        lock that instance held, with when it expired (seconds after the kill): taken now, and
        by the same holder `watch` seconds later. A live instance may hold one of them too,
        briefly (the start-up recovery of a restarted one takes the lock of every conversation
        with a call in flight), but not that long: no lead POST is held any more. {} on
        SQLite."""
        if self.redis_url is None or not user_ids:
            return {}
        import redis.asyncio as aioredis

        keys = [f"parley.lock:user:{u}" for u in user_ids]
        client = aioredis.from_url(self.redis_url)
        try:
            async with client.pipeline(transaction=True) as pipe:
                pipe.mget(keys)
                for key in keys:
                    pipe.pttl(key)
                before, *left = await pipe.execute()
            since = time.monotonic() - killed
            await asyncio.sleep(watch)
            after = await client.mget(keys)
        finally:
            await client.aclose()
        return {
            user: since + ms / 1000
            for user, first, then, ms in zip(user_ids, before, after, left, strict=True)
            if first is not None and first == then
        }

    def log_problems(self, limit: int = 15) -> list[str]:
        """ERROR lines and tracebacks of every instance's logs, first `limit` distinct ones."""
        seen: list[str] = []
        for server in self.instances:
            for log in sorted(server.root.glob("serve-*.log")):
                for line in log.read_text(errors="replace").splitlines():
                    if ("ERROR" in line or "Traceback" in line) and line not in seen:
                        seen.append(line)
        return seen[:limit]


@dataclass
class Kill:
    instance: int
    reason: str
    at: float  # time.monotonic() when SIGKILL was sent
    in_flight: list[tuple[Conversation, Request]]  # the requests on the instance then
    held: dict[str, float]  # of their users, those whose lock it held: its expiry after the kill

    def takeovers(self) -> dict[str, float]:
        """For each user whose lock the dead instance held: seconds from the kill until another
        instance answered the request the dead one had."""
        waits = {}
        for conversation, request in self.in_flight:
            user = conversation.user_id
            if user in self.held and request.answered_at and request.answered_by != self.instance:
                waits[user] = request.answered_at - self.at
        return waits

    def describe(self) -> str:
        text = (
            f"kill of #{self.instance} ({self.reason}): {len(self.in_flight)} in flight, "
            f"{len(self.held)} locks held"
        )
        waits = self.takeovers()
        if waits:
            pairs = sorted((round(w, 2), round(self.held[u], 2)) for u, w in waits.items())
            text += f", takeovers (s after the kill: answered, lock expired) {pairs}"
        return text


async def flush_redis(url: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


@asynccontextmanager
async def open_fleet(
    root: Path, *, instances: int = 1, redis_db: int | None = None
) -> AsyncIterator[Fleet]:
    """The sandbox org and `instances` bot instances, up and connected, until the block ends.

    Without `redis_db` the one instance keeps its conversations in a SQLite file of its
    folder; with it, every instance shares Redis database `redis_db`, flushed before and
    after. All processes are stopped at the end (SIGTERM, then SIGKILL)."""
    assert redis_db is not None or instances == 1, "several instances share a Redis store"
    redis_url = f"{REDIS}/{redis_db}" if redis_db is not None else None
    if redis_url is not None:
        await flush_redis(redis_url)
    org = SandboxOrg(root / "org")
    servers: list[ParleyServer] = []
    try:
        await org.start()
        secret, key = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
        store = redis_url or "sqlite:///var/parley.db"
        for index in range(instances):
            folder, port = root / f"bot{index}", free_port()
            config = write_bot(
                folder, org=org, port=port, store=store, webhook_secret=secret, key=key
            )
            if index == 0:  # one store: connecting the first connects them all
                await authorize(config, org)
            servers.append(ParleyServer(folder, port, secret, bot_env()))
        await asyncio.gather(*(server.start() for server in servers))
        yield Fleet(root, org, servers, redis_url)
    finally:
        for server in servers:
            with contextlib.suppress(ServerFailed, ProcessLookupError):
                await server.stop()
        await org.stop()
        if redis_url is not None:
            await flush_redis(redis_url)


# -- one webhook request ------------------------------------------------------------------------


async def post_message(
    http: httpx2.AsyncClient, server: ParleyServer, user_id: str, message_id: str, text: str
) -> list[str]:
    """Send one message (a signed ``POST /webhook``); the texts of the answer's messages."""
    body = json.dumps({"user_id": user_id, "message_id": message_id, "text": text}).encode()
    headers = {"Content-Type": "application/json", **signed_headers(server.secret, body)}
    response = await http.post(f"{server.url}/webhook", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return [str(m.get("text", "")) for m in response.json()["messages"]]


async def waiting_messages(
    http: httpx2.AsyncClient, server: ParleyServer, user_id: str
) -> list[str]:
    """``GET /webhook/messages`` (acknowledging nothing): what waits for the user."""
    target = "/webhook/messages?" + urlencode({"user_id": user_id})
    headers = signed_request_headers(server.secret, "GET", target)
    return _late_texts(await http.get(server.url + target, headers=headers))


# -- the users --------------------------------------------------------------------------------


@dataclass
class Request:
    """One message as the client sent it, and what became of each attempt."""

    message_id: str
    text: str
    kind: str  # "start", "answer", "post" (the answer that makes the bot create the lead), ...
    attempts: list[tuple[int, float, str]] = field(default_factory=list)  # instance, when, what
    attempts_since: float = 0.0  # when the attempt on the wire was sent
    answered_at: float | None = None
    answered_by: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Conversation:
    index: int
    user_id: str
    first: str
    last: str  # unique in the test: the lead is found by it
    company: str
    # created, unknown, not created; or, not the truth told in answer: told late (the answer
    # was not understood, "created" waited in GET /webhook/messages), unexpected, error,
    # gave up, stuck
    outcome: str = "running"
    lead_id: str | None = None
    requests: list[Request] = field(default_factory=list)
    failures: int = 0  # requests that got no answer (dead server) and were sent again
    unavailable: int = 0  # 503 `unavailable` answers (restarting), sent again
    errors: list[str] = field(default_factory=list)  # error replies: never expected
    pending: tuple[int, Request] | None = None  # (instance, request) on the wire now
    said: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)  # fetched from GET /webhook/messages

    @property
    def done(self) -> bool:
        return self.outcome != "running"

    def answered_after(self, moment: float) -> float | None:
        """When a request of this conversation was first answered after `moment`."""
        times = [r.answered_at for r in self.requests if r.answered_at and r.answered_at > moment]
        return min(times) if times else None

    def story(self) -> str:
        lines = [f"{self.user_id} ({self.first} {self.last}, {self.company}): {self.outcome}"]
        for request in self.requests:
            tries = ", ".join(f"#{i} {what}" for i, _, what in request.attempts)
            lines.append(f"  > {request.text!r} [{request.message_id}: {tries}]")
            lines += [f"  < {m.get('text') or m}" for m in request.messages]
        lines += [f"  GET /webhook/messages < {text}" for text in self.late]
        return "\n".join(lines)


class Crowd:
    """Webhook users, each creating one lead, `concurrency` at a time; new ones keep coming
    until `total` have started and `keep_going()` says stop."""

    def __init__(
        self,
        fleet: Fleet,
        *,
        total: int,
        concurrency: int,
        think: tuple[float, float] = (0.0, 0.0),
        seed: int = 14,
    ) -> None:
        self.fleet = fleet
        self.total = total
        self.concurrency = concurrency
        self.think = think
        self.random = random.Random(seed)
        self.conversations: list[Conversation] = []
        self.http = httpx2.AsyncClient(
            timeout=ANSWER_TIMEOUT,
            limits=httpx2.Limits(max_connections=concurrency * 2),
        )
        self.unavailable: Counter[str] = Counter()  # the 503 `unavailable` messages, re-sent
        self._tag = secrets.token_hex(2)

    @property
    def finished(self) -> int:
        return sum(c.done for c in self.conversations)

    def in_flight(self, instance: int) -> list[tuple[Conversation, Request]]:
        """The requests on the wire to `instance` now, and whose they are."""
        return [
            (c, c.pending[1])
            for c in self.conversations
            if c.pending is not None and c.pending[0] == instance
        ]

    async def run(
        self, chaos: Awaitable[None] | None = None, keep_going: Callable[[], bool] | None = None
    ) -> list[Conversation]:
        """Run the conversations, and `chaos` beside them; returns when both are done. New
        conversations start while fewer than `total` have, or while `keep_going()` is true
        (default: while `chaos` runs)."""
        chaos_task = asyncio.ensure_future(chaos) if chaos is not None else None
        if keep_going is None:

            def keep_going() -> bool:
                return chaos_task is not None and not chaos_task.done()

        running: set[asyncio.Task[None]] = set()
        try:
            while len(self.conversations) < self.total or keep_going():
                if chaos_task is not None and chaos_task.done() and chaos_task.exception():
                    await chaos_task  # raises: the test fails on what went wrong there
                if len(running) >= self.concurrency:
                    _, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    continue
                running.add(asyncio.ensure_future(self._converse(self._new())))
                await asyncio.sleep(0)
            while running:
                if chaos_task is not None and chaos_task.done() and chaos_task.exception():
                    await chaos_task
                _, running = await asyncio.wait(running, timeout=0.5)
            if chaos_task is not None:
                await chaos_task
        finally:
            for task in running:
                task.cancel()
            if chaos_task is not None and not chaos_task.done():
                chaos_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await chaos_task
            await self.http.aclose()
        return self.conversations

    def _new(self) -> Conversation:
        index = len(self.conversations)
        conversation = Conversation(
            index=index,
            user_id=f"fleet-{self._tag}-{index}",
            first=FIRST_NAMES[index % len(FIRST_NAMES)],
            last="Q" + letters(index * 7919 + 104729),
            company=COMPANIES[index % len(COMPANIES)],
        )
        self.conversations.append(conversation)
        return conversation

    async def _converse(self, c: Conversation) -> None:
        text, kind = f"create a lead for {c.first} {c.last} at {c.company}", "start"
        for _ in range(MAX_TURNS):
            request = Request(f"{c.user_id}-{len(c.requests) + 1}", text, kind)
            c.requests.append(request)
            if not await self._send(c, request):
                return
            texts = [str(m.get("text", "")) for m in request.messages]
            c.said += texts
            if any(m.get("type") == "error" for m in request.messages):
                c.errors.append(f"{request.message_id}: {request.messages}")
                c.outcome = "error"
                return
            created = [found for t in texts if (found := CREATED.fullmatch(t))]
            if created:
                c.outcome, c.lead_id = "created", created[-1][1]
                return
            if any(UNKNOWN.search(t) for t in texts):
                c.outcome = "unknown"
                return
            if any(NOT_CREATED.search(t) for t in texts):
                c.outcome = "not created"
                return
            reply = _answer(c, texts[-1] if texts else "")
            if reply is None:
                # What a sync-mode relay can still do: fetch what the bot said meanwhile.
                c.late = await self._fetch_late(c)
                told = any(CREATED.fullmatch(t) for t in c.late)
                c.outcome = "told late" if told else "unexpected"
                return
            text, kind = reply
            if self.think[1]:
                await asyncio.sleep(self.random.uniform(*self.think))
        c.outcome = "stuck"

    async def _fetch_late(self, c: Conversation) -> list[str]:
        """``GET /webhook/messages``: what the bot said to the user outside an answer."""
        for attempt in range(len(self.fleet.instances) * 20):
            server = self.fleet.instances[(c.index + attempt) % len(self.fleet.instances)]
            try:
                return await waiting_messages(self.http, server, c.user_id)
            except httpx2.TransportError:
                await asyncio.sleep(RETRY_PAUSE)
        return ["GET /webhook/messages: no instance answered"]

    async def _send(self, c: Conversation, request: Request) -> bool:
        """Send until an instance answers; False when the conversation ends here."""
        body = json.dumps(
            {"user_id": c.user_id, "message_id": request.message_id, "text": request.text}
        ).encode()
        instances = len(self.fleet.instances)
        choice = (c.index + len(c.requests)) % instances  # round robin, as a load balancer
        deadline = time.monotonic() + GIVE_UP
        while True:
            server = self.fleet.instances[choice]
            headers = {"Content-Type": "application/json", **signed_headers(server.secret, body)}
            sent = request.attempts_since = time.monotonic()
            c.pending = (choice, request)
            try:
                response = await self.http.post(
                    f"{server.url}/webhook", content=body, headers=headers
                )
            except httpx2.TransportError as exc:
                request.attempts.append((choice, sent, type(exc).__name__))
                c.failures += 1
            else:
                request.attempts.append((choice, sent, str(response.status_code)))
                if response.status_code == 200:
                    request.answered_at, request.answered_by = time.monotonic(), choice
                    request.messages = list(response.json()["messages"])
                    c.pending = None
                    return True
                if response.status_code == 503 and _code(response) == "unavailable":
                    c.unavailable += 1
                    self.unavailable[_message(response)] += 1
                else:
                    c.pending = None
                    c.errors.append(f"{request.message_id}: {response.status_code} {response.text}")
                    c.outcome = "error"
                    return False
            c.pending = None
            if time.monotonic() > deadline:
                c.outcome = "gave up"
                return False
            await asyncio.sleep(RETRY_PAUSE)
            choice = (choice + 1) % instances


def _late_texts(response: httpx2.Response) -> list[str]:
    if response.status_code != 200:
        return [f"GET /webhook/messages: {response.status_code} {response.text}"]
    return [str(m.get("text", "")) for m in response.json()["messages"]]


def _code(response: httpx2.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def _message(response: httpx2.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text


def _answer(c: Conversation, prompt: str) -> tuple[str, str] | None:
    """What the user says to the bot's last message, and its kind; None when it is not one of
    create_lead's questions."""
    asked = prompt.lower()
    if "last name" in asked:
        return c.last, "answer"
    if "first name" in asked:
        return c.first, "answer"
    if "which company" in asked:
        return c.company, "answer"
    if "email" in asked or "phone" in asked:
        return "skip", "answer"
    if "job title" in asked:
        return "skip", "post"  # the last answer: the bot creates the lead
    if WRITE_AGAIN.search(prompt):
        return "did it go through?", "post"
    return None


# -- checks and reports -----------------------------------------------------------------------


@dataclass
class Verdict:
    """The conversations set against the org's leads."""

    conversations: list[Conversation]
    leads: list[dict[str, Any]]
    by_name: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for lead in self.leads:
            self.by_name.setdefault(lead["LastName"], []).append(lead["Id"])

    def count(self, c: Conversation) -> int:
        return len(self.by_name.get(c.last, ()))

    def outcomes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.conversations:
            out[c.outcome] = out.get(c.outcome, 0) + 1
        return dict(sorted(out.items()))

    def duplicated(self) -> list[Conversation]:
        """More than one lead for one conversation."""
        return [c for c in self.conversations if self.count(c) > 1]

    def untruthful(self) -> list[Conversation]:
        """Not told the truth: "created" of a lead that is not there (or is another's), "not
        created" of one that is, or nothing that settles it (an unexpected answer, an error, a
        conversation that gave up). "Can't tell" is honest whatever happened."""
        wrong = []
        for c in self.conversations:
            if c.outcome == "created":
                if c.lead_id not in self.by_name.get(c.last, ()):
                    wrong.append(c)
            elif c.outcome == "not created":
                if self.count(c):
                    wrong.append(c)
            elif c.outcome != "unknown":
                wrong.append(c)
        return wrong

    def strangers(self) -> list[dict[str, Any]]:
        """Leads that belong to no conversation."""
        names = {c.last for c in self.conversations}
        return [lead for lead in self.leads if lead["LastName"] not in names]

    def summary(self, title: str, fleet: Fleet, cut: int, **extra: Any) -> str:
        failures = sum(c.failures for c in self.conversations)
        unavailable = sum(c.unavailable for c in self.conversations)
        lines = [
            f"{title}: {len(self.conversations)} conversations, {len(self.leads)} leads, "
            f"{len(fleet.kills)} kills, {cut} lead POSTs cut short",
            f"  outcomes: {self.outcomes()}",
            f"  duplicated: {len(self.duplicated())}, not told the truth: "
            f"{len(self.untruthful())}, leads of nobody: {len(self.strangers())}",
            f"  re-sent after no answer: {failures}, 503 unavailable re-sent: {unavailable}",
        ]
        lines += [f"  {kill.describe()}" for kill in fleet.kills]
        lines += [f"  {k}: {v}" for k, v in extra.items()]
        problems = fleet.log_problems()
        if problems:
            lines.append("  server log errors:")
            lines += [f"    {p}" for p in problems]
        return "\n".join(lines)


def stories(conversations: Sequence[Conversation], limit: int = 5) -> str:
    return "\n".join(c.story() for c in conversations[:limit])


def check(verdict: Verdict, summary: str, *, all_created: bool = True) -> None:
    """The guarantees, each failing with the summary and the conversations that break it: no
    lead created twice, every conversation told the truth, no lead of nobody's, and (with
    `all_created`, create_lead's `verify` in place) every conversation ended "created"."""
    print(summary)
    duplicated = verdict.duplicated()
    assert not duplicated, f"leads created twice\n{summary}\n{stories(duplicated)}"
    untruthful = verdict.untruthful()
    assert not untruthful, f"conversations not told the truth\n{summary}\n{stories(untruthful)}"
    assert not verdict.strangers(), f"leads of no conversation: {verdict.strangers()}\n{summary}"
    if all_created:
        unsure = [c for c in verdict.conversations if c.outcome != "created"]
        assert not unsure, (
            f"with verify, every conversation ends 'created'\n{summary}\n{stories(unsure)}"
        )


@asynccontextmanager
async def post_held(
    fleet: Fleet,
    crowd: Crowd,
    index: int,
    *,
    hold: float,
    min_age: float = 0.0,
    wait: float = 60.0,
) -> AsyncIterator[list[tuple[Conversation, Request]]]:
    """Inside the block, Salesforce has created a lead for a user of instance `index` and holds
    its answer: the org holds every Lead POST's answer `hold` seconds after committing it, and
    the block begins once one is held while a user of the instance has waited `min_age`
    seconds on their last answer. Yields those users' requests; the faults are cleared when
    the block ends."""
    count = 1000
    await fleet.org.hold_posts(delay=hold, count=count)
    try:
        deadline = time.monotonic() + wait
        while True:
            faults = await fleet.org.faults()
            taken = count - faults[0]["count"] if faults else count
            now = time.monotonic()
            posting = [
                (c, request)
                for c, request in crowd.in_flight(index)
                if request.kind == "post" and now - request.attempts_since >= min_age
            ]
            if taken and posting:
                break
            if now > deadline:
                raise AssertionError(f"no lead POST of instance #{index} within {wait:g} s")
            await asyncio.sleep(0.05)
        yield posting
    finally:
        await fleet.org.clear_faults()


async def kill_during_post(
    fleet: Fleet, crowd: Crowd, index: int, *, hold: float = 3.0, settle: float = 0.3
) -> Kill:
    """SIGKILL instance `index` after Salesforce created a lead for it and before the bot saw
    the answer (held `hold` seconds), about `settle` seconds into that window."""
    async with post_held(fleet, crowd, index, hold=hold, min_age=settle):
        await asyncio.sleep(settle)
        return await fleet.kill(index, reason="lead created, answer held", crowd=crowd)


async def until(condition: Callable[[], bool], what: str, timeout: float = 300.0) -> None:
    """Wait for something the conversations bring about (bounded: a failsafe)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        await asyncio.sleep(0.05)
