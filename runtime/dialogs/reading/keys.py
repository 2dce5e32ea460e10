"""The keys each part of a dialog file may have, and the shapes of its names."""

from __future__ import annotations

import re

from runtime.dialogs.model import NodeKind

FILE_KEYS = (
    "dialog",
    "description",
    "intents",
    "not_intents",
    "synonyms",
    "interruptions",
    "amend_words",
    "start",
    "nodes",
)
COMMON_KEYS = ("id", "type", "next", "set")
KIND_KEYS: dict[NodeKind, tuple[str, ...]] = {
    NodeKind.ENTITY: (
        "entity",
        "entity_type",
        "prompt",
        "error_prompt",
        "retries",
        "on_failure",
        "optional",
        "validate",
        "values",
        "pattern",
        "extract",
        "interruptions",
        "amend_words",
        "buttons",
    ),
    NodeKind.MESSAGE: ("text", "messages", "buttons", "cards"),
    NodeKind.SERVICE: (
        "request",
        "auth",
        "on_error",
        "on_auth_failure",
        "progress",
        "verify",
        "on_unknown",
        "idempotency_key",
    ),
}
REQUEST_KEYS = ("method", "url", "headers", "query", "json", "json_drop_nulls", "timeout")
VERIFY_KEYS = (*REQUEST_KEYS, "found", "response")
IDEMPOTENCY_KEYS = ("header", "value")
BUTTON_KEYS = ("label", "value", "url")
CARDS_KEYS = ("items", "title", "subtitle", "fields", "buttons")
ONLY_FOR_ENTITY_TYPE = {"values": "list", "pattern": "regex"}

ID = re.compile(r"[a-z][a-z0-9_]*\Z")
NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")

# What a missing required key is for, after "X needs `key`".
NEEDED = {
    "prompt": ", the question that asks for the value",
    "text": ", the message to send",
    "url": ", the address to call",
    "label": ", the text shown on the button",
    "value": ", the value itself",
    "error": ", the text said when the value fails `when`",
}
