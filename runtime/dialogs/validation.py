"""Check a loaded dialog as a whole: its graph, its templates and what they refer to.

Rules (see shared/spec/dialog-language.md):
- every `to`, `on_failure`, `on_error`, `on_auth_failure`, `on_unknown` and `start` names a
  node of the dialog or `end`; a default branch (no `when`) comes last;
- every node is reachable from `start`, failure routes counting as edges;
- a loop passes through an entity node (a loop of message and service nodes never waits);
- every template and expression compiles, and reads only the names an expression can see:
  `response` only in a service node's own `next` and `set` (and its `verify`'s `found` and
  `response`), `value` only in `validate`, `call` only in `verify` and `idempotency_key`,
  `nodes.ID` only for service nodes, `entities.NAME` only for entities of this dialog,
  `user` and `session` only with the attributes they have.

Auth profiles are checked against config.yaml when the caller gives the names it defines
(`parley validate` does); `profiles_used` lists them.

Nodes that were read but could not join the dialog (no usable id, or a duplicate id) are
checked too, as far as a node can be checked alone: routes, templates, auth profile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runtime.dialogs.model import (
    END,
    ENTITY_PREFIX,
    Button,
    Cards,
    Dialog,
    EntityNode,
    MessageNode,
    Node,
    ServiceNode,
    set_entity,
)
from runtime.dialogs.reading.wording import one_line
from runtime.errors import Problem
from runtime.suggestions import did_you_mean
from runtime.templating import Templates, TemplateSyntaxError

ROOTS = (
    "entities",
    "nodes",
    "response",
    "value",
    "vars",
    "auth",
    "user",
    "session",
    "globals",
    "held",
    "call",
    "item",
)
ATTRIBUTES = {"user": ("id", "channel"), "session": ("id",)}


@dataclass(frozen=True, slots=True)
class Source:
    """One template or expression of a node, with where it sits and what it may read."""

    path: str  # key path in the node, for its line: "prompt", "next.1.when", "request.json.Email"
    text: str
    expression: bool
    json: bool = False
    response: bool = False  # may read `response`
    value: bool = False  # may read `value`
    call: bool = False  # may read `call` (the call whose outcome is being checked)
    item: bool = False  # may read `item` (one element of a message node's cards)


def profiles_used(dialog: Dialog) -> set[str]:
    """The auth profiles named by the dialog's service nodes."""
    return {n.auth for n in dialog.nodes if isinstance(n, ServiceNode) and n.auth}


def profile_problems(dialog: Dialog, profiles: Collection[str]) -> list[Problem]:
    """The service nodes of `dialog` that name an auth profile not in `profiles` (those
    config.yaml defines): the check `validate_dialog` makes, alone, for a dialog already
    loaded."""
    return [
        Problem(
            dialog.file,
            node.line_of("auth"),
            _unknown_profile(f"node {node.id!r}", node.auth, profiles),
        )
        for node in dialog.nodes
        if isinstance(node, ServiceNode) and node.auth and node.auth not in profiles
    ]


def _unknown_profile(name: str, profile: str, profiles: Collection[str]) -> str:
    known = ", ".join(sorted(profiles)) or "none"
    return (
        f"{name} uses auth profile {profile!r}, which config.yaml does not define; known "
        f"profiles: {known}{_did_you_mean(profile, profiles)}"
    )


def entity_names(dialog: Dialog) -> set[str]:
    """Every entity the dialog can fill: entity nodes' `entity` and `set` of entities.NAME."""
    names = {n.entity for n in dialog.nodes if isinstance(n, EntityNode)}
    for node in dialog.nodes:
        names.update(e for k, _ in node.set if (e := set_entity(k)) is not None)
    return names


def validate_dialog(
    dialog: Dialog,
    templates: Templates,
    *,
    lines: Mapping[str, int] | None = None,
    unplaced: Sequence[tuple[Node, str]] = (),
    profiles: Collection[str] | None = None,
) -> list[Problem]:
    """Every problem of `dialog` (an empty list when it is sound); never raises.

    `lines` gives the YAML lines of the file-level keys (`start`), when known. `unplaced` are
    nodes read from the file but left out of the dialog, each with how messages name it
    ("node #3"); they are checked apart from the graph. `profiles`, when given, are the auth
    profiles config.yaml defines: a service node naming another is a problem.
    """
    return _Validator(dialog, templates, lines or {}, unplaced, profiles).run()


