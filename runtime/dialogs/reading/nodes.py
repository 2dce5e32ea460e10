"""What every node has (id, type, `next`, `set`), and the dispatch to each type's reader."""

from __future__ import annotations

from typing import Any

from runtime.dialogs.model import END, ENTITY_TYPES, Branch, Node, NodeKind
from runtime.dialogs.reading.entity import read_entity
from runtime.dialogs.reading.keys import (
    COMMON_KEYS,
    ENTITY_PREFIX,
    ID,
    KIND_KEYS,
    NAME,
    ONLY_FOR_ENTITY_TYPE,
    REQUEST_KEYS,
)
from runtime.dialogs.reading.message import read_message
from runtime.dialogs.reading.service import read_service
from runtime.dialogs.reading.values import Reader
from runtime.dialogs.reading.wording import describe, did_you_mean, show
from runtime.dialogs.yaml_lines import YamlMap, YamlSeq, key_lines


def read_nodes(r: Reader, data: YamlMap) -> list[Node]:
    """The nodes under `nodes`, in order; a node whose id cannot be read is left out."""
    if "nodes" not in data:
        r.problem(data.line, "the file has no `nodes`; list the dialog's nodes under it")
        return []
    seq, line = data["nodes"], data.line_of("nodes")
    if not isinstance(seq, YamlSeq) or not seq:
        got = "an empty list" if isinstance(seq, list) else describe(seq)
        r.problem(line, f"`nodes` must list the dialog's nodes, got {got}")
        return []
    kept: list[tuple[YamlMap, str]] = []
    first_line: dict[str, int] = {}
    for index, raw in enumerate(seq):
        node_id = _node_id(r, raw, index, seq.line_of(index))
        if node_id is None:
            continue
        if node_id in first_line:
            r.problem(
                raw.line_of("id"),
                f"duplicate node id {node_id!r} (first at line {first_line[node_id]}); "
                "node ids must be unique in a dialog",
            )
            continue
        first_line[node_id] = raw.line_of("id")
        kept.append((raw, node_id))
    following = [node_id for _, node_id in kept[1:]] + [END] if kept else []
    return [
        _node(r, raw, node_id, after) for (raw, node_id), after in zip(kept, following, strict=True)
    ]


def _node_id(r: Reader, raw: Any, index: int, line: int) -> str | None:
    label = f"node #{index + 1}"
    if not isinstance(raw, YamlMap):
        r.problem(line, f"{label} must be a mapping with `id` and `type`, got {describe(raw)}")
        return None
    if "id" not in raw:
        r.problem(raw.line, f"{label} has no `id`; give it one, e.g. id: ask_name")
        return None
    value, line = raw["id"], raw.line_of("id")
    if not isinstance(value, str):
        r.problem(line, f"{label}: `id` must be text, got {describe(value)}")
        return None
    if value == END:
        r.problem(line, "`end` is reserved for ending the dialog; pick another node id")
        return None
    if not ID.match(value):
        r.problem(
            line,
            f"node id {value!r} must start with a lower-case letter and use only a-z, 0-9 and _",
        )
    return value


def _node(r: Reader, raw: YamlMap, node_id: str, following: str) -> Node:
    kind = _kind(r, raw, node_id)
    where = f"{kind.value} node {node_id!r}" if kind else f"node {node_id!r}"
    entity_type = _entity_type(r, raw, node_id) if kind is NodeKind.ENTITY else None
    if kind is not None:
        _check_node_keys(r, raw, kind, entity_type, where)
    base: dict[str, Any] = {
        "id": node_id,
        "line": raw.line,
        "next": _next(r, raw, following, where),
        "set": _set(r, raw, where),
        "lines": key_lines(raw),
    }
    if kind is NodeKind.ENTITY:
        return read_entity(r, raw, base, entity_type or "string", where)
    if kind is NodeKind.MESSAGE:
        return read_message(r, raw, base, where)
    if kind is NodeKind.SERVICE:
        return read_service(r, raw, base, where)
    # The type could not be read: a bare node keeps its id and routes for validation.
    return Node(kind=NodeKind.ENTITY, **base)


def _kind(r: Reader, raw: YamlMap, node_id: str) -> NodeKind | None:
    kinds = [k.value for k in NodeKind]
    if "type" not in raw:
        r.problem(raw.line, f"node {node_id!r} has no `type`: use entity, message or service")
        return None
    value = raw["type"]
    if value in kinds:
        return NodeKind(value)
    r.problem(
        raw.line_of("type"),
        f"unknown node type {show(value)} in node {node_id!r}: use entity, message or service"
        + did_you_mean(value, kinds),
    )
    return None


