"""conversation: words that cancel or restart, thresholds, interruptions, limits (message length,
rate), and the small-talk answers."""

from __future__ import annotations

import dataclasses

from runtime.config.model import ConversationConfig, RateLimit
from runtime.config.section import Section, as_flag, section
from runtime.dialogs.model import Interruption
from runtime.intents.small_talk import DEFAULT_TEXTS, KINDS, SmallTalkReply
from runtime.intents.synonyms import normalise_phrase

MAX_RATE_WINDOW = 86400.0  # seconds: a day
_SMALL_TALK_VALUE = "a string, false, or a mapping with text and utterances"


def read_conversation(top: Section) -> ConversationConfig:
    default = ConversationConfig()
    with top.section("conversation") as s:
        cancel = s.texts("cancel_words", default.cancel_words)
        restart = s.texts("restart_words", default.restart_words)
        return ConversationConfig(
            cancel_words=tuple(w.strip().lower() for w in cancel),
            restart_words=tuple(w.strip().lower() for w in restart),
            intent_threshold=s.number("intent_threshold", default.intent_threshold, 0, 100),
            interrupt_threshold=s.number(
                "interrupt_threshold", default.interrupt_threshold, 0, 100
            ),
            interruptions=s.choice(
                "interruptions", Interruption, Interruption(default.interruptions)
            ).value,
            max_held=s.whole("max_held", default.max_held, 0),
            max_message_chars=s.whole("max_message_chars", default.max_message_chars, 1),
            rate_limit=_rate_limit(s),
            state_ttl_days=s.whole("state_ttl_days", default.state_ttl_days, 0),
            small_talk=_small_talk(s),
            greeting=s.text("greeting", "").strip() or None,
        )


def _rate_limit(conversation: Section) -> RateLimit:
    """`rate_limit: {messages: N, per_seconds: T}`; a key not written keeps its default."""
    default = RateLimit()
    with conversation.section("rate_limit") as s:
        messages = s.whole("messages", default.messages, 1)
        per_seconds = s.number(
            "per_seconds", default.per_seconds, 0, MAX_RATE_WINDOW, above_low=True
        )
    return RateLimit(messages=messages, per_seconds=per_seconds)


def _small_talk(conversation: Section) -> tuple[SmallTalkReply, ...]:
    """One reply per kind, in KINDS order; a kind not written keeps its default."""
    with conversation.section("small_talk") as s:
        return tuple(_reply(s, kind) for kind in KINDS)


def _reply(s: Section, kind: str) -> SmallTalkReply:
    """`kind: TEXT`, `kind: false` (off) or `kind: {text: TEXT, utterances: [...]}`."""
    default = SmallTalkReply(kind, DEFAULT_TEXTS[kind])
    item = s.get(kind)
    if item is None:
        return default
    flag = as_flag(item)
    if flag is not None:
        return default if flag else dataclasses.replace(default, enabled=False)
    if isinstance(item.value, list):
        s.wrong(kind, item, _SMALL_TALK_VALUE)
        return default
    if not isinstance(item.value, dict):
        return dataclasses.replace(default, text=item.text.strip() or default.text)
    with section(s.report, item, s.key_path(kind), item.line) as inner:
        text = inner.text("text", default.text).strip() or default.text
        phrasings = (normalise_phrase(u) for u in inner.texts("utterances", ()))
        utterances = tuple(dict.fromkeys(u for u in phrasings if u))
    return SmallTalkReply(kind, text, utterances)