class _Validator:
    def __init__(
        self,
        dialog: Dialog,
        templates: Templates,
        lines: Mapping[str, int],
        unplaced: Sequence[tuple[Node, str]],
        profiles: Collection[str] | None,
    ) -> None:
        self.dialog = dialog
        self.templates = templates
        self.lines = lines
        self.unplaced = [node for node, _ in unplaced]
        self.names = {id(node): name for node, name in unplaced}
        self.profiles = profiles
        self.ids = {n.id for n in dialog.nodes}
        # An entity named only by a node left out still exists once that node is fixed.
        self.entities = entity_names(dialog) | {
            n.entity for n in self.unplaced if isinstance(n, EntityNode) and n.entity
        }
        self.services = {n.id for n in dialog.nodes if isinstance(n, ServiceNode)}
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.dialog.file, line, one_line(message)))

    def name(self, node: Node) -> str:
        """How messages call `node`: "node 'ask'", or "node #3" when it has no usable id."""
        return self.names.get(id(node)) or f"node {node.id!r}"

    def run(self) -> list[Problem]:
        # Without nodes (reported while loading) there is no graph, only the nodes left out.
        start_ok = bool(self.dialog.nodes) and self._check_start()
        for node in [*self.dialog.nodes, *self.unplaced]:
            self._check_routes(node)
            self._check_default_last(node)
            for source in sources(node):
                self._check_source(node, source)
            self._check_profile(node)
        if start_ok:
            self._check_reachable()
        self._check_loops()
        return self.problems

    def _check_profile(self, node: Node) -> None:
        if self.profiles is None or not isinstance(node, ServiceNode) or not node.auth:
            return
        if node.auth not in self.profiles:
            self.problem(
                node.line_of("auth"), _unknown_profile(self.name(node), node.auth, self.profiles)
            )

    # -- routes ---------------------------------------------------------------------------------

    def _check_start(self) -> bool:
        start = self.dialog.start
        if start in self.ids:
            return True
        line = self.lines.get("start", self.dialog.line)
        self.problem(
            line,
            f"`start` names {start!r}, which is not a node of dialog {self.dialog.id!r}"
            + _did_you_mean(start, self.ids),
        )
        return False

    def _check_routes(self, node: Node) -> None:
        for index, branch in enumerate(node.next):
            line = node.lines.get(f"next.{index}.to", branch.line)
            self._check_target(branch.to, line, f"`to` in {self.name(node)}")
        routes = {"on_failure": getattr(node, "on_failure", None)}
        if isinstance(node, ServiceNode):
            routes |= {
                "on_error": node.on_error,
                "on_auth_failure": node.on_auth_failure,
                "on_unknown": node.on_unknown,
            }
        for key, target in routes.items():
            if target:
                self._check_target(target, node.line_of(key), f"`{key}` in {self.name(node)}")

    def _check_target(self, target: str, line: int, what: str) -> None:
        if target in self.ids or target in (END, ""):  # "" was reported while loading
            return
        self.problem(
            line,
            f"{what} names {target!r}, which is not a node of dialog {self.dialog.id!r}"
            + (_did_you_mean(target, self.ids) or "; name one of its nodes, or end"),
        )

    def _check_default_last(self, node: Node) -> None:
        for index, branch in enumerate(node.next[:-1]):
            if branch.when is None:
                later = node.next[index + 1]
                self.problem(
                    node.lines.get(f"next.{index + 1}", later.line),
                    f"{self.name(node)}: this branch is never tried, because the branch before it "
                    f"(line {branch.line}) has no `when` and always matches; put the default "
                    "branch last",
                )
                return

    def _check_reachable(self) -> None:
        seen = {self.dialog.start}
        todo = [self.dialog.start]
        by_id = {n.id: n for n in self.dialog.nodes}
        while todo:
            targets = self.dialog.targets(by_id[todo.pop()])
            if "" in targets:
                return  # a route that could not be read might lead anywhere: no guessing
            for target in targets:
                if target in by_id and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for node in self.dialog.nodes:
            if node.id not in seen:
                self.problem(
                    node.line,
                    f"node {node.id!r} can never be reached from the start node "
                    f"{self.dialog.start!r}; lead to it with `next` (or remove it)",
                )

    def _check_loops(self) -> None:
        """A cycle of nodes that never wait (message and service nodes) would spin forever."""
        never_wait = {
            n.id: n for n in self.dialog.nodes if isinstance(n, MessageNode | ServiceNode)
        }
        edges = {
            nid: sorted({t for t in self.dialog.targets(n) if t in never_wait})
            for nid, n in never_wait.items()
        }
        order = [n.id for n in self.dialog.nodes]
        for component in _strongly_connected(edges):
            first = min(component, key=order.index)
            if len(component) == 1 and first not in edges[first]:
                continue
            cycle = _cycle_through(first, edges, component)
            path = " -> ".join(repr(nid) for nid in [*cycle, first])
            self.problem(
                never_wait[first].line,
                f"nodes {path} form a loop that never waits for the user; route the loop "
                "through an entity node, which waits for an answer",
            )

    # -- templates and expressions --------------------------------------------------------------

    def _check_source(self, node: Node, source: Source) -> None:
        if not source.text:  # reported while loading
            return
        line = node.line_of(source.path)
        what = f"`{source.path}` of {self.name(node)}"
        where = {"dialog": self.dialog.id, "node": node.id}
        try:
            if source.json:
                self.templates.json(source.text, **where)
            elif source.expression:
                self.templates.expr(source.text, **where)
            else:
                self.templates.text(source.text, **where)
            refs = self.templates.references(source.text, expression=source.expression)
            names = self.templates.names(source.text, expression=source.expression)
        except TemplateSyntaxError as exc:
            self.problem(line, f"{what} does not compile: {exc.message}{_syntax_hint(source)}")
            return
        messages = [self._check_name(name, source) for name in sorted(names)]
        messages += [self._check_reference(ref) for ref in sorted(refs, key=str)]
        for message in dict.fromkeys(m for m in messages if m):  # once each, in order
            self.problem(line, f"{what} {message}")

    def _check_name(self, name: str, source: Source) -> str | None:
        if name == "response" and not source.response:
            return (
                "reads `response`, which exists only in a service node's own `next` and "
                "`set`; elsewhere use nodes.ID.response"
            )
        if name == "value" and not source.value:
            return "reads `value`, which exists only inside `validate`"
        if name == "call" and not source.call:
            return (
                "reads `call`, which exists only in a service node's `verify` and "
                "`idempotency_key` (the call whose outcome is checked)"
            )
        if name == "item" and not source.item:
            return (
                "reads `item`, which exists only in a message node's `cards` (the element "
                "of `items` a card shows)"
            )
        if name not in ROOTS:
            roots = [
                root
                for root in ROOTS
                if (root != "call" or source.call) and (root != "item" or source.item)
            ]
            hint = _did_you_mean(name, roots) or f"; templates can read {', '.join(roots)}"
            return f"reads {name!r}, which is not defined{hint}"
        return None

    def _check_reference(self, ref: tuple[str | int, ...]) -> str | None:
        root, key = ref[0], ref[1] if len(ref) > 1 else None
        if not isinstance(key, str):
            return None
        dialog = self.dialog.id
        if root == "entities" and key not in self.entities:
            return (
                f"reads entities.{key}, but dialog {dialog!r} has no entity {key!r}"
                + _did_you_mean(key, self.entities, prefix=ENTITY_PREFIX)
            )
        if root == "nodes":
            if key not in self.services:
                kind = "not a node"
                if key in self.ids:
                    kind = _a(f"{self.dialog.node(key).kind.value} node")
                return (
                    f"reads nodes.{key}, but {key!r} is {kind} of dialog {dialog!r}; only "
                    "service nodes have a response"
                    + _did_you_mean(key, self.services, prefix="nodes.")
                )
            if len(ref) > 2 and ref[2] != "response":
                rest = ".".join(str(part) for part in ref[2:])
                return (
                    f"reads nodes.{key}.{rest}; a service node's result is under response: "
                    f"write nodes.{key}.response.{rest}"
                )
        if root in ATTRIBUTES and key not in ATTRIBUTES[root]:
            known = ", ".join(f"{root}.{a}" for a in ATTRIBUTES[root])
            return f"reads {root}.{key}, which does not exist; there is {known}"
        return None


