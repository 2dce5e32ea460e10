"""One rule for "did you mean ...?": typos are suggested, words that merely share letters not."""

from __future__ import annotations

import pytest

from runtime.suggestions import closest, did_you_mean


@pytest.mark.parametrize(
    ("typed", "choices", "meant"),
    [
        ("ulr", ["label", "url", "value"], "url"),  # two letters swapped, in a short word
        ("cmr", ["crm", "sales"], "crm"),
        ("colr", ["colour", "size"], "colour"),  # letters left out
        ("promt", ["prompt", "entity"], "prompt"),
        ("hodl", ["hold", "ask", "discard", "never"], "hold"),
        ("secret", ["user", "vars", "entities"], None),  # shares letters, is no typo
        ("x", ["b", "c"], None),  # one letter is not a typo of another
        ("goto", ["when", "to"], None),
        ("", ["a"], None),
        (3, ["3"], None),  # not a word
    ],
)
def test_typos_are_suggested_and_strangers_are_not(typed, choices, meant) -> None:
    assert closest(typed, choices) == meant


def test_the_suggestion_is_written_as_the_caller_shows_names() -> None:
    assert did_you_mean("nevr", ["never"]) == "did you mean 'never'?"
    assert did_you_mean("colr", ["colour"], shown=lambda c: f"`{c}`") == "did you mean `colour`?"
    assert did_you_mean("zzz", ["never"]) == ""
