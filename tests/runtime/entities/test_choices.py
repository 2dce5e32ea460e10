"""The list type: a canonical value, by value or synonym, forgiving case and small typos."""

from __future__ import annotations

import pytest

from runtime.dialogs.model import ListValue
from runtime.entities import EntitySpec, find, parse, recheck
from tests.runtime.entities.conftest import settings

STATUS = EntitySpec(
    "list",
    values=(
        ListValue("New"),
        ListValue("Working", ("in progress", "wip")),
        ListValue("Qualified", ("hot",)),
        ListValue("Unqualified", ("cold", "dead")),
        ListValue("Closed Won"),
        ListValue("Closed Lost"),
    ),
)
ERROR = "Please choose one of: New, Working, Qualified, Unqualified, Closed Won, Closed Lost."


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("New", "New"),
        ("new", "New"),
        ("NEW", "New"),
        ("  qualified!  ", "Qualified"),
        ("Qualified.", "Qualified"),
        ("hot", "Qualified"),
        ("HOT", "Qualified"),
        ("in progress", "Working"),
        ("it is in progress", "Working"),
        ("WIP", "Working"),
        ("closed won", "Closed Won"),
        ("Closed - Won", "Closed Won"),
        ("closed-lost", "Closed Lost"),
        ("it's qualified", "Qualified"),
        ("qualifed", "Qualified"),
        ("Qualifid", "Qualified"),
        ("unqualifed", "Unqualified"),
        ("wrking", "Working"),
        ("workign", "Working"),
        ("closd lost", "Closed Lost"),
        ("its qualifed now", "Qualified"),
    ],
)
def test_accepted(text: str, value: str) -> None:
    parsed = parse(STATUS, text, settings())
    assert parsed.ok, text
    assert parsed.value == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "banana",
        "now",  # one letter from "new", but a three-letter word must be exact
        "nwe",
        "closed",  # won or lost?
        "won",
        "qualified or unqualified",
        "qualify",
        "warm",
    ],
)
def test_rejected_with_the_allowed_values(text: str) -> None:
    parsed = parse(STATUS, text, settings())
    assert not parsed.ok
    assert parsed.error == ERROR


def test_a_typo_equally_close_to_two_values_is_not_guessed() -> None:
    spec = EntitySpec("list", values=(ListValue("Silver"), ListValue("Sliver")))
    assert parse(spec, "Silver", settings()).value == "Silver"
    assert not parse(spec, "Slver", settings()).ok


def test_values_without_synonyms_and_accents() -> None:
    spec = EntitySpec("list", values=(ListValue("Café"), ListValue("Thé")))
    assert parse(spec, "café", settings()).value == "Café"
    assert parse(spec, "CAFÉ", settings()).value == "Café"
    assert parse(spec, "cafe", settings()).value == "Café"


@pytest.mark.parametrize(
    ("utterance", "value"),
    [
        ("create a lead that is qualified", "Qualified"),
        ("mark it closed won", "Closed Won"),
        ("log a deal in progress", "Working"),
        ("add a cold lead", "Unqualified"),
    ],
)
def test_find_whole_words(utterance: str, value: str) -> None:
    assert find(STATUS, utterance, settings()) == value


@pytest.mark.parametrize(
    "utterance",
    [
        "create a lead",
        "create a new lead",  # too short and too common to count
        "a hot lead",
        "create a qualifed lead",  # a typo is a guess: never in a request
        "is it qualified or unqualified",
        "close the deal",
    ],
)
def test_find_no_false_positives(utterance: str) -> None:
    assert find(STATUS, utterance, settings()) is None


@pytest.mark.parametrize(
    ("value", "result"),
    [("Qualified", "Qualified"), ("qualified", "Qualified"), ("hot", "Qualified")],
)
def test_recheck(value: str, result: str) -> None:
    assert recheck(STATUS, value, settings()).value == result


@pytest.mark.parametrize("value", ["Banana", 3, True, None])
def test_recheck_rejects(value: object) -> None:
    parsed = recheck(STATUS, value, settings())
    assert not parsed.ok
    assert parsed.error == ERROR
