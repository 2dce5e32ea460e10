"""Generated hostile input against every route of the real server (issue 15).

One server for the module (SQLite store, webhook secret set, an auth profile `crm` on a sandbox
org), on 127.0.0.1 and an ephemeral port, driven by real clients (httpx2, and aiohttp for the
WebSocket). Hypothesis generates bodies (arbitrary bytes; JSON with deep nesting, huge numbers,
NaN, lone surrogates escaped as `\\ud800` or written raw, NUL, bytes that are not UTF-8),
query strings (random and meaningful keys, repeated keys, `%ED%A0%80`, `%FF`, `%00`, broken
escapes), headers (any name and value HTTP allows, Content-Type and Content-Encoding variants,
Origin), cookies (`parley_session` with random bytes, valid and mangled tokens) and WebSocket
frames (text and binary, JSON of every shape, not UTF-8, over the size limit), and webhook
requests signed correctly so that the body parser is reached.

Every example asserts: no 5xx (and the JSON error shape, or the HTML page for the OAuth
callback, where spec/channels.md promises one); for the WebSocket, that every frame is answered
and the socket stays open, or closes with a documented code (4401, 1009), never 1011; and that
nothing was logged at ERROR or with a traceback. After each test `/healthz` still answers 200.

The number of examples is bounded so that the module runs in well under a minute;
PARLEY_FUZZ_EXAMPLES sets every test's count for a longer hunt.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import string
import uuid
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx2
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from channels.identity import COOKIE
from channels.settings import ChannelSettings
from sandbox.server import RunningSandbox, run_sandbox
from tests.channels.conftest import (
    LEAD_DIALOG,
    NOTE_DIALOG,
    SECRET,
    WAIT,
    Served,
    crm_config,
    sign,
    sign_request,
    start_served,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "0")) or None
MAX_FRAME = 64 * 1024  # ChannelSettings.max_frame_bytes
HARD_FRAME = 1024 * 1024  # ChannelSettings.hard_frame_bytes


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # the log watch is per test, not per example
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# -- the server -----------------------------------------------------------------------------------


@dataclass
class Rig:
    served: Served
    sandbox: RunningSandbox
    http: httpx2.AsyncClient
    session: aiohttp.ClientSession
    token: str  # a valid user token (the WebSocket user of the frame tests)
    user_id: str

    @property
    def url(self) -> str:
        return self.served.url

    async def new_session(self) -> dict[str, str]:
        answer = await self.http.post("/api/sessions", json={})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    async with run_sandbox(port=0, db=root / "sandbox.db", auto_approve=True) as sb:
        config = crm_config(sb) | {"channels": {"webhook": {"secret": SECRET}}}
        served = await start_served(
            root / "bot",
            {"note": NOTE_DIALOG, "new_lead": LEAD_DIALOG},
            config,
            ChannelSettings(rate_limit=1_000_000),  # the limit is not under test: the parsers are
        )
        try:
            async with (
                httpx2.AsyncClient(base_url=served.url, timeout=WAIT) as http,
                aiohttp.ClientSession() as session,
            ):
                first = (await http.post("/api/sessions")).json()
                rig = Rig(served, sb, http, session, first["token"], first["user_id"])
                ws = await session.ws_connect(f"{served.ws_url}?token={rig.token}")
                await exchange(ws, [])  # whatever a first connection gets, out of the way
                await ws.close()
                yield rig
        finally:
            await served.stop()


class Watch:
    """The log of one test, read example by example."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        self.seen = 0

    def begin(self) -> None:
        """An example starts: what earlier ones logged is theirs (even when one failed)."""
        self.seen = len(self.caplog.records)

    def parser_refused(self) -> bool:
        """Since the example began, aiohttp's parser refused a request (`channels.logs`)."""
        return any(
            r.name == "aiohttp.server" and ": refused 400 (" in r.getMessage()
            for r in self.caplog.records[self.seen :]
        )

    def quiet(self) -> None:
        """Nothing logged since the last look at ERROR or above, nor with a traceback."""
        records = self.caplog.records[self.seen :]
        self.seen += len(records)
        loud(records)


def loud(records: list[logging.LogRecord]) -> None:
    bad = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in records
        if r.levelno >= logging.ERROR or r.exc_info or r.exc_text or r.stack_info
    ]
    assert not bad, bad
    assert not [r for r in records if "Traceback" in r.getMessage()]


@pytest_asyncio.fixture(loop_scope="module")
async def watch(rig: Rig, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Watch]:
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    caplog.set_level(logging.DEBUG, logger="parley")
    watching = Watch(caplog)
    yield watching
    for _ in range(3):  # let work the last answers started (deliveries, closes) finish
        await asyncio.sleep(0)
    health = await rig.http.get("/healthz")
    assert health.status_code == 200, health.text
    assert health.json() == {"status": "ok"}
    records = caplog.get_records("call") + caplog.get_records("teardown")
    loud(records)
    said = "\n".join(r.getMessage() for r in records)
    assert rig.token not in said


