"""Compile a validated dialog once: one `transitions` machine and precompiled templates.

The machine is shared by every conversation of the dialog. A turn never adds a model to it:
it fires the event for an edge on a tiny slotted cursor that holds only the current node, so a
move costs microseconds and a conversation keeps no objects between turns
(see shared/notes/transitions-cost.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from runtime.dialogs.model import (
    END,
    Dialog,
    EntityNode,
    MessageNode,
    Node,
    Request,
    ServiceNode,
)
from runtime.entities import EntitySpec
from runtime.errors import InternalError
from runtime.templating import Expr, JsonTemplate, Templates, Text


class Cursor:
    """The only model the machine ever sees: where one conversation stands, for one move."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


@dataclass(frozen=True, slots=True)
class CompiledRequest:
    method: str
    url: Text
    headers: tuple[tuple[str, Text], ...]
    query: tuple[tuple[str, Text], ...]
    json: JsonTemplate | None
    json_drop_nulls: bool
    timeout: float


@dataclass(frozen=True, slots=True)
class CompiledVerify:
    request: CompiledRequest
    found: Expr
    response: JsonTemplate | None


@dataclass(frozen=True, slots=True)
class CompiledCards:
    items: Expr
    title: Text
    subtitle: Text | None
    fields: tuple[tuple[str, Text], ...]
    buttons: tuple[tuple[Text, Text | None, Text | None], ...]  # label, value, url


Button = tuple[Text, str, Text | None]  # label, value, url; a link button has a url, no value


@dataclass(frozen=True, slots=True)
class CompiledValidate:
    when: Expr  # true when the value passes
    error: Text  # what the user is told when it does not


# One class per node kind, each holding only what its kind uses. All three have `node` (the
# node as read), `branches` (its `next`, each condition compiled) and `sets`.


@dataclass(frozen=True, slots=True)
class CompiledEntity:
    node: EntityNode
    branches: tuple[tuple[Expr | None, str], ...]
    sets: tuple[tuple[str, Expr], ...]
    spec: EntitySpec
    prompt: Text
    buttons: tuple[Button, ...] = ()
    error_prompts: tuple[Text, ...] = ()
    validate: CompiledValidate | None = None


@dataclass(frozen=True, slots=True)
class CompiledMessage:
    node: MessageNode
    branches: tuple[tuple[Expr | None, str], ...]
    sets: tuple[tuple[str, Expr], ...]
    texts: tuple[Text, ...]
    buttons: tuple[Button, ...] = ()
    cards: CompiledCards | None = None  # shown after the texts, the last text as heading


@dataclass(frozen=True, slots=True)
class CompiledService:
    node: ServiceNode
    branches: tuple[tuple[Expr | None, str], ...]
    sets: tuple[tuple[str, Expr], ...]
    request: CompiledRequest
    progress: Text | None = None
    # written down as in flight before it is sent (its outcome may be unknown)
    guarded: bool = False
    verify: CompiledVerify | None = None
    idempotency: tuple[str, Text] | None = None  # header name, value


CompiledNode = CompiledEntity | CompiledMessage | CompiledService


class CompiledDialog:
    def __init__(self, dialog: Dialog, machine: Machine, nodes: dict[str, CompiledNode]) -> None:
        self.dialog = dialog
        self.id = dialog.id
        self.machine = machine
        self.nodes = nodes
        self.start = dialog.start
        self.entity_nodes = tuple(n for n in nodes.values() if isinstance(n, CompiledEntity))
        self.profiles = frozenset(
            n.auth for n in dialog.nodes if isinstance(n, ServiceNode) and n.auth
        )
        self._moves: dict[tuple[str, str], str] = {}

    def move(self, source: str, dest: str) -> str:
        """Take the edge `source` -> `dest` through the machine; an edge it lacks is a bug.

        The machine has no conditions or callbacks, so where an edge leads depends only on the
        edge: the first move along each edge fires the machine (about 15 µs) and later moves
        along it read the remembered answer (well under 1 µs).
        """
        edge = (source, dest)
        known = self._moves.get(edge)
        if known is not None:
            return known
        cursor = Cursor(source)
        try:
            self.machine.events[_event(dest)].trigger(cursor)
        except (KeyError, MachineError) as exc:
            raise InternalError(f"dialog {self.id!r} has no edge {source!r} -> {dest!r}") from exc
        self._moves[edge] = cursor.state
        return cursor.state


