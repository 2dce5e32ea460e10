"""YAML with line numbers: every mapping remembers the line of each key, every list the line of
each item, so that a problem can be reported at ``FILE:LINE``. The one YAML reader of Parley:
dialog files, transcripts and config.yaml (which builds its own tree from the same nodes, see
`runtime.config.yaml_tree`) are read with the same scalars, limits and error messages.

Scalars are read as YAML 1.2's core schema says, which is what authors expect: ``yes``, ``no``,
``on`` and ``off`` stay text (a button labelled "No" stays "No"), ``2026-12-01`` stays text
rather than becoming a date, ``010`` is ten and ``10:30`` is text rather than 630.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from runtime.errors import ParleyError

MAX_VALUES = 100_000  # after aliases are expanded; a dialog file is far smaller
MAX_DEPTH = 100  # lists and mappings inside each other, aliases included; a dialog needs ~10

# What a value of an explicit tag (`!!bool maybe`) may raise when it cannot be read as one.
_BAD_VALUE = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError)

_MERGE = "tag:yaml.org,2002:merge"


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML: `line` is where it starts, `lines[key]` where each key is."""

    line: int
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int, int]]  # (key, line, line of the first one)

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class YamlSeq(list[Any]):
    """A list read from YAML: `line` is where it starts, `lines[i]` where item i starts."""

    line: int
    lines: list[int]

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


@dataclass(frozen=True, slots=True)
class YamlProblem:
    line: int
    message: str


class YamlError(ParleyError):
    """The text is not YAML that can be read; carries the line and a plain message."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class LineLoader(yaml.SafeLoader):
    """SafeLoader with the core schema's scalars and line-keeping collections."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except _BAD_VALUE:
            raise ConstructorError(None, None, _bad_value(node), node.start_mark) from None

    def construct_line_map(self, node: MappingNode) -> Iterator[YamlMap]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, _bad_value(node), node.start_mark)
        data = YamlMap()
        data.line, data.lines, data.duplicates = node.start_mark.line + 1, {}, []
        yield data
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not _hashable(key):
                raise ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in first:
                data.duplicates.append((key, line, first[key]))
            else:
                first[key] = line
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not _hashable(key):
                raise ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.lines[key] = key_node.start_mark.line + 1

    def construct_line_seq(self, node: SequenceNode) -> Iterator[YamlSeq]:
        if not isinstance(node, SequenceNode):
            raise ConstructorError(None, None, _bad_value(node), node.start_mark)
        data = YamlSeq()
        data.line = node.start_mark.line + 1
        data.lines = [item.start_mark.line + 1 for item in node.value]
        yield data
        data.extend(self.construct_object(item, deep=True) for item in node.value)

    def construct_core_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text.lstrip("+"))
        try:
            if digits[:2] in ("0o", "0x"):
                return sign * int(digits[2:], 8 if digits[1] == "o" else 16)
            return sign * int(digits, 10)
        except ValueError:  # not digits after an explicit !!int, or more than 4300 of them
            message = f"cannot read {_shown(text)!r} as a whole number"
            raise ConstructorError(None, None, message, node.start_mark) from None

    def has_constructor(self, node: Node) -> bool:
        """Whether this loader can build a value of `node`'s tag (`!env x` it cannot)."""
        return node.tag in self.yaml_constructors


def _bad_value(node: Node) -> str:
    """A value its tag cannot make (`!!bool maybe`, `!!seq x`)."""
    tag = node.tag.removeprefix("tag:yaml.org,2002:")
    if isinstance(node, ScalarNode):
        return f"cannot read {_shown(node.value)!r} as !!{tag}; fix the value or remove the tag"
    what = "a mapping" if isinstance(node, MappingNode) else "a list"
    return f"cannot read {what} as !!{tag}; fix the value or remove the tag"


def _shown(text: str) -> str:
    """A value as a message quotes it: at most 40 characters."""
    return text if len(text) <= 40 else text[:37] + "..."


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_line_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader.construct_line_seq)
LineLoader.add_constructor("tag:yaml.org,2002:int", LineLoader.construct_core_int)

for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
    (_MERGE, r"^(?:<<)$", ["<"]),
):
    LineLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


_HINTS = {
    "mapping values are not allowed here": (
        "a text containing ': ' must be quoted, e.g. text: \"Note: it's late\""
    ),
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "could not find expected ':'": "write a key with ':' after it, e.g. prompt: Your name?",
    "expected ',' or ']', but got '{'": (
        'quote a text that holds braces, e.g. extract: ["for {value}", "named {value}"]'
    ),
}


def parse_yaml(text: str) -> tuple[Any, list[YamlProblem]]:
    """The document in `text` (None when empty) and the duplicate keys found in it.

    Raises `YamlError` with the line and a plain message when the text cannot be read.
    """
    with reading(text):
        check_shape(text)
        data = yaml.load(text, Loader=LineLoader)  # a SafeLoader: builds plain values only
    return data, list(_duplicates(data, set()))