# -- strategies: text, JSON, bodies ------------------------------------------------------------

NASTY = [
    "\x00", "\ud800", "\udfff", "\udc00\ud800", "\ud83d\ude00", "\U0001f600", "\u202e", "\ufeff",
    "\x7f", "\x85", "\u2028", "\x1b[31m", "\r\n", "\t", " ", "%", "%00", "\\", '"', "'", "{{",
    "}}", "{% raw %}", "<script>", "../", "é", "日本", "\U0010ffff", "\uffff", "ß", "İ", "Ⅻ",
    "\uff10", "²", "NaN", "null", "sms:+14155550123", "take a note", "create a lead", "cancel",
]  # fmt: skip
nasty = st.sampled_from(NASTY)
texts = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(nasty, st.text(max_size=4)), max_size=8).map("".join),
    st.sampled_from(["", " ", "x" * 257, "y" * 4001]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


def dumps(value: Any, style: str) -> bytes:
    """`value` as JSON: lone surrogates escaped (`ascii`) or written as their raw (invalid)
    UTF-8 bytes (`raw`); NaN and Infinity as Python writes them."""
    if style == "ascii":
        return json.dumps(value).encode()
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


styles = st.sampled_from(["ascii", "raw"])
NUMBERS = ["1e999999", "-0", "9" * 5000, "-" + "9" * 400, "0x10", "1.", ".5", "01", "1e", "-"]


ODD_BYTES = [
    b"", b" ", b"null", b"{}", b"[]", b'""', b"\xef\xbb\xbf{}", "{}".encode("utf-16"),
    b'{"a":1,"a":2}', b"{", b'{"', b'{"token"', b"\x00", b"\xed\xa0\x80", b"\xc0\xaf",
    b"\xf4\x90\x80\x80", b"\xff" * 8, b"{}\x00", b"{} {}", b"/*c*/{}",
]  # fmt: skip


def deep(opener: str, depth: int) -> bytes:
    return (opener * depth).encode()


odd_bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(
        deep, st.sampled_from(["[", '{"a":', '{"token":[', '{"text":{"t":']), st.integers(1, 30_000)
    ),
    st.sampled_from(NUMBERS).map(lambda n: f'{{"token": {n}, "text": {n}}}'.encode()),
    st.sampled_from(NUMBERS).map(str.encode),
    st.sampled_from(ODD_BYTES),
)


def truncated(data: bytes, cut: int) -> bytes:
    return data[: cut % (len(data) + 1)]


def bodies_of(shaped: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """Bodies around a JSON shape: the shape itself, any JSON, cut short, or odd bytes."""
    as_json = st.builds(dumps, st.one_of(shaped, shaped, json_values), styles)
    return st.one_of(
        as_json,
        as_json,
        as_json,
        st.builds(truncated, as_json, st.integers(0, 10_000)),
        odd_bodies,
    )


# -- strategies: HTTP ---------------------------------------------------------------------------

TCHAR = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
FIELD_BYTES = bytes([0x09, *range(0x20, 0x7F), *range(0x80, 0x100)])
FRAMING = {  # the client's business, or what would make the request a different one
    "content-length", "transfer-encoding", "host", "connection", "upgrade", "expect", "te",
    "trailer", "keep-alive", "proxy-connection", "http2-settings",
}  # fmt: skip


def field_value(data: bytes) -> bytes:
    return data.strip(b" \t")


header_values = st.one_of(
    st.binary(max_size=60).map(lambda b: bytes(FIELD_BYTES[x % len(FIELD_BYTES)] for x in b)),
    st.text(string.printable.strip("\r\n\x0b\x0c"), max_size=40).map(str.encode),
    st.sampled_from(["", "null", "*", "0", "-1", "9" * 30, "bytes=5-1", "bytes=0-", "gzip"]).map(
        str.encode
    ),
).map(field_value)
MEANINGFUL = {
    "Content-Type": [
        "application/json", "application/json; charset=utf-16", "application/json; charset=x",
        "text/plain; charset=\"\xff\"", "multipart/form-data", "multipart/form-data; boundary=",
        "application/x-www-form-urlencoded", "*/*", ";", "application/json;;;=",
    ],
    "Content-Encoding": ["gzip", "deflate", "br", "zstd", "identity", "gzip, gzip", "x-nope"],
    "Origin": ["null", "http://evil.test", "file://", "http://127.0.0.1", "http://[::1", "\xff"],
    "Accept-Encoding": ["gzip", "br", "*", "identity;q=0", "zstd"],
    "Range": ["bytes=0-0", "bytes=-1", "bytes=5-1", "bytes=0-1,2-3,4-5", "bytes=x", "lines=1"],
    "If-Modified-Since": ["Thu, 01 Jan 1970 00:00:00 GMT", "yesterday", "0", "\xff"],
    "If-None-Match": ['"x"', "*", "W/"],
    "If-Range": ['"x"', "Thu, 01 Jan 1970 00:00:00 GMT"],
    "Authorization": ["Bearer x", "Basic \xff", ""],
    "X-Forwarded-For": ["1.2.3.4", "::1", "x, y"],
    "Forwarded": ["for=\"[::1]\";proto=http", ";;;"],
    "Sec-WebSocket-Version": ["13", "8", "x"],
    "Sec-WebSocket-Key": ["dGhlIHNhbXBsZSBub25jZQ==", "short", ""],
    "X-Parley-Timestamp": ["0", "-1", "1e9", "99999999999999", "\uff11\uff12\uff13"],
    "X-Parley-Signature": ["sha256=", "sha256=" + "0" * 64, "md5=x", "\xff"],
    "Accept": ["*/*", "text/html", "application/json;q=x"],
}  # fmt: skip
meaningful_headers = st.sampled_from(sorted(MEANINGFUL)).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.one_of(st.sampled_from(MEANINGFUL[name]).map(str.encode), header_values),
    )
)
random_headers = st.tuples(
    st.text(TCHAR, min_size=1, max_size=20).filter(lambda n: n.lower() not in FRAMING),
    header_values,
)
# Fields HTTP allows once (aiohttp refuses a request that repeats one before any handler runs).
SINGLETONS = {
    "content-length", "content-location", "content-range", "content-type", "etag", "host",
    "max-forwards", "server", "transfer-encoding", "user-agent",
}  # fmt: skip
headers = st.lists(
    st.one_of(meaningful_headers, random_headers),
    max_size=6,
    unique_by=lambda h: h[0].lower() if h[0].lower() in SINGLETONS else h,
)


