"""The string, regex and url types."""

from __future__ import annotations

import pytest

from runtime.entities import EntitySpec, find, parse, recheck
from tests.runtime.entities.conftest import settings

STRING = EntitySpec("string")
URL = EntitySpec("url")
URL_ERROR = (
    "That doesn't look like a web address. Please try again, for example https://example.com."
)
REGEX_ERROR = "That doesn't match the expected format. Please try again."


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Acme", "Acme"),
        ("  Acme Corp  ", "Acme Corp"),
        ("\tline one\nline two\n", "line one\nline two"),
        ("42", "42"),
    ],
)
def test_string_is_the_trimmed_text(text: str, value: str) -> None:
    assert parse(STRING, text, settings()).value == value


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_string_must_not_be_empty(text: str) -> None:
    parsed = parse(STRING, text, settings())
    assert not parsed.ok
    assert parsed.error == "I didn't get an answer. Please type it in."


def test_string_recheck() -> None:
    assert recheck(STRING, " Acme ", settings()).value == "Acme"
    assert recheck(STRING, 42, settings()).value == "42"
    assert not recheck(STRING, "", settings()).ok
    assert not recheck(STRING, {"a": 1}, settings()).ok


@pytest.mark.parametrize(
    ("pattern", "text", "value"),
    [
        (r"\d{5}", "12345", "12345"),
        (r"\d{5}", "my zip is 94103, thanks", "94103"),
        (r"[A-Z]{2}-\d{4}", "ticket AB-1234 and CD-5678", "AB-1234"),
        (r"(?i)order\s*#?(\d+)", "Order #5521", "5521"),
        (r"ID-(\d+)", "it's ID-42", "42"),
        (r"(?:SKU|sku)-(\w+)|(\d+)", "SKU-X1", "X1"),
        (r"(a)?b", "b", "b"),  # group 1 did not take part: the whole match
    ],
)
def test_regex_first_match(pattern: str, text: str, value: str) -> None:
    assert parse(EntitySpec("regex", pattern=pattern), text, settings()).value == value


@pytest.mark.parametrize(
    ("pattern", "text"),
    [(r"\d{5}", "1234"), (r"\d{5}", ""), (r"^[A-Z]{2}$", "abc"), (r"x*", "yyy")],
)
def test_regex_no_match(pattern: str, text: str) -> None:
    parsed = parse(EntitySpec("regex", pattern=pattern), text, settings())
    assert not parsed.ok
    assert parsed.error == REGEX_ERROR


def test_regex_recheck() -> None:
    spec = EntitySpec("regex", pattern=r"\d{5}")
    assert recheck(spec, "94103", settings()).value == "94103"
    assert recheck(spec, 94103, settings()).value == "94103"
    assert not recheck(spec, "941", settings()).ok


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://example.com", "https://example.com"),
        ("see https://a.b/c.", "https://a.b/c"),
        ("example.com/x", "https://example.com/x"),
        ("www.example.org", "https://www.example.org"),
        ("Example.COM/Path?Q=1", "https://example.com/Path?Q=1"),
        ("HTTPS://Example.com/", "https://example.com/"),
        ("http://example.com", "http://example.com"),
        ("it's at https://example.com/path?q=1#frag, thanks", "https://example.com/path?q=1#frag"),
        ("visit (https://foo.com/bar) now", "https://foo.com/bar"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("my site is parley.dev.", "https://parley.dev"),
        ("[example.com]", "https://example.com"),
        ("http://localhost:8080/x", "http://localhost:8080/x"),
        ("https://127.0.0.1:9000/a", "https://127.0.0.1:9000/a"),
        ("https://[::1]:8080/x", "https://[::1]:8080/x"),
        ("first example.com then https://b.org", "https://example.com"),
    ],
)
def test_url_accepted(text: str, url: str) -> None:
    parsed = parse(URL, text, settings())
    assert parsed.ok, text
    assert parsed.value == url


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no url here",
        "report.pdf",
        "bob@example.com",
        "ftp://example.org",
        "javascript:alert(1)",
        "https://user:secret@example.com",
        "https://",
        "e.g. this",
    ],
)
def test_url_rejected(text: str) -> None:
    parsed = parse(URL, text, settings())
    assert not parsed.ok
    assert parsed.error == URL_ERROR


def test_url_recheck_and_idempotence() -> None:
    assert recheck(URL, "https://example.com/x", settings()).value == "https://example.com/x"
    assert recheck(URL, "example.com/x", settings()).value == "https://example.com/x"
    assert not recheck(URL, 42, settings()).ok


@pytest.mark.parametrize(
    "spec", [STRING, URL, EntitySpec("regex", pattern=r"\d+"), EntitySpec("boolean")]
)
def test_find_only_for_types_found_in_sentences(spec: EntitySpec) -> None:
    assert find(spec, "create a lead for https://example.com, 42, yes", settings()) is None
