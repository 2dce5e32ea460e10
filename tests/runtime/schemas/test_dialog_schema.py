"""The JSON Schema of dialog files against the loader: every dialog of the repository and of the
docs passes both; for every key of the loader's tables, a value of the right shape passes both
and a value of the wrong shape fails both; the docs' invalid examples fail the schema too, but
for the mistakes only the whole file shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from runtime.dialogs.loader import load_dialog
from runtime.dialogs.model import NodeKind
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
from runtime.errors import DefinitionError
from runtime.schemas import generate
from tests.docs.test_examples import YAML_BLOCKS, Block, _starts_as_config

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = generate("dialog")
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)

# The repository's dialogs: the demo bot's, every integration's templates, the new bot's.
DIALOG_FILES = sorted(
    [
        *(ROOT / "dialogs").rglob("*.yaml"),
        *(ROOT / "runtime" / "integrations").glob("*/templates/*.yaml"),
        *(ROOT / "runtime" / "scaffold" / "bot" / "dialogs").glob("*.yaml"),
    ]
)

# Invalid docs examples whose mistake needs the whole file, which a schema cannot see.
SCHEMA_BLIND = {
    "nodes 'check' -> 'wait' -> 'check' form a loop that never waits for the user",
}


def schema_errors(data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data)
    ]


def loader_problems(data: Any) -> list[str]:
    try:
        load_dialog(yaml.safe_dump(data, sort_keys=False), "example.yaml")
    except DefinitionError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_the_schema_is_a_draft_7_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_the_repository_has_dialogs_of_every_kind_of_place():
    places = {path.relative_to(ROOT).parts[0:2] for path in DIALOG_FILES}
    assert ("dialogs", "salesforce") in places
    assert ("runtime", "integrations") in places
    assert ("runtime", "scaffold") in places


@pytest.mark.parametrize("path", DIALOG_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_dialog_of_the_repository_passes_the_schema(path: Path):
    data = yaml.safe_load(path.read_text())
    assert loader_problems(data) == []
    assert schema_errors(data) == []


def _docs_dialogs() -> Iterator[Block]:
    for block in YAML_BLOCKS:
        if block.kind == "dialog" or (block.kind == "file" and _is_dialog_file(block.file)):
            yield block


def _is_dialog_file(name: str | None) -> bool:
    return bool(name) and name.startswith("dialogs/") and not name.endswith(".transcript.yaml")


DOCS_DIALOGS = list(_docs_dialogs())
DOCS_INVALID = [b for b in YAML_BLOCKS if b.kind == "invalid" and not _starts_as_config(b.text)]


def test_the_docs_have_dialog_examples_of_each_kind():
    assert len(DOCS_DIALOGS) >= 20
    assert len(DOCS_INVALID) >= 2


@pytest.mark.parametrize("block", DOCS_DIALOGS, ids=lambda b: b.name)
def test_every_dialog_example_of_the_docs_passes_the_schema(block: Block):
    assert schema_errors(yaml.safe_load(block.text)) == []


@pytest.mark.parametrize("block", DOCS_INVALID, ids=lambda b: b.name)
def test_an_invalid_dialog_example_of_the_docs_fails_the_schema(block: Block):
    """tests/docs/test_examples.py checks that the loader rejects it; the schema does too,
    unless its mistake is one that only the whole file shows (SCHEMA_BLIND)."""
    errors = schema_errors(yaml.safe_load(block.text))
    if any(mistake in str(block.invalid) for mistake in SCHEMA_BLIND):
        assert errors == [], "the schema now sees this mistake: take it out of SCHEMA_BLIND"
    else:
        assert errors, f"the schema passes an example the loader rejects: {block.invalid}"


# -- every key of the loader's tables -----------------------------------------------------------


def right(shape: Shape) -> list[Any]:
    """Values of `shape` that the loader accepts (in a node where the key makes sense)."""
    match shape:
        case Text(empty_ok=True):
            return ["words", 42, ""]
        case Text():
            return ["words", 42, "{{ user.id }}"]
        case Texts(single_ok=True):
            return ["words", ["one", "two"]]
        case Texts():
            return [["one", 2]]
        case Expression():
            return ["user.id == 'x'", True, 3]
        case NodeRef(end_ok=end_ok):
            return ["end", "b"] if end_ok else ["b"]
        case ProfileRef():
            return ["salesforce"]
        case Name(example=example):
            return [example]
        case WholeNumber():
            return [0, 5]
        case Seconds():
            return [0.5, 30]
        case Flag():
            return [True, False]
        case OneOf(choices=choices, ignore_case=ignore_case):
            return [*choices, *(c.lower() for c in choices if ignore_case)]
        case Words():
            return ["a word", ["some words", "more"]]
        case TextMap(empty_ok=empty_ok):
            return [{"X-One": "text", "n": 1}, *([{"blank": ""}] if empty_ok else [])]
        case Json():
            return [{"a": [1, None, True, "{{ user.id }}"]}, "text"]
        case Fields(keys=keys, required=required):
            return [{key: right(keys[key])[0] for key in required}]
        case ListOf(item=item, non_empty=non_empty):
            return [right(item)[:2], *([] if non_empty else [[]])]
        case MapOf(value=value):
            return [{"a": right(value)[0]}, None]
        case AnyOf(shapes=shapes):
            return [value for s in shapes for value in right(s)[:1]]
        case Branches():
            return ["end", [{"when": "user.id", "to": "end"}, {"to": "b"}]]
        case Assignments():
            return [{"total": "1 + 2", "cleared": None}]
        case Patterns():
            return [False, "for {value}", ["named {value:first}", "for {value:last}"]]
    raise AssertionError(f"no sample of {shape!r}: add one")


def wrong(shape: Shape) -> list[Any]:
    """Values of `shape`'s key that the loader rejects."""
    match shape:
        case Text():
            return [{"a": 1}, ["a list"]]
        case Texts(single_ok=True):
            return [{"a": 1}, []]
        case Texts():
            return ["one text", [], [{"a": 1}]]
        case Expression():
            return [[], "  ", None]
        case NodeRef(end_ok=end_ok):
            return [42, "", ["a"], *([] if end_ok else ["end"])]
        case ProfileRef():
            return [42, "", ["salesforce"]]
        case Name():
            return ["Not A Name", "9lives", 7]
        case WholeNumber():
            return [-1, "three", 1.5, True]
        case Seconds():
            return [0, -2, "ten"]
        case Flag():
            return ["maybe", 1]
        case OneOf(choices=choices):
            return ["nonsense", choices[0] + "x", 3]
        case Words():
            return [{"a": 1}, [], [""]]
        case TextMap():
            return ["text", {"a": {"b": 1}}, {"a": True}]
        case Json():
            return []  # any YAML is JSON here
        case Fields(keys=keys, required=required):
            missing = [{k: right(keys[k])[0] for k in required if k != gone} for gone in required]
            return ["text", [1], {**right(shape)[0], "unknown_key": 1}, *missing]
        case ListOf(item=item, non_empty=non_empty):
            return ["text", [wrong(item)[0]], *([[]] if non_empty else [])]
        case MapOf(value=value):
            return ["text", {"a": wrong(value)[0]}]
        case AnyOf():
            return [[[1]], {"unknown_key": 1}]
        case Branches(branch=branch):
            return [42, [], [{"when": "x"}], [{"to": "end", "else": 1}], [wrong(branch)[0]]]
        case Assignments():
            return ["text", {"Not-A-Name": "1"}, {"x": []}]
        case Patterns():
            return [True, "no placeholder", [], [3]]
    raise AssertionError(f"no wrong sample of {shape!r}: add one")


