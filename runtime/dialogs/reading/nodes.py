"""What every node has (id, type, `next`, `set`), and the dispatch to each type's reader."""

from __future__ import annotations

from typing import Any

from runtime.dialogs.model import END, ENTITY_TYPES, Branch, Node, NodeKind, set_entity
from runtime.dialogs.reading.entity import read_entity
from runtime.dialogs.reading.keys import (
    BRANCH_KEYS,
    COMMON_KEYS,
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
from runtime.suggestions import closest
from runtime.yaml_lines import YamlMap, YamlSeq, key_lines

# Every key some node type allows: what a node of no known type is checked against.
ANY_NODE_KEYS = tuple(
    dict.fromkeys(COMMON_KEYS + tuple(k for ks in KIND_KEYS.values() for k in ks))
)
# The keys only one node type has, which tell a node's type when its `type` does not.
_OWN_KEYS = {
    kind: [k for k in keys if all(k not in v for o, v in KIND_KEYS.items() if o is not kind)]
    for kind, keys in KIND_KEYS.items()
}


def read_nodes(r: Reader, data: YamlMap) -> list[Node]:
    """The nodes under `nodes`, in order.

    A node whose id cannot be used (missing, not text, `end`, or the id of an earlier node) is
    still read, so that every other problem of it is reported too, but it stays out of the
    dialog: it goes to `r.unplaced`, whose nodes validation checks apart from the graph.
    """
    if "nodes" not in data:
        r.problem(data.line, "the file has no `nodes`; list the dialog's nodes under it")
        return []
    seq, line = data["nodes"], data.line_of("nodes")
    if not isinstance(seq, YamlSeq) or not seq:
        got = "an empty list" if isinstance(seq, list) else describe(seq)
        r.problem(line, f"`nodes` must list the dialog's nodes, got {got}")
        return []
    read: list[tuple[YamlMap, str, str, bool]] = []  # raw, id, name in messages, in the graph
    first_line: dict[str, int] = {}
    for index, raw in enumerate(seq):
        node_id = _node_id(r, raw, index, seq.line_of(index))
        if not isinstance(raw, YamlMap):
            continue
        if node_id is None:
            read.append((raw, "", f"node #{index + 1}", False))
            continue
        if node_id in first_line:
            r.problem(
                raw.line_of("id"),
                f"duplicate node id {node_id!r} (first at line {first_line[node_id]}); "
                "node ids must be unique in a dialog",
            )
            read.append((raw, node_id, f"node {node_id!r}", False))
            continue
        first_line[node_id] = raw.line_of("id")
        read.append((raw, node_id, f"node {node_id!r}", True))
    nodes: list[Node] = []
    for index, (raw, node_id, name, placed) in enumerate(read):
        # Without `next`, a node goes on to the following node of the dialog, or ends it.
        following = next((later[1] for later in read[index + 1 :] if later[3]), END)
        node = _node(r, raw, node_id, following, name)
        if placed:
            nodes.append(node)
        else:
            r.unplaced.append((node, name))
    return nodes


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


def _node(r: Reader, raw: YamlMap, node_id: str, following: str, name: str) -> Node:
    """One node; `name` is how messages call it ("node 'ask'", or "node #3" without an id).

    A node whose type is missing or unknown is read as the type it most likely has (the
    type its `type` is a typo of, else the one whose keys it uses), so that its other
    problems are reported now rather than after the type is fixed.
    """
    kind = _kind(r, raw, name)
    where = f"{kind.value} {name}" if kind else name
    kind = kind or _likely_kind(raw)
    entity_type = _entity_type(r, raw, name) if kind is NodeKind.ENTITY else None
    if kind is not None:
        _check_node_keys(r, raw, kind, entity_type, where)
    else:
        r.check_keys(raw, ANY_NODE_KEYS, where, unknown="; no node type has it")
    base: dict[str, Any] = {
        "id": node_id,
        "line": raw.line,
        "next": _next(r, raw, following, where),
        "set": _set(r, raw, where),
        "lines": key_lines(raw),
    }
    if kind is NodeKind.ENTITY:
        return read_entity(r, raw, base, entity_type or _likely_entity_type(raw), where)
    if kind is NodeKind.MESSAGE:
        return read_message(r, raw, base, where)
    if kind is NodeKind.SERVICE:
        return read_service(r, raw, base, where)
    # No type can be told: a bare node keeps its id and routes for validation.
    return Node(kind=NodeKind.ENTITY, **base)


def _kind(r: Reader, raw: YamlMap, name: str) -> NodeKind | None:
    kinds = [k.value for k in NodeKind]
    if "type" not in raw:
        r.problem(raw.line, f"{name} has no `type`: use entity, message or service")
        return None
    value = raw["type"]
    if value in kinds:
        return NodeKind(value)
    r.problem(
        raw.line_of("type"),
        f"unknown node type {show(value)} in {name}: use entity, message or service"
        + did_you_mean(value, kinds),
    )
    return None


def _likely_kind(raw: YamlMap) -> NodeKind | None:
    """The type a node without a valid `type` most likely has: the one its `type` is a typo
    of, else the only type with the most keys of its own in the node; None when unclear."""
    close = closest(raw.get("type"), [k.value for k in NodeKind])
    if close:
        return NodeKind(close)
    counts = {kind: sum(1 for key in keys if key in raw) for kind, keys in _OWN_KEYS.items()}
    most = max(counts.values())
    likely = [kind for kind, count in counts.items() if count == most]
    return likely[0] if most and len(likely) == 1 else None


def _entity_type(r: Reader, raw: YamlMap, name: str) -> str | None:
    value = raw.get("entity_type", "string")
    if value in ENTITY_TYPES:
        return value
    r.problem(
        raw.line_of("entity_type"),
        f"unknown entity_type {show(value)} in {name}"
        + (did_you_mean(value, ENTITY_TYPES) or "; use one of " + ", ".join(ENTITY_TYPES)),
    )
    return None


def _likely_entity_type(raw: YamlMap) -> str:
    """The entity type to read a node with an unknown `entity_type` as (see `_likely_kind`)."""
    close = closest(raw.get("entity_type"), ENTITY_TYPES)
    if close:
        return close
    for key, entity_type in ONLY_FOR_ENTITY_TYPE.items():
        if key in raw:
            return entity_type
    return "string"


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
        return (Branch("", None, line),)  # a route that could not be read ("" is not checked)
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
    r.check_keys(item, BRANCH_KEYS, label)
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
        entity = set_entity(name) if isinstance(name, str) else None
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