def sources(node: Node) -> Iterator[Source]:
    """Every template and expression of `node`, with its key path and what it may read."""
    service = isinstance(node, ServiceNode)
    for index, branch in enumerate(node.next):
        if branch.when is not None:
            yield Source(f"next.{index}.when", branch.when, True, response=service)
    for name, expression in node.set:
        yield Source(f"set.{name}", expression, True, response=service)
    if isinstance(node, EntityNode):
        yield Source("prompt", node.prompt, False)
        if len(node.error_prompts) == 1 and "error_prompt.0" not in node.lines:
            yield Source("error_prompt", node.error_prompts[0], False)
        else:
            for index, text in enumerate(node.error_prompts):
                yield Source(f"error_prompt.{index}", text, False)
        if node.validate:
            yield Source("validate.when", node.validate.when, True, value=True)
            yield Source("validate.error", node.validate.error, False, value=True)
        yield from _button_sources(node.buttons, node)
    elif isinstance(node, MessageNode):
        if "messages" not in node.lines and len(node.texts) == 1:
            yield Source("text", node.texts[0], False)
        else:
            for index, text in enumerate(node.texts):
                yield Source(f"messages.{index}", text, False)
        yield from _button_sources(node.buttons, node)
        if node.cards is not None:
            yield from _card_sources(node.cards, node)
    elif isinstance(node, ServiceNode):
        yield from _request_sources(node.request, "request")
        if node.progress is not None:
            yield Source("progress", node.progress, False)
        if node.verify is not None:
            yield from _request_sources(node.verify.request, "verify", call=True)
            yield Source("verify.found", node.verify.found, True, response=True, call=True)
            if node.verify.has_response:
                for path, text in _json_strings(node.verify.response, "verify.response"):
                    yield Source(path, text, False, json=True, response=True, call=True)
        if node.idempotency_key is not None:
            path = "idempotency_key.value" if "idempotency_key.value" in node.lines else ""
            yield Source(path or "idempotency_key", node.idempotency_key.value, False, call=True)