def besides(extra: list[tuple[str, bytes]], *names: str) -> list[tuple[str, bytes]]:
    """`extra` without the fields a test sets itself."""
    taken = {name.lower() for name in names}
    return [(k, v) for k, v in extra if k.lower() not in taken]


QUERY_KEYS = [
    "token", "state", "code", "error", "error_description", "user_id", "after", "pad", "", "a",
]  # fmt: skip
QUERY_PIECES = [
    "%ED%A0%80", "%ed%b0%80", "%FF", "%00", "%", "%zz", "%2", "+", "%2B", "%26", "%3D", ";",
    "%C3%A9", "%C0%AF", "%E2%80%AE", "%F0%9F%98%80", "%EF%BF%BF", "%F4%90%80%80", "é", "=",
    "&", "&&", "~", "%20", "[", "]", "sms%3A%2B14155550123", "0", "1", "9" * 20, "-1", "%EF%BC%90",
]  # fmt: skip
query_words = st.lists(
    st.one_of(
        st.sampled_from(QUERY_PIECES),
        st.text(string.ascii_letters + string.digits + "-._", max_size=6),
    ),
    max_size=5,
).map("".join)
query_pairs = st.lists(
    st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), query_words), query_words), max_size=6
)


def query_string(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{k}={v}" if v or k else "" for k, v in pairs)


queries = st.one_of(query_pairs.map(query_string), query_words)

cookie_bytes = st.binary(max_size=40).map(
    lambda b: bytes(FIELD_BYTES[x % len(FIELD_BYTES)] for x in b)
)


@st.composite
def cookie_headers(draw: st.DrawFn, token: str) -> bytes:
    """A Cookie header with a `parley_session` of random bytes, a token, or a mangled one."""
    value = draw(
        st.one_of(
            cookie_bytes,
            st.just(token.encode()),
            st.builds(lambda t, i, c: t[:i] + c + t[i + 1 :], st.just(token.encode()),
                      st.integers(0, len(token)), cookie_bytes),
            st.sampled_from([b'"\\377"', b"\xed\xa0\x80", b'""', b"x" * 600, b"=", b";"]),
        )
    )  # fmt: skip
    crumbs = [COOKIE.encode() + b"=" + value]
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from([COOKIE, "a", "", "$Version", "parley_session "]))
        crumbs.insert(draw(st.integers(0, len(crumbs))), name.encode() + b"=" + draw(cookie_bytes))
    return field_value(draw(st.sampled_from([b"; ", b";", b", "])).join(crumbs))


ENCODINGS = [None, None, None, None, "gzip", "deflate", "bomb"]


