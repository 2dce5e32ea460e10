"""The boolean type, and the skip words of optional entities."""

from __future__ import annotations

import pytest

from runtime.entities import EntitySpec, find, is_skip, parse, recheck
from tests.runtime.entities.conftest import settings

BOOLEAN = EntitySpec("boolean")
ERROR = "Please answer yes or no."

YES = [
    "yes", "Yes!", "YES", "y", "Y", "yeah", "yep", "yup", "sure", "Sure.", "ok", "okay", "k",
    "true", "correct", "right", "absolutely", "definitely", "of course", "yes please",
    "Yes, please!", "sure thing", "go ahead", "yes, go ahead", "sounds good", "that's right",
    "that\u2019s right", "why not", "sure, why not", "yes I do", "okay thanks", "alright",
]  # fmt: skip
NO = [
    "no", "No.", "NO", "n", "N", "nope", "nah", "false", "incorrect", "never", "no thanks",
    "No, thank you", "not really", "not now", "no way", "definitely not", "of course not",
    "don't", "please don't", "I don't think so", "no, don't", "no I don't", "nope, not today",
]  # fmt: skip


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert parse(BOOLEAN, text, settings()) == parse(BOOLEAN, "yes", settings())
    assert parse(BOOLEAN, text, settings()).value is True


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    parsed = parse(BOOLEAN, text, settings())
    assert parsed.ok, text
    assert parsed.value is False


@pytest.mark.parametrize(
    "text",
    ["", "maybe", "not sure", "yes no", "yes, I don't", "nope, sure", "perhaps", "thanks", "ja"],
)
def test_neither(text: str) -> None:
    parsed = parse(BOOLEAN, text, settings())
    assert not parsed.ok
    assert parsed.error == ERROR


@pytest.mark.parametrize(
    ("locale", "text", "value"),
    [
        ("de-DE", "ja", True),
        ("de-DE", "nein danke", False),
        ("de-DE", "yes", True),  # English is understood everywhere
        ("fr-FR", "oui", True),
        ("fr-FR", "non merci", False),
        ("es-ES", "si", True),
        ("it-IT", "no", False),
    ],
)
def test_bot_language(locale: str, text: str, value: bool) -> None:
    assert parse(BOOLEAN, text, settings(locale)).value is value


def test_find_never_guesses_a_boolean() -> None:
    assert find(BOOLEAN, "yes create a lead", settings()) is None


@pytest.mark.parametrize(
    ("value", "result"), [(True, True), (False, False), ("yes", True), ("no", False)]
)
def test_recheck(value: object, result: bool) -> None:
    assert recheck(BOOLEAN, value, settings()).value is result


@pytest.mark.parametrize("value", [1, 0, "maybe", None, [True]])
def test_recheck_rejects(value: object) -> None:
    parsed = recheck(BOOLEAN, value, settings())
    assert not parsed.ok
    assert parsed.error == ERROR


@pytest.mark.parametrize(
    "text",
    [
        "skip",
        "Skip!",
        "SKIP IT",
        "skip this",
        "none",
        "None.",
        "n/a",
        "N/A",
        "na",
        "nothing",
        "not applicable",
        "-",
    ],
)
def test_skip_words(text: str) -> None:
    assert is_skip(text)


@pytest.mark.parametrize(
    "text",
    ["", "no", "no thanks", "nope", "skipper", "none of your business", "bob@example.com", "0"],
)
def test_not_skip_words(text: str) -> None:
    assert not is_skip(text)