def _entity_type(r: Reader, raw: YamlMap, node_id: str) -> str | None:
    value = raw.get("entity_type", "string")
    if value in ENTITY_TYPES:
        return value
    r.problem(
        raw.line_of("entity_type"),
        f"unknown entity_type {show(value)} in node {node_id!r}"
        + (did_you_mean(value, ENTITY_TYPES) or "; use one of " + ", ".join(ENTITY_TYPES)),
    )
    return None


def _check_node_keys(
    r: Reader, raw: YamlMap, kind: NodeKind, entity_type: str | None, where: str
) -> None:
    allowed = COMMON_KEYS + KIND_KEYS[kind]
    owners: dict[str, list[str]] = {}
    for other, keys in KIND_KEYS.items():
        for key in keys:
            if other is not kind and key not in allowed:
                owners.setdefault(key, []).append(other.value)
    misplaced = {
        key: f"`{key}` is not allowed in {where}; it belongs to {' and '.join(kinds)} nodes"
        for key, kinds in owners.items()
    }
    if kind is NodeKind.SERVICE:
        misplaced |= {key: f"`{key}` belongs under `request:` in {where}" for key in REQUEST_KEYS}
    r.check_keys(raw, allowed, where, misplaced=misplaced)
    for key, wanted in ONLY_FOR_ENTITY_TYPE.items():
        if key in raw and entity_type and entity_type != wanted:
            r.problem(
                raw.line_of(key),
                f"`{key}` is only allowed when entity_type is {wanted} "
                f"({where} has entity_type {entity_type})",
            )


# -- routes and `set` ---------------------------------------------------------------------------


def _next(r: Reader, raw: YamlMap, following: str, where: str) -> tuple[Branch, ...]:
    default = (Branch(following, None, raw.line),)
    if "next" not in raw:
        return default
    value, line = raw["next"], raw.line_of("next")
    if isinstance(value, str) and value:
        return (Branch(value, None, line),)
    if not isinstance(value, YamlSeq) or not value:
        r.problem(
            line,
            f"`next` in {where} must be a node id, `end`, or a list of {{when, to}} branches, "
            f"got {'an empty list' if isinstance(value, list) else describe(value)}",
        )
        return default
    return tuple(_branch(r, value, i, where) for i in range(len(value)))


def _branch(r: Reader, seq: YamlSeq, index: int, where: str) -> Branch:
    item, line = seq[index], seq.line_of(index)
    label = f"branch {index + 1} of `next` in {where}"
    # Branches that cannot be read stay as inert placeholders ("" is never checked again)
    # so that the branch indexes keep matching the YAML for later line look-ups.
    if not isinstance(item, YamlMap):
        r.problem(
            line,
            f"{label} must be a mapping like {{when: EXPR, to: NODE}}, got {describe(item)}; "
            "for a single target write next: NODE",
        )
        return Branch("", "", line)
    r.check_keys(item, ("when", "to"), label)
    when: str | None = None
    if "when" in item:
        when = r.expression(item["when"], item.line_of("when"), f"`when` of {label}") or ""
    to = ""
    if "to" not in item:
        r.problem(line, f"{label} has no `to`; name the node to go to, or end")
    else:
        to = r.node_ref(item, "to", label) or ""
    return Branch(to, when, line)


def _set(r: Reader, raw: YamlMap, where: str) -> tuple[tuple[str, str], ...]:
    if "set" not in raw:
        return ()
    value = raw["set"]
    if not isinstance(value, YamlMap):
        r.problem(
            raw.line_of("set"),
            f"`set` in {where} must be a mapping of NAME: EXPRESSION, got {describe(value)}",
        )
        return ()
    pairs = []
    for name, source in value.items():
        line = value.line_of(name)
        entity = name[len(ENTITY_PREFIX) :] if str(name).startswith(ENTITY_PREFIX) else None
        if not isinstance(name, str) or not NAME.match(entity if entity is not None else name):
            r.problem(
                line,
                f"`set` name {show(name)} in {where} must be a lower-case name like "
                "order_total (stored under vars), or entities.NAME to set an entity",
            )
        if source is None:
            source = "none"  # `x: ~` clears the value
        pairs.append((str(name), r.expression(source, line, f"`set` {name} in {where}") or ""))
    return tuple(pairs)
