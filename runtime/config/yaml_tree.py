"""YAML text to a tree of `Item`s that keep their lines, with ``${NAME}`` filled in; `Report`.

The text is read by `runtime.yaml_lines`, as dialog files are (the same scalars, limits and
messages); this module only builds config.yaml's tree from the nodes, so that a mistake below
a key is reported and reading goes on to find the others."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from runtime.errors import ConfigError
from runtime.yaml_lines import LineLoader, YamlError, compose


class Report:
    """Collects problems as `file:line: key.path: message`, in file order."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.found: list[tuple[int, str]] = []

    def add(self, line: int | None, path: str, message: str) -> None:
        where = ""
        if self.file:
            where = f"{self.file}:{line}: " if line else f"{self.file}: "
        subject = f"{path}: " if path else ""
        self.found.append((line or 0, f"{where}{subject}{message}"))

    def raise_if_any(self) -> None:
        if self.found:
            raise ConfigError([message for _, message in sorted(self.found, key=lambda f: f[0])])


@dataclass(slots=True)
class Item:
    """A YAML value with its line; `text` is how a scalar was written (after interpolation)."""

    value: Any  # dict[str, Item], list[Item] or a scalar
    line: int
    text: str = ""
    broken: bool = False  # already reported (a failed ${...}): no "required" on top


_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)
_BAD_REFERENCE = "bad ${...}: write ${NAME} or ${NAME:-default} (and $${ for a literal ${)"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class Tree:
    """YAML text to an Item tree: lines kept, string scalars interpolated."""

    loader: LineLoader  # while `parse` runs: builds the scalars' values

    def __init__(self, report: Report, env: Mapping[str, str]) -> None:
        self.report = report
        self.env = env

    def parse(self, text: str) -> Item | None:
        try:
            node, self.loader = compose(text)
        except YamlError as exc:
            raise ConfigError([self._where(exc.line) + exc.message]) from None
        try:
            return None if node is None else self._item(node, "")
        finally:
            self.loader.dispose()

    def _where(self, line: int | None) -> str:
        return f"{self.report.file}:{line}: " if line else f"{self.report.file}: "

    def _item(self, node: yaml.Node, path: str) -> Item:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return Item(self._mapping(node, path), line)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.report.add(line, path, f"unsupported YAML tag {node.tag}")
            return Item([self._item(n, f"{path}[{i}]") for i, n in enumerate(node.value)], line)
        loader = self.loader
        try:
            value = loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            # `!env NAME`; `!!bool maybe`, `!!timestamp x`, a number of more than 4300 digits
            known = loader.has_constructor(node)
            problem = exc.problem if known else f"unsupported YAML value (tag {node.tag})"
            self.report.add(line, path, problem or f"cannot read {node.tag}")
            return Item(None, line)
        if isinstance(value, str):
            reported = len(self.report.found)
            value = self._interpolate(value, line, path)
            return Item(value, line, value, broken=len(self.report.found) > reported)
        return Item(value, line, node.value)

    def _mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Item]:
        line = node.start_mark.line + 1
        if node.tag != _MAP_TAG:
            self.report.add(line, path, f"unsupported YAML tag {node.tag}")
        self.loader.flatten_mapping(node)
        items: dict[str, Item] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.report.add(key_line, path, "a key must be a plain word")
                continue
            key = key_node.value
            key_path = f"{path}.{key}" if path else key
            if key in items:
                first = items[key].line
                self.report.add(key_line, key_path, f"duplicate key (first at line {first})")
                continue
            item = self._item(value_node, key_path)
            item.line = key_line
            items[key] = item
        return items

    def _interpolate(self, text: str, line: int, path: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            body = match.group(1)
            reference = body and _NAME.fullmatch(body)
            if not reference:
                self.report.add(line, path, _BAD_REFERENCE)
                return ""
            name, default = reference.group(1), reference.group(2)
            value = self.env.get(name)
            if value:
                return value
            if default is not None:
                return default
            if value is None:
                self.report.add(
                    line,
                    path,
                    f"environment variable {name} is not set "
                    f"(write ${{{name}:-default}} to give a default)",
                )
            return ""

        return _REFERENCE.sub(replace, text)


def kind_of(item: Item) -> str:
    """What an item is, without its value (which may be a misplaced secret)."""
    if isinstance(item.value, bool):
        return "true or false"
    if isinstance(item.value, int | float):
        return "a number"
    if isinstance(item.value, dict):
        return "a mapping"
    return "a list" if isinstance(item.value, list) else "a string"


def describe(item: Item) -> str:
    """An item for a message: its kind when a mapping or list, else how it was written."""
    if isinstance(item.value, dict):
        return "a mapping"
    if isinstance(item.value, list):
        return "a list"
    shown = item.text if len(item.text) <= 40 else item.text[:37] + "..."
    return repr(shown)


def plain(item: Item) -> Any:
    """The item's value as plain dicts, lists and scalars (lines dropped)."""
    if isinstance(item.value, dict):
        return {key: plain(value) for key, value in item.value.items()}
    if isinstance(item.value, list):
        return [plain(value) for value in item.value]
    return item.value
