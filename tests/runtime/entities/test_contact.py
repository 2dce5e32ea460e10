"""Email addresses and phone numbers, anywhere in the answer."""

from __future__ import annotations

import pytest

from runtime.entities import EntitySpec, find, parse, recheck
from tests.runtime.entities.conftest import settings

EMAIL = EntitySpec("email")
PHONE = EntitySpec("phone")
EMAIL_ERROR = "That doesn't look like an email address. Please try again."
PHONE_ERROR = "That doesn't look like a phone number. Please try again, with the area code."


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("bob@example.com", "bob@example.com"),
        ("  bob@example.com  ", "bob@example.com"),
        ("Bob@Example.COM", "Bob@example.com"),
        ("it's bob.smith+crm@Mail.Example.co.uk thanks", "bob.smith+crm@mail.example.co.uk"),
        ("my email is <bob@example.com>.", "bob@example.com"),
        ("mailto:bob@example.com", "bob@example.com"),
        ("(bob@example.com)", "bob@example.com"),
        ("'bob@example.com'", "bob@example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("José@Exämple.com", "José@exämple.com"),
        ("write to bob@example.com or ann@example.com", "bob@example.com"),
    ],
)
def test_email_accepted(text: str, address: str) -> None:
    parsed = parse(EMAIL, text, settings())
    assert parsed.ok, text
    assert parsed.value == address


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bob",
        "bob at example dot com",
        "bob@",
        "@example.com",
        "bob@localhost",
        "bob@example",
        "b..ob@example.com",
        "bob@exa mple.com",
        "bob@@example.com",
    ],
)
def test_email_rejected(text: str) -> None:
    parsed = parse(EMAIL, text, settings())
    assert not parsed.ok
    assert parsed.error == EMAIL_ERROR


@pytest.mark.parametrize(
    ("utterance", "address"),
    [
        ("create a lead for bob@x.com", "bob@x.com"),
        ("add Ann (Ann@Example.org) as a contact", "Ann@example.org"),
        ("email bob@x.com, bob@x.com again", "bob@x.com"),
    ],
)
def test_email_find(utterance: str, address: str) -> None:
    assert find(EMAIL, utterance, settings()) == address


@pytest.mark.parametrize(
    "utterance",
    ["create a lead", "create a lead for bob", "copy a@x.com and b@y.com", "tweet @bob"],
)
def test_email_find_no_false_positives(utterance: str) -> None:
    assert find(EMAIL, utterance, settings()) is None


@pytest.mark.parametrize(
    ("locale", "text", "e164"),
    [
        ("en-US", "(415) 555-0123", "+14155550123"),
        ("en-US", "call me at (415) 555-0123 please", "+14155550123"),
        ("en-US", "415.555.0123", "+14155550123"),
        ("en-US", "4155550123", "+14155550123"),
        ("en-US", "415 555 0123", "+14155550123"),
        ("en-US", "+1 415 555 0123", "+14155550123"),
        ("en-US", "1-415-555-0123", "+14155550123"),
        ("en-US", "my number is 415-555-0123.", "+14155550123"),
        ("en-US", "+44 20 7946 0958", "+442079460958"),
        ("en-US", "+14155550123", "+14155550123"),
        ("en-GB", "020 7946 0958", "+442079460958"),
        ("en-GB", "07911 123456", "+447911123456"),
        ("en-GB", "+1 415 555 0123", "+14155550123"),
        ("de-DE", "030 123456", "+4930123456"),
        ("de-DE", "0044 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_accepted(locale: str, text: str, e164: str) -> None:
    parsed = parse(PHONE, text, settings(locale))
    assert parsed.ok, (locale, text)
    assert parsed.value == e164


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en-US", ""),
        ("en-US", "555-0123"),
        ("en-US", "12345"),
        ("en-US", "call me"),
        ("en-US", "(415) 555-01"),
        ("en-US", "020 7946 0958"),  # a British national number is not American
        ("en-US", "+1 123 456 7890"),  # no US area code starts with 1
        ("en-GB", "415 555 0123"),
    ],
)
def test_phone_rejected(locale: str, text: str) -> None:
    parsed = parse(PHONE, text, settings(locale))
    assert not parsed.ok
    assert parsed.error == PHONE_ERROR


@pytest.mark.parametrize(
    ("utterance", "e164"),
    [
        ("call me at (415) 555-0123 please", "+14155550123"),
        ("new contact ann, 415 555 0123", "+14155550123"),
    ],
)
def test_phone_find(utterance: str, e164: str) -> None:
    assert find(PHONE, utterance, settings()) == e164


@pytest.mark.parametrize(
    "utterance",
    [
        "create a lead",
        "book a table for 4",
        "a deal worth $5,000",
        "create a lead for 2026-12-01",
        "either 415 555 0123 or 415 555 0199",
    ],
)
def test_phone_find_no_false_positives(utterance: str) -> None:
    assert find(PHONE, utterance, settings()) is None


@pytest.mark.parametrize(
    ("spec", "value", "normalised"),
    [
        (EMAIL, "bob@example.com", "bob@example.com"),
        (EMAIL, "Bob@EXAMPLE.com", "Bob@example.com"),
        (PHONE, "+14155550123", "+14155550123"),
        (PHONE, "(415) 555-0123", "+14155550123"),
        (PHONE, 4155550123, "+14155550123"),
    ],
)
def test_recheck(spec: EntitySpec, value: object, normalised: str) -> None:
    assert recheck(spec, value, settings()).value == normalised


@pytest.mark.parametrize(
    ("spec", "value"), [(EMAIL, "bob"), (EMAIL, 42), (PHONE, "+1 555"), (PHONE, True)]
)
def test_recheck_rejects(spec: EntitySpec, value: object) -> None:
    assert not recheck(spec, value, settings()).ok
