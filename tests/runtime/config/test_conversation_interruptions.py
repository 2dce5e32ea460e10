"""conversation.interrupt_threshold, .interruptions and .max_held: what another dialog's message
does while an entity node waits (conversation.md, "Changing the subject")."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime.config import Config, ConversationConfig
from runtime.dialogs.model import INTERRUPTIONS

Load = Callable[..., Config]
Problems = Callable[..., list[str]]


def test_the_defaults(load: Load) -> None:
    conversation = load("bot: {name: x}\n").conversation
    assert (
        conversation.interrupt_threshold,
        conversation.interruptions,
        conversation.max_held,
    ) == (85.0, "hold", 3)
    assert conversation == ConversationConfig()


def test_written_values_are_read(load: Load) -> None:
    conversation = load(
        """\
        conversation:
          interrupt_threshold: 92.5
          interruptions: discard
          max_held: 0
        """
    ).conversation
    assert (
        conversation.interrupt_threshold,
        conversation.interruptions,
        conversation.max_held,
    ) == (92.5, "discard", 0)


@pytest.mark.parametrize("word", INTERRUPTIONS)
def test_every_interruptions_word_is_accepted_as_plain_text(load: Load, word: str) -> None:
    interruptions = load(f"conversation: {{interruptions: {word}}}\n").conversation.interruptions
    assert interruptions == word
    assert type(interruptions) is str


def test_values_from_the_environment(load: Load) -> None:
    conversation = load(
        """\
        conversation:
          interrupt_threshold: ${THRESHOLD}
          interruptions: ${INTERRUPTIONS:-ask}
          max_held: ${MAX_HELD}
        """,
        env={"THRESHOLD": "90", "MAX_HELD": "5"},
    ).conversation
    assert (
        conversation.interrupt_threshold,
        conversation.interruptions,
        conversation.max_held,
    ) == (90.0, "ask", 5)


def test_an_unknown_interruptions_value_names_the_allowed_ones(problems: Problems) -> None:
    assert problems("bot: {name: x}\nconversation:\n  interruptions: hodl\n") == [
        "config.yaml:3: conversation.interruptions: expected one of hold, ask, discard, never, "
        "got 'hodl' (did you mean 'hold'?)"
    ]


def test_every_wrong_value_at_its_line(problems: Problems) -> None:
    assert problems(
        """\
        conversation:
          interrupt_threshold: 101
          interruptions: [hold]
          max_held: -1
        """
    ) == [
        "config.yaml:2: conversation.interrupt_threshold: expected a number from 0 to 100, got 101",
        "config.yaml:3: conversation.interruptions: expected one of hold, ask, discard, never, "
        "got a list",
        "config.yaml:4: conversation.max_held: expected a whole number of at least 0, got -1",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interrupt_threshold: high", "expected a number, got 'high'"),
        ("max_held: 1.5", "expected a whole number, got '1.5'"),
        ("max_held: two", "expected a whole number, got 'two'"),
    ],
)
def test_wrong_types(problems: Problems, text: str, message: str) -> None:
    [found] = problems(f"conversation:\n  {text}\n")
    key = text.split(":")[0]
    assert found == f"config.yaml:2: conversation.{key}: {message}"


def test_a_misspelt_key_is_unknown_with_a_suggestion(problems: Problems) -> None:
    [found] = problems("conversation:\n  max_hold: 2\n")
    assert found == "config.yaml:2: conversation.max_hold: unknown key (did you mean 'max_held'?)"
