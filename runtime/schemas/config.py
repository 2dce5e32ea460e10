"""The JSON Schema of config.yaml, made by running config.yaml's own readers (every section,
and every installed integration's) over probe values and noting what they ask for
(`runtime.config.keys`).

A first read of an empty file finds the sections; each round then gives every section and every
mapping found so far a probe entry, so that readers that look inside (a profile of
`auth_profiles`, a small-talk answer written as a mapping, an integration read only when it is
written) show their keys too, until a round finds nothing new.

``${NAME}`` is filled in before config.yaml is checked, so wherever the readers take a number,
true/false or a choice, the schema also takes a text holding ``${``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from runtime.config.keys import Key, KeyRecorder
from runtime.config.reader import read_config
from runtime.config.yaml_tree import Item

Schema = dict[str, Any]

ANY_NAME = "*"  # the probe entry of a mapping whose keys the author chooses
_PROBE = "\x00probe"  # a key no reader knows: makes a section non-empty
_MAX_ROUNDS = 10

ENV: Schema = {"type": "string", "pattern": r"\$\{"}
_SCALAR = ["string", "number", "boolean"]
_WHOLE_TEXT = r"^\s*[+-]?\d+\s*$"
_NUMBER_TEXT = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
_FLAG_WORDS = ("true", "false", "yes", "no", "on", "off")


def recorded_keys() -> dict[str, Key]:
    """Every key path the readers ask for (`auth_profiles.*.client_id`), with how."""
    probed: dict[str, str] = {}  # path: its kind, section, mapping or any
    first: dict[str, Key] = {}
    for _ in range(_MAX_ROUNDS):
        recorder = KeyRecorder()
        read_config(_probe_tree(probed), Path("."), recorder)
        first = first or recorder.keys
        inside = {
            path: key.kind
            for path, key in recorder.keys.items()
            if key.kind in ("section", "mapping", "any") and _PROBE not in path
        }
        if inside.keys() <= probed.keys():
            keys = {path: key for path, key in recorder.keys.items() if _PROBE not in path}
            return _when_written(keys, first)
        probed |= inside
    raise RuntimeError("config.yaml's readers kept asking for new keys")  # pragma: no cover


def _when_written(keys: dict[str, Key], first: dict[str, Key]) -> dict[str, Key]:
    """Marks the sections whose reader asks for nothing while they are absent or empty (as in
    the first read, of an empty file) and for keys once written: their required keys are
    required only when the section is written with something in it."""
    return {
        path: dataclasses.replace(key, only_when_written=True)
        if key.kind == "section"
        and path in first
        and path != ""
        and not _children(first, path)
        and _children(keys, path)
        else key
        for path, key in keys.items()
    }


def _probe_tree(probed: dict[str, str]) -> Item:
    """config.yaml with a probe in each of `probed`: a key no reader knows in a section (so
    that it is not empty), an entry named `ANY_NAME` in a mapping."""
    root = _probe("section")
    for path in sorted(probed, key=lambda p: p.count(".")):
        at = root
        parts = path.split(".") if path else []
        for depth, name in enumerate(parts, 1):
            parent = ".".join(parts[:depth])
            at = at.value.setdefault(name, _probe(probed.get(parent, "section")))
        if probed[path] == "mapping":
            at.value = {ANY_NAME: _probe("section")}
    return root


def _probe(kind: str) -> Item:
    if kind == "mapping":
        return Item({ANY_NAME: _probe("section")}, 1)
    return Item({_PROBE: Item("probe", 1, "probe")}, 1)


def config_schema() -> Schema:
    keys = recorded_keys()
    top = _object(keys, "", any_value=False)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Parley config.yaml",
        "description": "A bot's settings (docs/configuration.md)",
        **top,
    }


def _children(keys: dict[str, Key], path: str) -> dict[str, Key]:
    """The keys directly under `path`, by name."""
    prefix = f"{path}." if path else ""
    names = {p: p[len(prefix) :] for p in keys if p and p.startswith(prefix)}
    return {name: keys[p] for p, name in names.items() if name and "." not in name}


def _object(keys: dict[str, Key], path: str, *, any_value: bool) -> Schema:
    """The keys asked for under `path`, and no other."""
    children = _children(keys, path)
    named = {name: key for name, key in children.items() if name != ANY_NAME}
    schema: Schema = {} if any_value else {"type": ["object", "null"]}
    schema["properties"] = {
        name: _key(keys, f"{path}.{name}" if path else name, key) for name, key in named.items()
    }
    schema["additionalProperties"] = False
    required = [name for name, key in named.items() if key.required]
    if required and keys[path].only_when_written:
        schema["if"] = {"type": "object", "minProperties": 1}
        schema["then"] = {"required": required}
    elif required:
        schema["required"] = required
    return schema


def _key(keys: dict[str, Key], path: str, key: Key) -> Schema:
    schema = _value(keys, path, key)
    if key.default not in (None, "") and not key.secret:
        schema["default"] = key.default
    return schema


def _value(keys: dict[str, Key], path: str, key: Key) -> Schema:
    match key.kind:
        case "section":
            return _object(keys, path, any_value=False)
        case "mapping":
            entries = _children(keys, path)
            if ANY_NAME in entries:  # a mapping of named sections: auth_profiles
                inner = _value(keys, f"{path}.{ANY_NAME}", entries[ANY_NAME])
                return {"type": ["object", "null"], "additionalProperties": inner}
            return {"type": ["object", "null"]}
        case "any":
            if _children(keys, path):  # read by hand: a value, or a mapping of these keys
                return {"not": {"type": "array"}} | _object(keys, path, any_value=True)
            return {}
        case "text":
            return {"type": _SCALAR if key.required else [*_SCALAR, "null"]}
        case "url":
            return {"type": ["string", "null"], "pattern": r"^(https?://\S|.*\$\{)"}
        case "whole":
            return _or_text(_bounded("integer", key), _WHOLE_TEXT)
        case "number":
            return _or_text(_bounded("number", key), _NUMBER_TEXT)
        case "flag":
            return _or_text({"type": "boolean"}, _any_case(_FLAG_WORDS))
        case "choice":
            return {"anyOf": [{"enum": list(key.choices)}, ENV]}
        case "texts":
            one = {"type": _SCALAR, "minLength": 1}
            return {"anyOf": [one, {"type": "array", "items": one}, {"type": "null"}]}
    raise ValueError(f"no schema for a key read as {key.kind!r}")  # a new Section method


def _bounded(kind: str, key: Key) -> Schema:
    schema: Schema = {"type": kind}
    if key.low is not None:
        schema["exclusiveMinimum" if key.above_low else "minimum"] = key.low
    if key.high is not None:
        schema["maximum"] = key.high
    return schema


def _or_text(schema: Schema, written: str) -> Schema:
    """`schema`, or the same value written as text (as from the environment), or ``${...}``."""
    return {"anyOf": [schema, {"type": "string", "pattern": written}, ENV, {"type": "null"}]}


def _any_case(words: tuple[str, ...]) -> str:
    spelled = ("".join(f"[{c.upper()}{c.lower()}]" for c in word) for word in words)
    return r"^\s*(" + "|".join(spelled) + r")\s*$"