def encoded(body: bytes, how: str | None) -> tuple[bytes, list[tuple[str, bytes]]]:
    """`body` as sent with `Content-Encoding` `how` (a bomb: gzip of the body and 2 MiB of
    spaces, far over the body limit once decoded), and the header that says so."""
    if how is None:
        return body, []
    if how == "deflate":
        return zlib.compress(body), [("Content-Encoding", b"deflate")]
    if how == "bomb":
        body += b" " * (2 * 1024 * 1024)
    return gzip.compress(body), [("Content-Encoding", b"gzip")]


def sent(answer: httpx2.Response) -> str:
    request = answer.request
    said = f"{request.method} {request.url.raw_path!r} {request.headers.raw!r}"
    return f"{said} -> {answer.status_code} {answer.text[:200]!r}"


def json_error_shape(answer: httpx2.Response, watch: Watch) -> None:
    """A refusal of a JSON route: `{"error": {"code", "message"}}`, as spec/channels.md says,
    unless aiohttp's parser refused the request before any handler ran (a Content-Encoding it
    cannot decode): a plain 400, logged as one WARNING line by `channels.logs`."""
    if answer.status_code == 400 and answer.headers["content-type"].startswith("text/plain"):
        assert watch.parser_refused(), sent(answer)
        return
    assert answer.headers.get("content-type", "").startswith("application/json"), sent(answer)
    error = answer.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), error


# -- every route --------------------------------------------------------------------------------