BASE_NODES: dict[NodeKind, dict[str, Any]] = {
    NodeKind.ENTITY: {"id": "a", "type": "entity", "prompt": "Which one?"},
    NodeKind.MESSAGE: {"id": "a", "type": "message", "text": "Hello."},
    NodeKind.SERVICE: {
        "id": "a",
        "type": "service",
        "request": {"url": "http://x", "method": "POST"},
    },
}
# Values other keys of the same node need for a key to make sense.
CONTEXT = {"values": {"entity_type": "list"}, "pattern": {"entity_type": "regex"}}
WITHOUT = {"messages": "text"}  # keys that cannot go with the key under test
# Right values that another check of the loader refuses in this place.
NOT_HERE = {
    ("pattern", "{{ user.id }}"),  # a regular expression: braces must be balanced numbers
    ("entity_type", "list"),  # without values
    ("entity_type", "regex"),  # without a pattern
    ("request", "x"),
}


# Every example dialog starts with this node, which the node under test may go back to (a loop
# through a question is allowed).
FIRST = {"id": "b", "type": "entity", "prompt": "Your name?"}


def dialog(node: dict[str, Any], **keys: Any) -> dict[str, Any]:
    return {"dialog": "example", **keys, "nodes": [FIRST, node]}


def node_cases(values: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, fields in KIND_FIELDS.items():
        for key, shape in {**COMMON_FIELDS, **fields}.items():
            if key in ("id", "type"):
                continue
            for value in values(shape):
                if (key, str(value)) in NOT_HERE:
                    continue
                node = {**BASE_NODES[kind], **CONTEXT.get(key, {}), key: value}
                node.pop(WITHOUT.get(key, ""), None)
                yield f"{kind}.{key}={value!r}", dialog(node)


def file_cases(values: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    entity = BASE_NODES[NodeKind.ENTITY]
    for key, shape in FILE_FIELDS.items():
        if key in ("dialog", "nodes"):
            continue
        for value in values(shape):
            yield f"{key}={value!r}", dialog(entity, **{key: value})


RIGHT = [*node_cases(right), *file_cases(right)]
WRONG = [*node_cases(wrong), *file_cases(wrong)]


@pytest.mark.parametrize(("name", "data"), RIGHT, ids=[name for name, _ in RIGHT])
def test_a_right_value_of_every_key_passes_the_loader_and_the_schema(name: str, data: dict):
    assert loader_problems(data) == []
    assert schema_errors(data) == []


@pytest.mark.parametrize(("name", "data"), WRONG, ids=[name for name, _ in WRONG])
def test_a_wrong_value_of_every_key_fails_the_loader_and_the_schema(name: str, data: dict):
    assert loader_problems(data) != []
    assert schema_errors(data) != []


def _invalid_nodes() -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, groups in KIND_NEEDS.items():
        for group in groups:
            node = {k: v for k, v in BASE_NODES[kind].items() if k not in group}
            yield f"{kind} without {' or '.join(group)}", node
    for key, entity_type in ONLY_FOR_ENTITY_TYPE.items():
        yield (
            f"{key} without entity_type {entity_type}",
            {
                **BASE_NODES[NodeKind.ENTITY],
                key: right(KIND_FIELDS[NodeKind.ENTITY][key])[0],
            },
        )
        yield (
            f"entity_type {entity_type} without {key}",
            {
                **BASE_NODES[NodeKind.ENTITY],
                "entity_type": entity_type,
            },
        )
    yield "no type", {"id": "a", "prompt": "Which one?"}
    yield "no id", {"type": "message", "text": "Hello."}
    yield "the id end", {**BASE_NODES[NodeKind.MESSAGE], "id": "end"}
    yield "an unknown type", {**BASE_NODES[NodeKind.MESSAGE], "type": "mesage"}
    yield "a key of another type", {**BASE_NODES[NodeKind.MESSAGE], "prompt": "Which one?"}
    yield "text and messages", {**BASE_NODES[NodeKind.MESSAGE], "messages": ["Hi."]}
    yield (
        "verify of a GET",
        {
            "id": "a",
            "type": "service",
            "request": {"url": "http://x"},
            "verify": {"url": "http://x", "found": "true"},
        },
    )
    yield (
        "verify that posts",
        {
            **BASE_NODES[NodeKind.SERVICE],
            "verify": {"url": "http://x", "method": "post", "found": "true"},
        },
    )


INVALID_NODES = list(_invalid_nodes())


@pytest.mark.parametrize(("name", "node"), INVALID_NODES, ids=[n for n, _ in INVALID_NODES])
def test_an_invalid_node_fails_the_loader_and_the_schema(name: str, node: dict):
    assert loader_problems(dialog(node)) != []
    assert schema_errors(dialog(node)) != []


@pytest.mark.parametrize(
    "data",
    [{"nodes": [BASE_NODES[NodeKind.MESSAGE]]}, {"dialog": "x"}, {"dialog": "x", "nodes": []}],
    ids=["no dialog", "no nodes", "empty nodes"],
)
def test_a_file_without_its_required_keys_fails_both(data: dict):
    assert loader_problems(data) != []
    assert schema_errors(data) != []