def compose(text: str) -> tuple[Node | None, LineLoader]:
    """The document in `text` as YAML nodes (None when empty), with the loader that builds
    values from them (`loader.construct_object`); dispose() of it when done. For a reader that
    makes its own tree, as config.yaml's does. Raises `YamlError` as `parse_yaml` does."""
    with reading(text):
        check_shape(text)
        loader = LineLoader(text)
        try:
            return loader.get_single_node(), loader
        except BaseException:
            loader.dispose()
            raise


@contextmanager
def reading(text: str) -> Iterator[None]:
    """Turns what PyYAML raises while reading `text` into a `YamlError` at its line."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        raise _plain(exc) from None
    except ReaderError as exc:
        raise _unreadable(text, exc) from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"could not parse YAML: {exc}") from None
    except RecursionError:  # check_shape bounds the depth; this stays as a last guard
        raise YamlError(1, "could not parse YAML: it is nested too deeply") from None
    except _BAD_VALUE as exc:  # a tag on the document itself, read outside construct_object
        raise YamlError(1, f"could not parse YAML: {exc}") from None


def check_shape(text: str) -> None:
    """Raise `YamlError` at the line where `text` nests lists and mappings more than
    MAX_DEPTH deep or holds more than MAX_VALUES values (counting what aliases refer to), or
    where an alias sits inside the value it names; before anything recursive reads the file.

    Parsing errors (`yaml.YAMLError`) propagate as they are. One pass over the parser's events,
    which keeps its own stack: no recursion, however deep the text.
    """
    open_: list[list[Any]] = []  # per open list or mapping: [anchor, height, values]
    anchored: dict[str, tuple[int, int]] = {}  # anchor -> (height, values) of its value
    for event in yaml.parse(text, Loader=LineLoader):
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, CollectionStartEvent):
            if len(open_) >= MAX_DEPTH:
                raise YamlError(line, _TOO_DEEP)
            open_.append([event.anchor, 0, 1])
            continue
        if isinstance(event, CollectionEndEvent):
            anchor, height, values = open_.pop()
            height += 1
            if anchor is not None:
                anchored[anchor] = (height, values)
        elif isinstance(event, AliasEvent):
            if any(item[0] == event.anchor for item in open_):
                raise YamlError(line, "a YAML alias refers to a value that contains it")
            # undefined: reported by load
            height, values = anchored.get(event.anchor or "", (0, 1))
            if len(open_) + height > MAX_DEPTH:
                raise YamlError(line, _TOO_DEEP)
        elif isinstance(event, ScalarEvent):
            height, values = 0, 1
            if event.anchor is not None:
                anchored[event.anchor] = (0, 1)
        else:
            continue  # the start and end of the stream and of documents
        if open_:
            parent = open_[-1]
            parent[1] = max(parent[1], height)
            parent[2] += values
            if parent[2] > MAX_VALUES:
                raise YamlError(
                    line,
                    f"the file holds more than {MAX_VALUES} values once its aliases are expanded",
                )


_TOO_DEEP = (
    f"lists and mappings are nested more than {MAX_DEPTH} deep here (counting what aliases "
    "refer to); no Parley file needs that many levels"
)


def _unreadable(text: str, exc: ReaderError) -> YamlError:
    """A character YAML refuses (NUL, most control characters), at its line."""
    before = text[: exc.position] if isinstance(exc.position, int) else ""
    line = 1 + sum(
        1
        for i, ch in enumerate(before)
        if ch in "\n\x85\u2028\u2029" or (ch == "\r" and text[i + 1 : i + 2] != "\n")
    )
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    name = " (NUL)" if code == 0 else ""
    return YamlError(
        line,
        f"the file holds the character U+{code:04X}{name}, which YAML does not allow; remove it",
    )


def _plain(exc: yaml.MarkedYAMLError) -> YamlError:
    problem, context = exc.problem or "", exc.context or ""
    # A simple key that lacks its ':' is reported on the line after it; the key is the mistake.
    culprit = exc.context_mark if context.endswith("simple key") else None
    mark = culprit or exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    if problem == "but found another document":
        return YamlError(line, "a file holds one YAML document: remove the '---' line")
    message = f"could not parse YAML: {problem or context}"
    if context and problem and exc.context_mark and exc.context_mark.line + 1 != line:
        message += f" ({context} at line {exc.context_mark.line + 1})"
    hint = _HINTS.get(problem)
    return YamlError(line, f"{message}; {hint}" if hint else message)


def _duplicates(value: Any, seen: set[int]) -> Iterator[YamlProblem]:
    if not isinstance(value, dict | list) or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, YamlMap):
        for key, line, first in value.duplicates:
            yield YamlProblem(
                line, f"duplicate key {key!r} (first at line {first}); keep only one of them"
            )
    for item in value.values() if isinstance(value, dict) else value:
        yield from _duplicates(item, seen)


def key_lines(value: Any, prefix: str = "") -> dict[str, int]:
    """Every key and list item under `value` with its line, by dotted path
    (``request.json.Company``, ``next.0.when``)."""
    out: dict[str, int] = {}
    if isinstance(value, YamlMap):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out[path] = value.line_of(key)
            out.update(key_lines(item, path))
    elif isinstance(value, YamlSeq):
        for index, item in enumerate(value):
            path = f"{prefix}.{index}" if prefix else str(index)
            out[path] = value.line_of(index)
            out.update(key_lines(item, path))
    return out
