"""conversation.small_talk: the answers to greeting, thanks, goodbye and help."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime.config import Config
from runtime.intents.small_talk import DEFAULT_TEXTS, KINDS, SmallTalkReply, default_small_talk

Load = Callable[..., Config]
Problems = Callable[..., list[str]]


def replies(config: Config) -> dict[str, SmallTalkReply]:
    assert [reply.kind for reply in config.conversation.small_talk] == list(KINDS)
    return {reply.kind: reply for reply in config.conversation.small_talk}


@pytest.mark.parametrize(
    "text",
    [
        "bot: {name: x}\n",
        "conversation: {intent_threshold: 60}\n",
        "conversation:\n  small_talk:\n",
        "conversation:\n  small_talk: {}\n",
        "conversation:\n  small_talk: {greeting: ~, thanks: '', goodbye: true, help: {}}\n",
    ],
)
def test_small_talk_not_written_keeps_every_default(load: Load, text: str) -> None:
    config = load(text)
    assert config.conversation.small_talk == default_small_talk()
    for reply in config.conversation.small_talk:
        assert reply.text == DEFAULT_TEXTS[reply.kind]
        assert reply.enabled and reply.utterances == ()


def test_a_string_replaces_the_answer(load: Load) -> None:
    found = replies(
        load(
            """\
            conversation:
              small_talk:
                greeting: "  Hi! I book demos.  "
                help: ${HELP_HEADING:-Pick one:}
            """
        )
    )
    assert found["greeting"] == SmallTalkReply("greeting", "Hi! I book demos.")
    assert found["help"] == SmallTalkReply("help", "Pick one:")
    assert found["thanks"] == SmallTalkReply("thanks", DEFAULT_TEXTS["thanks"])


def test_false_turns_a_kind_off(load: Load) -> None:
    found = replies(load("conversation:\n  small_talk: {goodbye: false, thanks: off}\n"))
    assert found["goodbye"] == SmallTalkReply("goodbye", DEFAULT_TEXTS["goodbye"], enabled=False)
    assert found["thanks"].enabled is False
    assert found["greeting"].enabled and found["help"].enabled


def test_a_mapping_gives_the_text_and_extra_utterances(load: Load) -> None:
    found = replies(
        load(
            """\
            conversation:
              small_talk:
                help:
                  text: "Here is what I do:"
                  utterances: [what now, "  Show   ME around ", what now]
                thanks:
                  utterances: ta
                goodbye: {text: See you!}
            """
        )
    )
    assert found["help"] == SmallTalkReply(
        "help", "Here is what I do:", ("what now", "show me around")
    )
    assert found["help"].all_utterances()[-2:] == ("what now", "show me around")
    assert found["thanks"] == SmallTalkReply("thanks", DEFAULT_TEXTS["thanks"], ("ta",))
    assert found["goodbye"] == SmallTalkReply("goodbye", "See you!")


def test_intent_threshold_is_still_read_beside_small_talk(load: Load) -> None:
    config = load("conversation:\n  intent_threshold: 55\n  small_talk: {greeting: Yo}\n")
    assert config.conversation.intent_threshold == 55
    assert replies(config)["greeting"].text == "Yo"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "conversation:\n  small_talk: [greeting]\n",
            "config.yaml:2: conversation.small_talk: expected a mapping, got a list",
        ),
        (
            "conversation:\n  small_talk: hello\n",
            "config.yaml:2: conversation.small_talk: expected a mapping, got a string",
        ),
        (
            "conversation:\n  small_talk:\n    greting: Hi\n",
            "config.yaml:3: conversation.small_talk.greting: unknown key "
            "(did you mean 'greeting'?)",
        ),
        (
            "conversation:\n  small_talk:\n    weather: sunny\n",
            "config.yaml:3: conversation.small_talk.weather: unknown key "
            "(known: greeting, thanks, goodbye, help)",
        ),
        (
            "conversation:\n  small_talk:\n    greeting: [Hi, Hello]\n",
            "config.yaml:3: conversation.small_talk.greeting: expected a string, false, "
            "or a mapping with text and utterances, got a list",
        ),
        (
            "conversation:\n  small_talk:\n    greeting: {txt: Hi}\n",
            "config.yaml:3: conversation.small_talk.greeting.txt: unknown key "
            "(did you mean 'text'?)",
        ),
        (
            "conversation:\n  small_talk:\n    help:\n      enabled: false\n",
            "config.yaml:4: conversation.small_talk.help.enabled: unknown key "
            "(known: text, utterances)",
        ),
        (
            "conversation:\n  small_talk:\n    help: {text: [a, b]}\n",
            "config.yaml:3: conversation.small_talk.help.text: expected a string, got a list",
        ),
        (
            "conversation:\n  small_talk:\n    help:\n      utterances: {a: b}\n",
            "config.yaml:4: conversation.small_talk.help.utterances: "
            "expected a list of strings, got a mapping",
        ),
        (
            "conversation:\n  small_talk:\n    help:\n      utterances:\n        - menu please\n"
            "        - [nested]\n",
            "config.yaml:6: conversation.small_talk.help.utterances[1]: "
            "expected a non-empty string, got a list",
        ),
        (
            "conversation:\n  small_talk:\n    greeting: ${GREETING}\n",
            "config.yaml:3: conversation.small_talk.greeting: environment variable GREETING is "
            "not set (write ${GREETING:-default} to give a default)",
        ),
    ],
)
def test_each_mistake_names_its_line_and_key_path(
    problems: Problems, text: str, message: str
) -> None:
    assert problems(text) == [message]


def test_small_talk_is_a_known_key_of_conversation(problems: Problems) -> None:
    assert problems("conversation:\n  smalltalk: {}\n") == [
        "config.yaml:2: conversation.smalltalk: unknown key (did you mean 'small_talk'?)"
    ]
