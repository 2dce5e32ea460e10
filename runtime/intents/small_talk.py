"""Small talk: greetings, thanks, goodbyes and requests for help, each answered in one message.

These are not dialogs: they start nothing. The matcher learns them from the utterances below
(plus any an author adds under ``conversation.small_talk``), beside the dialogs' intents, so
that "hi" is a greeting and not a poor match for some dialog. Help answers with a heading and
one button per dialog.
"""

from __future__ import annotations

from dataclasses import dataclass

GREETING, THANKS, GOODBYE, HELP = "greeting", "thanks", "goodbye", "help"
KINDS = (GREETING, THANKS, GOODBYE, HELP)

DEFAULT_TEXTS = {
    GREETING: "Hello! What can I do for you?",
    THANKS: "You're welcome.",
    GOODBYE: "Goodbye! Come back any time.",
    HELP: "Here is what I can do:",
}

DEFAULT_UTTERANCES = {
    GREETING: (
        "hi",
        "hello",
        "hey",
        "hiya",
        "howdy",
        "good morning",
        "good afternoon",
        "good evening",
        "hello there",
        "hi bot",
        "hey bot",
        "greetings",
        "yo",
        "how are you",
        "how's it going",
    ),
    THANKS: (
        "thanks",
        "thank you",
        "thanks a lot",
        "thank you so much",
        "many thanks",
        "cheers",
        "thx",
        "ty",
        "much appreciated",
        "great thanks",
        "perfect thank you",
    ),
    GOODBYE: (
        "bye",
        "goodbye",
        "see you",
        "see you later",
        "bye bye",
        "good night",
        "talk to you later",
        "that's all",
        "that is all for today",
        "i'm done",
        "later",
        "farewell",
    ),
    HELP: (
        "help",
        "help me",
        "what can you do",
        "what do you do",
        "what are you able to do",
        "what can i ask you",
        "what can i do here",
        "how does this work",
        "how do i use this",
        "what are my options",
        "show me what you can do",
        "menu",
        "options",
        "commands",
        "i need help",
        "what are you for",
    ),
}


@dataclass(frozen=True, slots=True)
class SmallTalkReply:
    """One kind of small talk: what the bot answers, and extra phrasings that ask for it."""

    kind: str
    text: str
    utterances: tuple[str, ...] = ()  # in addition to DEFAULT_UTTERANCES[kind]
    enabled: bool = True

    def all_utterances(self) -> tuple[str, ...]:
        return DEFAULT_UTTERANCES[self.kind] + self.utterances


def default_small_talk() -> tuple[SmallTalkReply, ...]:
    return tuple(SmallTalkReply(kind, DEFAULT_TEXTS[kind]) for kind in KINDS)
