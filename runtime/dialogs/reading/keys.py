"""The keys each part of a dialog file may have, the shape of each value, and the shapes of
its names."""

from __future__ import annotations

import re

from runtime.dialogs.model import ENTITY_TYPES, INTERRUPTIONS, METHODS, NodeKind
from runtime.dialogs.reading.shapes import (
    AnyOf,
    Assignments,
    Branches,
    Expression,
    Fields,
    Flag,
    Json,
    ListOf,
    MapOf,
    Name,
    NodeRef,
    Nodes,
    OneOf,
    Patterns,
    ProfileRef,
    Seconds,
    Shape,
    Text,
    TextMap,
    Texts,
    WholeNumber,
    Words,
)

ID = re.compile(r"[a-z][a-z0-9_]*\Z")
NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")

# Every key of each part of a dialog file with the shape of its value (shapes.py). The reader
# allows exactly these keys; runtime.schemas.dialog makes the JSON Schema from the same tables.
_ID = Name(ID.pattern.removesuffix("\\Z"), "create_lead")
_NAME = Name(NAME.pattern.removesuffix("\\Z"), "last_name")
BUTTON_FIELDS = {"label": Text(), "value": Text(), "url": Text()}
_BUTTONS = ListOf(AnyOf((Text(), Fields(BUTTON_FIELDS, required=("label",)))), non_empty=False)
BRANCH_FIELDS = {"when": Expression(), "to": NodeRef()}
VALIDATE_FIELDS = {"when": Expression(), "error": Text()}
LIST_VALUE_FIELDS = {"value": Text(), "synonyms": Texts()}
REQUEST_FIELDS = {
    "method": OneOf(METHODS, ignore_case=True),
    "url": Text(),
    "headers": TextMap(empty_ok=True),
    "query": TextMap(empty_ok=True),
    "json": Json(),
    "json_drop_nulls": Flag(),
    "timeout": Seconds(),
}
VERIFY_FIELDS = {**REQUEST_FIELDS, "found": Expression(), "response": Json()}
IDEMPOTENCY_FIELDS = {"header": Text(), "value": Text()}
CARDS_FIELDS = {
    "items": Expression(),
    "title": Text(),
    "subtitle": Text(),
    "fields": TextMap(),
    "buttons": _BUTTONS,
}

FILE_FIELDS: dict[str, Shape] = {
    "dialog": _ID,
    "description": Text(empty_ok=True),
    "intents": Texts(),
    "not_intents": Texts(),
    "synonyms": MapOf(AnyOf((Text(), ListOf(Text(), non_empty=False)))),
    "interruptions": OneOf(INTERRUPTIONS),
    "amend_words": MapOf(Words()),
    "start": NodeRef(end_ok=False),
    "nodes": Nodes(),
}
COMMON_FIELDS: dict[str, Shape] = {
    "id": _ID,
    "type": OneOf(tuple(NodeKind)),
    "next": Branches(Fields(BRANCH_FIELDS, required=("to",))),
    "set": Assignments(r"(entities\.)?[a-z_][a-z0-9_]*"),
}
KIND_FIELDS: dict[NodeKind, dict[str, Shape]] = {
    NodeKind.ENTITY: {
        "entity": _NAME,
        "entity_type": OneOf(ENTITY_TYPES),
        "prompt": Text(),
        "error_prompt": Texts(single_ok=True),
        "retries": WholeNumber(),
        "on_failure": NodeRef(),
        "optional": Flag(),
        "validate": Fields(VALIDATE_FIELDS, required=("when", "error")),
        "values": ListOf(AnyOf((Text(), Fields(LIST_VALUE_FIELDS, required=("value",))))),
        "pattern": Text(),
        "extract": Patterns(),
        "interruptions": OneOf(INTERRUPTIONS),
        "amend_words": Words(),
        "buttons": _BUTTONS,
    },
    NodeKind.MESSAGE: {
        "text": Text(),
        "messages": Texts(),
        "buttons": _BUTTONS,
        "cards": Fields(CARDS_FIELDS, required=("items", "title")),
    },
    NodeKind.SERVICE: {
        "request": Fields(REQUEST_FIELDS, required=("url",)),
        "auth": ProfileRef(),
        "on_error": NodeRef(),
        "on_auth_failure": NodeRef(),
        "progress": Text(),
        "verify": Fields(VERIFY_FIELDS, required=("url", "found")),
        "on_unknown": NodeRef(),
        "idempotency_key": AnyOf((Text(), Fields(IDEMPOTENCY_FIELDS, required=("value",)))),
    },
}
# What each node kind needs besides `id` and `type`: one key of each group.
KIND_NEEDS: dict[NodeKind, tuple[tuple[str, ...], ...]] = {
    NodeKind.ENTITY: (("prompt",),),
    NodeKind.MESSAGE: (("text", "messages", "cards"),),
    NodeKind.SERVICE: (("request",),),
}

FILE_KEYS = tuple(FILE_FIELDS)
COMMON_KEYS = tuple(COMMON_FIELDS)
KIND_KEYS: dict[NodeKind, tuple[str, ...]] = {k: tuple(f) for k, f in KIND_FIELDS.items()}
REQUEST_KEYS = tuple(REQUEST_FIELDS)
VERIFY_KEYS = tuple(VERIFY_FIELDS)
IDEMPOTENCY_KEYS = tuple(IDEMPOTENCY_FIELDS)
BUTTON_KEYS = tuple(BUTTON_FIELDS)
CARDS_KEYS = tuple(CARDS_FIELDS)
BRANCH_KEYS = tuple(BRANCH_FIELDS)
VALIDATE_KEYS = tuple(VALIDATE_FIELDS)
LIST_VALUE_KEYS = tuple(LIST_VALUE_FIELDS)
ONLY_FOR_ENTITY_TYPE = {"values": "list", "pattern": "regex"}

# What a missing required key is for, after "X needs `key`".
NEEDED = {
    "prompt": ", the question that asks for the value",
    "text": ", the message to send",
    "url": ", the address to call",
    "label": ", the text shown on the button",
    "value": ", the value itself",
    "error": ", the text said when the value fails `when`",
}
