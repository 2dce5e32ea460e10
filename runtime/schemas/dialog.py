"""The JSON Schema of dialog files, made from the reader's own key tables
(`runtime.dialogs.reading.keys`): each key's shape becomes its schema.

What a schema cannot see (a `to` naming a node that exists, an intent listed twice, a template
that does not compile) is left to `parley validate`; what it does reject, the reader rejects too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from runtime.dialogs.model import END, METHODS, UNSAFE_METHODS, NodeKind
from runtime.dialogs.reading.extract import PLACEHOLDER
from runtime.dialogs.reading.keys import (
    COMMON_FIELDS,
    FILE_FIELDS,
    KIND_FIELDS,
    KIND_NEEDS,
    ONLY_FOR_ENTITY_TYPE,
)
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

Schema = dict[str, Any]

NOT_BLANK = r"\S"
_TEXT: Schema = {"type": ["string", "number"], "pattern": NOT_BLANK}
_WORD: Schema = {"type": "string", "pattern": NOT_BLANK}


def dialog_schema() -> Schema:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Parley dialog file",
        "description": "A dialog task: entity, service and message nodes (docs/dialog-language.md)",
        "type": "object",
        "properties": _properties(FILE_FIELDS),
        "required": ["dialog", "nodes"],
        "additionalProperties": False,
        "definitions": {"node": _node()},
    }


def shape_schema(shape: Shape) -> Schema:
    """The schema of one value of `shape`."""
    match shape:
        case Text(empty_ok=True):
            return {"type": ["string", "number"]}
        case Text():
            return dict(_TEXT)
        case Texts(single_ok=single_ok):
            many: Schema = {"type": "array", "items": _TEXT, "minItems": 1}
            return {"anyOf": [_TEXT, many]} if single_ok else many
        case Expression():
            return {"type": ["string", "number", "boolean"], "pattern": NOT_BLANK}
        case NodeRef(end_ok=end_ok):
            ref: Schema = {"type": "string", "minLength": 1}
            return ref if end_ok else ref | {"not": {"const": END}}
        case ProfileRef():
            return {"type": "string", "minLength": 1}
        case Name(pattern=pattern, example=example):
            return {"type": "string", "pattern": f"^{pattern}$", "examples": [example]}
        case WholeNumber():
            return {"type": "integer", "minimum": 0}
        case Seconds():
            return {"type": "number", "exclusiveMinimum": 0}
        case Flag():
            return {"type": "boolean"}
        case OneOf(choices=choices, ignore_case=True):
            return {"type": "string", "pattern": _any_case(choices), "examples": list(choices)}
        case OneOf(choices=choices):
            return {"enum": list(choices)}
        case Words():
            return {"anyOf": [_WORD, {"type": "array", "items": _WORD, "minItems": 1}]}
        case TextMap(empty_ok=empty_ok):
            value = {"type": ["string", "number"]} if empty_ok else _TEXT
            return {"type": "object", "additionalProperties": value}
        case Json():
            return {}
        case Fields(keys=keys, required=required):
            fields: Schema = {
                "type": "object",
                "properties": _properties(keys),
                "additionalProperties": False,
            }
            return fields | ({"required": list(required)} if required else {})
        case ListOf(item=item, non_empty=non_empty):
            items = {"type": "array", "items": shape_schema(item)}
            return items | ({"minItems": 1} if non_empty else {})
        case MapOf(value=value, null_ok=null_ok):
            kinds = ["object", "null"] if null_ok else "object"
            return {"type": kinds, "additionalProperties": shape_schema(value)}
        case AnyOf(shapes=shapes):
            return {"anyOf": [shape_schema(s) for s in shapes]}
        case Branches(branch=branch):
            branches = {"type": "array", "items": shape_schema(branch), "minItems": 1}
            return {"anyOf": [shape_schema(NodeRef()), branches]}
        case Assignments(name_pattern=pattern):
            return {
                "type": "object",
                "propertyNames": {"pattern": f"^{pattern}$"},
                "additionalProperties": {"anyOf": [shape_schema(Expression()), {"type": "null"}]},
            }
        case Patterns():
            one = {"type": "string", "pattern": r"\{" + PLACEHOLDER + r"(:[a-z]+)?\}\s*$"}
            many = {"type": "array", "items": one, "minItems": 1}
            return {"anyOf": [{"const": False}, one, many]}
        case Nodes():
            return {"type": "array", "items": {"$ref": "#/definitions/node"}, "minItems": 1}
    raise TypeError(f"no schema for the shape {shape!r}")  # a new shape needs a case above


def _properties(fields: Mapping[str, Shape]) -> Schema:
    return {key: shape_schema(shape) for key, shape in fields.items()}


def _any_case(words: tuple[str, ...]) -> str:
    """A pattern matching any of `words` in any mix of cases (JSON Schema has no flags)."""
    spelled = (
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)
        for word in words
    )
    return "^(" + "|".join(spelled) + ")$"


def _node() -> Schema:
    """A node: `id` and `type`, then the keys of its kind and no other."""
    common = _properties(COMMON_FIELDS)
    common["id"] = {**common["id"], "not": {"const": END}}
    kinds = []
    for kind, fields in KIND_FIELDS.items():
        then: Schema = {
            "properties": common | _properties(fields),
            "additionalProperties": False,
            "allOf": _needs(kind),
        }
        is_kind = {"properties": {"type": {"const": kind.value}}, "required": ["type"]}
        kinds.append({"if": is_kind, "then": then})
    return {
        "type": "object",
        "required": ["id", "type"],
        "properties": common,
        "allOf": kinds,
    }


def _needs(kind: NodeKind) -> list[Schema]:
    """What a node of `kind` must have, and the keys that go only with another key's value."""
    needs: list[Schema] = [
        {"required": list(group)}
        if len(group) == 1
        else {"anyOf": [{"required": [k]} for k in group]}
        for group in KIND_NEEDS[kind]
    ]
    if kind is NodeKind.ENTITY:
        for key, entity_type in ONLY_FOR_ENTITY_TYPE.items():
            is_type = {
                "properties": {"entity_type": {"const": entity_type}},
                "required": ["entity_type"],
            }
            needs.append({"if": {"required": [key]}, "then": is_type})
            needs.append({"if": is_type, "then": {"required": [key]}})
    if kind is NodeKind.MESSAGE:
        needs.append({"not": {"required": ["text", "messages"]}})
    if kind is NodeKind.SERVICE:
        get = {"pattern": _any_case(("GET",))}
        unsafe = {"pattern": _any_case(tuple(m for m in METHODS if m in UNSAFE_METHODS))}
        # `verify` checks a call with a side effect: the request's method is not GET (the
        # default); verify's own request changes nothing, so it is no POST or PATCH.
        changes = {"required": ["method"], "properties": {"method": {"not": get}}}
        needs.append({"if": {"required": ["verify"]}, "then": {"properties": {"request": changes}}})
        needs.append({"properties": {"verify": {"properties": {"method": {"not": unsafe}}}}})
    return needs