def _event(dest: str) -> str:
    return f"to_{dest}"


def compile_dialog(dialog: Dialog, templates: Templates) -> CompiledDialog:
    edges: set[tuple[str, str]] = set()
    for node in dialog.nodes:
        edges.update((node.id, target) for target in dialog.targets(node))
    states = [n.id for n in dialog.nodes] + [END]
    dests = sorted({dest for _, dest in edges})
    transitions = [
        {"trigger": _event(dest), "source": sorted(s for s, d in edges if d == dest), "dest": dest}
        for dest in dests
    ]
    machine = Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=dialog.start,
        auto_transitions=False,
        send_event=False,
    )
    nodes = {node.id: _compile_node(dialog, node, templates) for node in dialog.nodes}
    return CompiledDialog(dialog, machine, nodes)


def _compile_node(dialog: Dialog, node: Node, templates: Templates) -> CompiledNode:
    where: dict[str, Any] = {"dialog": dialog.id, "node": node.id}

    def text(source: str) -> Text:
        return templates.text(source, **where)

    def expr(source: str) -> Expr:
        return templates.expr(source, **where)

    branches = tuple((expr(b.when) if b.when else None, b.to) for b in node.next)
    sets = tuple((name, expr(source)) for name, source in node.set)

    def buttons(node: EntityNode | MessageNode) -> tuple[Button, ...]:
        return tuple((text(b.label), b.value, text(b.url) if b.url else None) for b in node.buttons)

    if isinstance(node, EntityNode):
        return CompiledEntity(
            node,
            branches,
            sets,
            spec=EntitySpec(node.entity_type, node.values, node.pattern),
            prompt=text(node.prompt),
            buttons=buttons(node),
            error_prompts=tuple(text(p) for p in node.error_prompts),
            validate=CompiledValidate(expr(node.validate.when), text(node.validate.error))
            if node.validate
            else None,
        )
    if isinstance(node, MessageNode):
        cards = node.cards
        return CompiledMessage(
            node,
            branches,
            sets,
            texts=tuple(text(t) for t in node.texts),
            buttons=buttons(node),
            cards=CompiledCards(
                items=expr(cards.items),
                title=text(cards.title),
                subtitle=text(cards.subtitle) if cards.subtitle is not None else None,
                fields=tuple((label, text(value)) for label, value in cards.fields),
                buttons=tuple(
                    (text(b.label), None, text(b.url))
                    if b.url
                    else (text(b.label), text(b.value), None)
                    for b in cards.buttons
                ),
            )
            if cards
            else None,
        )
    if isinstance(node, ServiceNode):

        def request(r: Request) -> CompiledRequest:
            return CompiledRequest(
                method=r.method,
                url=text(r.url),
                headers=tuple((k, text(v)) for k, v in r.headers),
                query=tuple((k, text(v)) for k, v in r.query),
                json=templates.json(r.json, **where) if r.has_json else None,
                json_drop_nulls=r.json_drop_nulls,
                timeout=r.timeout,
            )

        verify = node.verify
        key = node.idempotency_key
        return CompiledService(
            node,
            branches,
            sets,
            request=request(node.request),
            progress=text(node.progress) if node.progress else None,
            guarded=node.guarded,
            verify=CompiledVerify(
                request=request(verify.request),
                found=expr(verify.found),
                response=templates.json(verify.response, **where) if verify.has_response else None,
            )
            if verify
            else None,
            idempotency=(key.header, text(key.value)) if key else None,
        )
    raise InternalError(f"unknown node class {type(node).__name__}")