def _request_sources(request: Any, prefix: str, *, call: bool = False) -> Iterator[Source]:
    yield Source(f"{prefix}.url", request.url, False, call=call)
    for key, pairs in (("headers", request.headers), ("query", request.query)):
        for name, text in pairs:
            yield Source(f"{prefix}.{key}.{name}", text, False, call=call)
    if request.has_json:
        for path, text in _json_strings(request.json, f"{prefix}.json"):
            yield Source(path, text, False, json=True, call=call)


def _button_sources(
    buttons: Iterable[Button], node: Node, *, prefix: str = "buttons"
) -> Iterator[Source]:
    """A button's label, and a link button's url: templates, at their own lines."""
    for index, button in enumerate(buttons):
        path = f"{prefix}.{index}"
        if f"{path}.label" in node.lines:
            yield Source(f"{path}.label", button.label, False)
        else:
            yield Source(path, button.label, False)
        if button.url:
            yield Source(f"{path}.url", button.url, False)


def _card_sources(cards: Cards, node: Node) -> Iterator[Source]:
    """`cards.items` (an expression), then the per-card texts, which read `item`."""
    yield Source("cards.items", cards.items, True)
    yield Source("cards.title", cards.title, False, item=True)
    if cards.subtitle is not None:
        yield Source("cards.subtitle", cards.subtitle, False, item=True)
    for label, text in cards.fields:
        yield Source(f"cards.fields.{label}", text, False, item=True)
    for source in _button_sources(cards.buttons, node, prefix="cards.buttons"):
        yield dataclasses.replace(source, item=True)
    for index, button in enumerate(cards.buttons):
        if not button.url:
            yield Source(f"cards.buttons.{index}.value", button.value, False, item=True)


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _json_strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}.{index}")
    elif isinstance(value, str):
        yield path, value


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _syntax_hint(source: Source) -> str:
    if source.expression and "{{" in source.text:
        return "; expressions are written without {{ }}, e.g. when: response.status == 201"
    if source.expression:
        return "; to use a text in an expression, quote it, e.g. \"'hello'\""
    return ""


def _did_you_mean(word: str, choices: Iterable[str], *, prefix: str = "") -> str:
    shown: Callable[[str], str] = (lambda c: prefix + c) if prefix else repr
    hint = did_you_mean(word, choices, shown=shown)
    return f"; {hint}" if hint else ""


def _strongly_connected(edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that a long dialog cannot exhaust the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _cycle_through(first: str, edges: Mapping[str, list[str]], within: list[str]) -> list[str]:
    """The shortest cycle from `first` back to itself inside one strongly connected component."""
    allowed = set(within)
    previous: dict[str, str] = {}
    queue = [first]
    for node in queue:
        for target in edges[node]:
            if target == first:
                path = [node]
                while path[-1] != first:
                    path.append(previous[path[-1]])
                return path[::-1]
            if target in allowed and target not in previous:
                previous[target] = node
                queue.append(target)
    return [first]
