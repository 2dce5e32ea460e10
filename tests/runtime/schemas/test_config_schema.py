"""The JSON Schema of config.yaml against config.yaml's readers: every config.yaml of the
repository and of the docs passes both; for every key the readers ask for, a right value passes
both and a wrong one fails both; an invalid example of the docs fails the schema too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from runtime.config import load_config
from runtime.config.keys import Key
from runtime.errors import ConfigError
from runtime.schemas import generate
from runtime.schemas.config import ANY_NAME, recorded_keys
from tests.docs.test_examples import YAML_BLOCKS, Block, _starts_as_config

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = generate("config")
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
KEYS = recorded_keys()

CONFIG_FILES = [
    ROOT / "config.yaml",
    ROOT / "tests" / "integrations" / "json_api" / "bot" / "config.yaml",
    ROOT / "runtime" / "scaffold" / "bot" / "config.yaml",
]
ENV = {"EXAMPLE_API_URL": "http://127.0.0.1:9", "EXAMPLE_API_CLIENT_ID": "id"}
ENV |= {"EXAMPLE_API_CLIENT_SECRET": "secret", "SF_CLIENT_ID": "id", "SF_CLIENT_SECRET": "s"}


def schema_errors(data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data)
    ]


def loader_problems(data: Any, folder: Path) -> list[str]:
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        load_config(path, env=ENV)
    except ConfigError as exc:
        return exc.messages
    return []


def test_the_schema_is_a_draft_7_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_the_schema_knows_the_sections_and_the_integrations():
    properties = SCHEMA["properties"]
    assert {"bot", "server", "store", "channels", "auth_profiles", "conversation"} <= set(
        properties
    )
    assert {"salesforce", "json_api"} <= set(properties["integrations"]["properties"])
    profile = properties["auth_profiles"]["additionalProperties"]
    assert {"client_id", "client_secret", "authorization_url", "token_url"} <= set(
        profile["required"]
    )


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_config_of_the_repository_passes_the_schema(path: Path):
    load_config(path, env=ENV)
    assert schema_errors(yaml.safe_load(path.read_text())) == []


def _docs_configs() -> Iterator[Block]:
    for block in YAML_BLOCKS:
        if block.kind == "config" or (block.kind == "file" and block.file == "config.yaml"):
            yield block


DOCS_CONFIGS = list(_docs_configs())
DOCS_INVALID = [b for b in YAML_BLOCKS if b.kind == "invalid" and _starts_as_config(b.text)]


def test_the_docs_have_config_examples():
    assert len(DOCS_CONFIGS) >= 8
    assert DOCS_INVALID


@pytest.mark.parametrize("block", DOCS_CONFIGS, ids=lambda b: b.name)
def test_every_config_example_of_the_docs_passes_the_schema(block: Block):
    assert schema_errors(yaml.safe_load(block.text)) == []


@pytest.mark.parametrize("block", DOCS_INVALID, ids=lambda b: b.name)
def test_an_invalid_config_example_of_the_docs_fails_the_schema(block: Block):
    assert schema_errors(yaml.safe_load(block.text)) != []


# -- every key the readers ask for ---------------------------------------------------------------

PROFILE = "crm"  # the name given to the probe entry of a mapping of named sections


def right(key: Key) -> list[Any]:
    match key.kind:
        case "text":
            return [key.default or "words"]
        case "url":
            return ["https://example.com/path", "${EXAMPLE_API_URL}/x"]
        case "whole":
            return [key.low, str(key.low), "${MISSING:-" + str(key.low) + "}"]
        case "number":
            return [key.high, str(key.high), *([] if key.above_low else [float(key.low)])]
        case "flag":
            return [True, False, "yes", "off"]
        case "choice":
            return [key.default]
        case "texts":
            return [["one", "two"], "one"]
        case "section" | "mapping":
            return [{}, None]
        case "any":
            return []
    raise AssertionError(f"no right value for a key read as {key.kind}: add one")


def wrong(key: Key) -> list[Any]:
    match key.kind:
        case "text":
            return [{"a": 1}, ["a list"]]
        case "url":
            return ["ftp://example.com", "example.com", {"a": 1}]
        case "whole":
            below = [key.low - 1] if key.low is not None else []
            above = [key.high + 1] if key.high is not None else []
            return ["abc", 1.5, *below, *above, {"a": 1}]
        case "number":
            return ["abc", key.low - 1, key.high + 1, [1], *([key.low] if key.above_low else [])]
        case "flag":
            return ["maybe", 2]
        case "choice":
            return ["nonsense", 3]
        case "texts":
            return [{"a": 1}, [{"a": 1}]]
        case "section" | "mapping":
            return ["text", [1]]
        case "any":
            return [["a list"]]
    raise AssertionError(f"no wrong value for a key read as {key.kind}: add one")


def required_around(path: str) -> dict[str, Any]:
    """The config that a value at `path` needs around it: the required keys of its sections."""
    config: dict[str, Any] = {}
    parts = path.split(".")
    for depth in range(len(parts)):
        section = ".".join(parts[:depth])
        for other, key in KEYS.items():
            prefix = f"{section}." if section else ""
            name = other[len(prefix) :]
            if other.startswith(prefix) and "." not in name and key.required:
                put(config, other, right(key)[0])
    return config


def put(config: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = [PROFILE if part == ANY_NAME else part for part in path.split(".")]
    at = config
    for name in parents:
        at = at.setdefault(name, {})
    at[last] = value
    return config


# Right values that another check of the readers refuses in this place.
NOT_HERE = {
    ("integrations.salesforce.auth_profile", "words"),  # only with app: custom
    ("auth_profiles.*", "{}"),  # a profile needs its client and its URLs
    ("auth_profiles.*", "None"),
}


def cases(values: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, key in KEYS.items():
        if not path:
            continue
        for value in values(key):
            if (path, str(value)) in NOT_HERE:
                continue
            yield f"{path}={value!r}", put(required_around(path), path, value)


RIGHT = list(cases(right))
WRONG = list(cases(wrong))


def test_every_kind_of_key_is_sampled():
    sampled = {KEYS[name.split("=")[0]].kind for name, _ in RIGHT}
    assert {key.kind for key in KEYS.values()} - {"any"} <= sampled
    assert any(key.kind == "any" for key in KEYS.values())  # the small-talk answers
    assert [key for key in KEYS.values() if key.only_when_written]  # integrations.json_api


@pytest.mark.parametrize(("name", "data"), RIGHT, ids=[name for name, _ in RIGHT])
def test_a_right_value_of_every_key_passes_the_readers_and_the_schema(name, data, tmp_path):
    assert loader_problems(data, tmp_path) == []
    assert schema_errors(data) == []


@pytest.mark.parametrize(("name", "data"), WRONG, ids=[name for name, _ in WRONG])
def test_a_wrong_value_of_every_key_fails_the_readers_and_the_schema(name, data, tmp_path):
    assert loader_problems(data, tmp_path) != []
    assert schema_errors(data) != []


@pytest.mark.parametrize(
    "data",
    [
        {"bot": {"nmae": "x"}},
        {"sever": {}},
        {"auth_profiles": {PROFILE: {"client_id": "x"}}},
        {"integrations": {"salesfroce": {}}},
        {"conversation": {"small_talk": {"greeting": {"txt": "Hi"}}}},
    ],
    ids=[
        "unknown key",
        "unknown section",
        "a profile without its urls",
        "unknown integration",
        "an unknown key in a small-talk answer",
    ],
)
def test_an_invalid_config_fails_the_readers_and_the_schema(data, tmp_path):
    assert loader_problems(data, tmp_path) != []
    assert schema_errors(data) != []