ROUTES = [
    "/", "/static/chat.js", "/static/chat.css", "/static/index.html", "/api/sessions", "/ws",
    "/webhook", "/webhook/messages", "/oauth/callback", "/healthz", "/metrics",
]  # fmt: skip
ODD_PATHS = [
    "/static/", "/static/%2e%2e/%2e%2e/config.yaml", "/static/..%2f..%2fconfig.yaml",
    "/static/%00", "/static/%ff", "/static/chat.js%00", "/static/chat.js/", "/static/%5c..%5c",
    "/static/.%2e/callback.html", "/static/%ED%A0%80", "//healthz", "/healthz/",
    "/webhook/messages/", "/nope", "/%ED%A0%80", "/api/sessions%00", "/static/" + "a" * 300,
    "/API/SESSIONS", "/%2fhealthz", "/static//chat.js", "/static/chat.js;x",
]  # fmt: skip
METHODS = ["GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]
segments = st.lists(
    st.one_of(st.sampled_from(QUERY_PIECES), st.text(string.ascii_letters + "-._~", max_size=8)),
    max_size=3,
).map("".join)
paths = st.one_of(
    st.sampled_from(ROUTES),
    st.sampled_from(ROUTES),
    st.sampled_from(ODD_PATHS),
    st.builds(lambda r, s: r.rstrip("/") + "/" + s, st.sampled_from(ROUTES), segments),
    st.lists(segments, min_size=1, max_size=4).map(lambda s: "/" + "/".join(s)),
)
# Methods llhttp knows but no route takes; any other name is refused by the parser (400).
ODD_METHODS = ["PROPFIND", "PURGE", "SEARCH", "MKCOL", "LOCK", "QUERY", "LINK", "REPORT"]
methods = st.one_of(
    st.sampled_from(METHODS),
    st.sampled_from(METHODS),
    st.sampled_from(METHODS),
    st.sampled_from(ODD_METHODS),
    st.text(string.ascii_uppercase, min_size=1, max_size=8),
)


@fuzz(300)
@given(
    method=methods,
    path=paths,
    query=st.one_of(st.none(), queries),
    extra=headers,
    cookie=st.booleans(),
    cookie_data=st.data(),
    body=st.one_of(st.none(), bodies_of(json_values)),
)
async def test_any_request_to_any_route(
    rig, watch, method, path, query, extra, cookie, cookie_data, body
):
    watch.begin()
    target = path + ("" if query is None else "?" + query)
    sending = list(extra)
    if cookie:
        sending.append(("Cookie", cookie_data.draw(cookie_headers(rig.token))))
    answer = await rig.http.request(method, rig.url + target, headers=sending, content=body)
    event(f"status {answer.status_code}")
    assert answer.status_code < 500, sent(answer)
    watch.quiet()


# -- POST /api/sessions -------------------------------------------------------------------------


@st.composite
def session_shapes(draw: st.DrawFn, token: str) -> Any:
    mangled = st.builds(
        lambda t, i, s: t[:i] + s + t[i + 1 :], st.just(token), st.integers(0, len(token)), texts
    )
    value = draw(st.one_of(st.just(token), mangled, json_values, texts))
    shape = {"token": value}
    if draw(st.booleans()):
        shape |= draw(st.dictionaries(texts, json_values, max_size=2))
    return shape


origins = st.one_of(
    st.none(),
    st.none(),
    st.just("{url}"),
    st.just("{url}"),
    st.sampled_from(MEANINGFUL["Origin"]),
    st.text(string.printable.strip("\r\n\x0b\x0c"), max_size=30),
)


@fuzz(150)
@given(
    data=st.data(),
    origin=origins,
    extra=headers,
    content_type=st.sampled_from(MEANINGFUL["Content-Type"]),
    encoding=st.sampled_from(ENCODINGS),
)
async def test_sessions(rig, watch, data, origin, extra, content_type, encoding):
    watch.begin()
    body, encoded_as = encoded(data.draw(bodies_of(session_shapes(rig.token))), encoding)
    sending = [("Content-Type", content_type.encode()), *encoded_as]
    sending += besides(extra, "Content-Type", "Origin", *(k for k, _ in encoded_as))
    if origin is not None:
        sending.append(("Origin", origin.replace("{url}", rig.url).strip().encode("utf-8")))
    if data.draw(st.booleans()):
        sending.append(("Cookie", data.draw(cookie_headers(rig.token))))
    answer = await rig.http.post("/api/sessions", headers=sending, content=body)
    event(f"status {answer.status_code}")
    assert answer.status_code in (200, 400, 403, 413), sent(answer)
    if answer.status_code == 200:
        assert set(answer.json()) == {"user_id", "token"}
    else:
        json_error_shape(answer, watch)
    watch.quiet()


# -- POST /webhook, signed ----------------------------------------------------------------------

USERS = ["sms:+14155550123", "sms:+14155550124", "relay:é"]
good_ids = st.one_of(
    st.sampled_from(USERS),
    st.text(st.characters(codec="utf-8", categories=["L", "N", "P"]), min_size=1, max_size=20),
)
ids = st.one_of(
    good_ids,
    texts,
    json_values,
    st.sampled_from(["a" * 256, "a" * 257, "x\x1fy", "\u0085", "\u2028"]),
)
good_texts = st.one_of(
    st.sampled_from(["take a note", "create a lead", "hello", "cancel", "Lovelace", "y" * 4001]),
    st.text(min_size=1, max_size=30),
)
message_texts = st.one_of(good_texts, texts, json_values)
good_messages = st.fixed_dictionaries(
    {"user_id": good_ids, "message_id": good_ids, "text": good_texts}
)
webhook_shapes = st.one_of(
    good_messages,
    st.fixed_dictionaries(
        {},
        optional={
            "user_id": ids,
            "message_id": ids,
            "text": message_texts,
            "type": st.sampled_from(["message", "x"]),
            "extra": json_values,
        },
    ),
)
SIGNINGS = ["good"] * 10 + ["stale", "future", "other secret", "mangled", "unsigned", "headers"]


@fuzz(250)
@given(
    body=st.one_of(
        bodies_of(webhook_shapes),
        st.builds(dumps, good_messages, styles),
        st.integers(MAX_FRAME - 2, MAX_FRAME + 2).map(lambda n: b" " * n),
    ),
    signing=st.sampled_from(SIGNINGS),
    extra=headers,
    content_type=st.sampled_from(MEANINGFUL["Content-Type"]),
    encoding=st.sampled_from(ENCODINGS),
)
async def test_webhook(rig, watch, body, signing, extra, content_type, encoding):
    """Signed over the body the server reads (decoded, when it is sent compressed)."""
    watch.begin()
    sent_body, encoded_as = encoded(body, encoding)
    signed = {
        "good": lambda: sign(body),
        "stale": lambda: sign(body, timestamp=1),
        "future": lambda: sign(body, timestamp=4_000_000_000),
        "other secret": lambda: sign(body, secret="not-the-secret"),
        "mangled": lambda: {
            **sign(body),
            "X-Parley-Signature": sign(body + b"x")["X-Parley-Signature"],
        },
        "unsigned": dict,
        "headers": dict,  # whatever the fuzzed headers hold
    }[signing]()
    sending: list[tuple[str, Any]] = [("Content-Type", content_type.encode()), *encoded_as]
    sending += [
        (k, v)
        for k, v in besides(extra, "Content-Type", *(k for k, _ in encoded_as))
        if signing == "headers" or not k.lower().startswith("x-parley")
    ]
    sending += list(signed.items())
    answer = await rig.http.post("/webhook", headers=sending, content=sent_body)
    event(f"status {answer.status_code}")
    assert answer.status_code in (200, 400, 401, 413), sent(answer)
    # What the server reads is what was signed, unless a fuzzed Content-Encoding made it decode
    # the body into something else (aiohttp reads a cut-short gzip stream as what it holds).
    read_as_signed = bool(encoded_as) or all(k.lower() != "content-encoding" for k, _ in extra)
    if signing == "good" and read_as_signed and len(body) <= MAX_FRAME and encoding != "bomb":
        assert answer.status_code in (200, 400), sent(answer)
    if answer.status_code == 200:
        assert isinstance(answer.json()["messages"], list)
    else:
        json_error_shape(answer, watch)
    watch.quiet()


# -- GET /webhook/messages, signed --------------------------------------------------------------


@fuzz(120)
@given(
    query=st.one_of(
        queries,
        st.tuples(query_words, query_words).map(lambda p: f"user_id={p[0]}&after={p[1]}"),
        st.tuples(
            st.one_of(good_ids, ids.filter(lambda v: isinstance(v, str))),
            st.one_of(st.just(0), st.integers(0, 3), st.integers(-1, 2**70)),
        ).map(lambda p: f"user_id={quote(p[0], safe='', errors='surrogatepass')}&after={p[1]}"),
    ),
    signing=st.sampled_from(["good", "good", "good", "body", "stale", "unsigned"]),
)
async def test_webhook_fetch(rig, watch, query, signing):
    watch.begin()
    url = httpx2.URL(f"{rig.url}/webhook/messages?{query}")
    target = url.raw_path.decode("ascii")  # exactly what goes on the request line
    signed = {
        "good": lambda: sign_request("GET", target),
        "body": lambda: sign(b""),
        "stale": lambda: sign_request("GET", target, timestamp=1),
        "unsigned": dict,
    }[signing]()
    answer = await rig.http.get(url, headers=signed)
    event(f"status {answer.status_code}")
    assert answer.status_code in (200, 400, 401), sent(answer)
    if signing == "good":
        assert answer.status_code in (200, 400), sent(answer)
    if answer.status_code == 200:
        assert isinstance(answer.json()["messages"], list)
    else:
        json_error_shape(answer, watch)
    watch.quiet()


# -- GET /oauth/callback ------------------------------------------------------------------------

callback_queries = st.one_of(
    queries,
    st.lists(
        st.tuples(st.sampled_from(["state", "code", "error", "error_description"]), query_words),
        max_size=5,
    ).map(query_string),
    st.sampled_from(["error=access_denied&state=x", "state=" + "s" * 5000, "code=" + "c" * 5000]),
)


@fuzz(120)
@given(query=callback_queries, data=st.data(), method=st.sampled_from(["GET", "GET", "HEAD"]))
async def test_oauth_callback(rig, watch, query, data, method):
    watch.begin()
    sending = []
    if data.draw(st.booleans()):
        sending.append(("Cookie", data.draw(cookie_headers(rig.token))))
    answer = await rig.http.request(method, f"/oauth/callback?{query}", headers=sending)
    event(f"status {answer.status_code}")
    assert answer.status_code in (200, 400), sent(answer)
    assert answer.headers["content-type"].startswith("text/html"), sent(answer)
    watch.quiet()


async def link_by_websocket(rig: Rig) -> tuple[str, str, aiohttp.ClientWebSocketResponse]:
    """(the user's token, the auth link, their open socket) of a new web user whose
    conversation waits on an authorization."""
    owner = (await rig.new_session())["token"]
    ws = await rig.session.ws_connect(f"{rig.served.ws_url}?token={owner}")
    greeting = await ws.receive_json(timeout=WAIT)  # a new user is greeted first
    assert greeting["type"] == "message" and "reply_to" not in greeting, greeting
    for said in ("create a lead", "Lovelace", "Analytical Engines"):
        await ws.send_json({"type": "message", "id": said, "text": said})
        got = await ws.receive_json(timeout=WAIT)
    assert got["type"] == "auth_link", got
    return owner, got["url"], ws


async def link_by_webhook(rig: Rig, user_id: str) -> str:
    """The auth link of a new webhook user whose conversation waits on an authorization."""
    for i, said in enumerate(("create a lead", "Lovelace", "Analytical Engines")):
        body = json.dumps({"user_id": user_id, "message_id": f"m-{i}", "text": said}).encode()
        answer = await rig.http.post("/webhook", content=body, headers=sign(body))
        assert answer.status_code == 200, answer.text
    (link,) = [m for m in answer.json()["messages"] if m["type"] == "auth_link"]
    return link["url"]


@fuzz(12)
@given(
    channel=st.sampled_from(["websocket", "webhook"]),
    change=st.sampled_from(["code", "error", "state", "add", "none"]),
    value=query_words,
    presenter=st.sampled_from(["owner", "other", "garbage", "none"]),
    after=st.one_of(st.integers(-1, 4), query_words),
    data=st.data(),
)
async def test_oauth_callback_of_a_real_link(
    rig, watch, channel, change, value, presenter, after, data
):
    """A link the bot really issued, sent back with its code, error or state mangled, by its
    owner's browser, another user's, or one with a cookie that cannot be read; for a webhook
    user, what the resumed conversation said is then fetched with any cursor."""
    watch.begin()
    owner = ws = None
    user_id = f"sms:fuzz-{uuid.uuid4().hex}"
    if channel == "websocket":
        owner, url, ws = await link_by_websocket(rig)
    else:
        url = await link_by_webhook(rig, user_id)
    try:
        async with httpx2.AsyncClient(timeout=WAIT) as idp:
            back = httpx2.URL((await idp.get(url)).headers["location"])
        pairs = [p.partition("=")[::2] for p in back.query.decode().split("&")]
        if change in ("code", "state"):
            pairs = [(k, value if k == change else v) for k, v in pairs]
        elif change == "error":
            pairs = [(k, v) for k, v in pairs if k != "code"] + [("error", value)]
        elif change == "add":
            pairs.append(data.draw(query_pairs.filter(bool))[0])
        cookie = {
            "owner": lambda: owner.encode() if owner else None,
            "other": lambda: rig.token.encode(),
            "garbage": lambda: data.draw(cookie_bytes),
            "none": lambda: None,
        }[presenter]()
        sending = (
            [] if cookie is None else [("Cookie", field_value(COOKIE.encode() + b"=" + cookie))]
        )
        answer = await rig.http.get(f"/oauth/callback?{query_string(pairs)}", headers=sending)
        event(f"status {answer.status_code}")
        assert answer.status_code in (200, 400), sent(answer)
        assert answer.headers["content-type"].startswith("text/html")
    finally:
        if ws is not None:
            await ws.close()
    if channel == "webhook":
        url = httpx2.URL(f"{rig.url}/webhook/messages?user_id={quote(user_id)}&after={after}")
        target = url.raw_path.decode("ascii")  # as sent: percent-encoded
        fetched = await rig.http.get(url, headers=sign_request("GET", target))
        event(f"fetch {fetched.status_code}")
        assert fetched.status_code in (200, 400), sent(fetched)
        if fetched.status_code == 400:
            json_error_shape(fetched, watch)
    watch.quiet()


# -- GET /ws: the handshake ---------------------------------------------------------------------

WS_HEADERS = ["Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Cookie", "Accept-Encoding"]


@fuzz(80)
@given(
    token=st.sampled_from(["valid", "mangled", "query", "none", "twice"]),
    data=st.data(),
    origin=origins,
    extra=st.lists(st.tuples(st.sampled_from(WS_HEADERS), header_values), max_size=3),
)
async def test_websocket_handshake(rig, watch, token, data, origin, extra):
    watch.begin()
    valid = rig.token
    query = {
        "valid": lambda: f"token={valid}",
        "mangled": lambda: "token=" + valid[:-3] + data.draw(query_words),
        "query": lambda: data.draw(queries),
        "none": lambda: "",
        "twice": lambda: f"token={data.draw(query_words)}&token={valid}",
    }[token]()
    sending = [(k, v.decode("latin-1")) for k, v in extra]
    if origin is not None:
        sending.append(("Origin", origin.replace("{url}", rig.url).strip()))
    allowed = origin is None or origin == "{url}"
    try:
        ws = await rig.session.ws_connect(
            f"{rig.served.ws_url}?{query}", headers=sending, timeout=aiohttp.ClientWSTimeout(WAIT)
        )
    except aiohttp.WSServerHandshakeError as exc:
        event(f"handshake refused {exc.status}")
        assert exc.status in ((400,) if allowed else (403,)), exc
        watch.quiet()
        return
    assert allowed, "a foreign origin got a socket"
    event(f"socket opened, token {token}")
    try:
        if token == "valid":
            replies = await exchange(ws, [Frame(b"{}")])
            assert replies[0][0]["code"] == "bad_request"
        else:
            closed = await ws.receive(timeout=WAIT)
            if closed.type is aiohttp.WSMsgType.TEXT:  # a token that was valid after all
                assert token in ("twice", "query"), closed
            else:
                assert closed.type is aiohttp.WSMsgType.CLOSE, closed
                assert ws.close_code == 4401, ws.close_code
    finally:
        await ws.close()
    watch.quiet()


# -- GET /ws: frames ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    data: bytes
    binary: bool = False
    ping: bool = False  # a control frame: aiohttp answers it, the bot says nothing

    async def send(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        if self.ping:
            await ws.ping(self.data)
        elif self.binary:
            await ws.send_bytes(self.data)
        else:
            await ws.send_frame(self.data, aiohttp.WSMsgType.TEXT)

    @property
    def refused(self) -> bool:
        """A frame the server must answer with an error (it is not a message it can take)."""
        if self.ping:
            return False
        if self.binary or len(self.data) > MAX_FRAME:
            return True
        try:
            body = json.loads(self.data.decode("utf-8"))
        except (ValueError, RecursionError):
            return True
        return not (
            isinstance(body, dict)
            and body.get("type") == "message"
            and isinstance(body.get("text"), str)
        )


message_shapes = st.fixed_dictionaries(
    {"type": st.one_of(st.just("message"), st.just("message"), texts, json_values)},
    optional={"id": ids, "text": message_texts, "extra": json_values},
)
good_frames = st.fixed_dictionaries(
    {"type": st.just("message"), "text": good_texts}, optional={"id": good_ids}
)
frames = st.one_of(
    st.builds(Frame, st.builds(dumps, good_frames, styles)),
    st.builds(Frame, bodies_of(message_shapes)),
    st.builds(Frame, bodies_of(message_shapes)),
    st.builds(Frame, st.binary(max_size=100), st.just(True)),
    st.builds(Frame, st.binary(max_size=125), st.just(False), st.just(True)),
    st.builds(
        lambda n, binary: Frame(b'{"type":"message","text":"' + b"x" * n + b'"}', binary),
        st.integers(MAX_FRAME - 40, MAX_FRAME + 10),
        st.booleans(),
    ),
)


async def exchange(ws: aiohttp.ClientWebSocketResponse, frames: list[Frame]) -> list[list[dict]]:
    """Send each frame, then a frame that must get `bad_request` with our id, and return, per
    frame, what the server said before that answer came."""
    answers = []
    for i, frame in enumerate(frames):
        await frame.send(ws)
        answers.append(await until_synced(ws, f"sync-{i}"))
    answers.append(await until_synced(ws, "sync-end"))
    return answers


async def until_synced(ws: aiohttp.ClientWebSocketResponse, sync: str) -> list[dict]:
    await ws.send_str(json.dumps({"type": "sync", "id": sync}))
    said = []
    while True:
        frame = await ws.receive(timeout=WAIT)
        assert frame.type is aiohttp.WSMsgType.TEXT, (frame, ws.close_code)
        message = json.loads(frame.data)
        assert isinstance(message, dict) and isinstance(message.get("type"), str), message
        if message.get("reply_to") == sync:
            assert (message["type"], message["code"]) == ("error", "bad_request"), message
            return said
        said.append(message)


def check_answers(frame: Frame, said: list[dict]) -> None:
    """What the server said to one frame: an error for a frame it cannot take, and only the
    errors a client causes (never `internal` or `unavailable`)."""
    errors = [m for m in said if m["type"] == "error"]
    for error in errors:
        assert error["code"] in ("bad_request", "too_long"), (frame, error)
    if frame.refused:
        assert len(errors) == 1, (frame, said)


# How a client may end: closing with any code (valid or not on the wire) and any reason,
# vanishing, or sending a frame over the hard limit (closed with 1009, unread).
CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1011, 3000, 4401, 4999, 0, 999, 1004, 1005]
CLOSE_CODES += [1006, 1015, 2999, 5000, 65535]
endings = st.one_of(
    st.just(("close", 1000, b"")),
    st.tuples(st.just("close"), st.sampled_from(CLOSE_CODES), st.binary(max_size=123)),
    st.just(("vanish", 0, b"")),
    st.just(("too big", 0, b"")),
)


@fuzz(150)
@given(
    sending=st.lists(frames, min_size=1, max_size=3),
    pipelined=st.booleans(),
    ending=st.one_of(st.just(("close", 1000, b"")), endings),
)
async def test_websocket_frames(rig, watch, sending, pipelined, ending):
    """Frames one at a time (each answered before the next is sent) or all at once."""
    watch.begin()
    ws = await rig.session.ws_connect(f"{rig.served.ws_url}?token={rig.token}")
    how, code, reason = ending
    try:
        if pipelined:
            for frame in sending:
                await frame.send(ws)
            said = await until_synced(ws, "sync-all")
            errors = [m for m in said if m["type"] == "error"]
            assert len(errors) >= sum(frame.refused for frame in sending), (sending, said)
            for error in errors:
                assert error["code"] in ("bad_request", "too_long"), (sending, error)
        else:
            for frame, said in zip(sending, await exchange(ws, sending), strict=False):
                event(f"frame {'refused' if frame.refused else 'taken'}: {len(said)} answers")
                check_answers(frame, said)
        assert not ws.closed
        event(f"ending: {how}")
        if how == "too big":
            await ws.send_bytes(b"x" * (HARD_FRAME + 1))
            closed = await ws.receive(timeout=WAIT)
            assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), closed
            assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG, ws.close_code
        elif how == "close":
            await ws.close(code=code, message=reason)
            assert ws.close_code != aiohttp.WSCloseCode.INTERNAL_ERROR, ws.close_code
        else:  # the TCP connection drops without a close frame
            assert ws._conn is not None and ws._conn.transport is not None
            ws._conn.transport.abort()
    finally:
        await ws.close()
    for _ in range(3):  # the server notices the close
        await asyncio.sleep(0)
    watch.quiet()
