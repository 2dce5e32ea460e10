"""The dialog model: frozen dataclasses built from YAML once, never raw dicts at run time.

Template and expression fields hold their *source* text here; `runtime.dialogs.compiler`
turns them into compiled templates. Every object keeps the YAML line it came from so that
validation and run-time errors can name ``FILE:LINE``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from runtime.intents.synonyms import Synonym
from runtime.outbound import HTTP_TIMEOUT

END = "end"

ENTITY_TYPES = (
    "string",
    "number",
    "boolean",
    "email",
    "phone",
    "date",
    "currency",
    "list",
    "regex",
    "url",
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNSAFE_METHODS = frozenset({"POST", "PATCH"})  # never re-sent blind: their outcome may be unknown


# What a message that clearly asks for another dialog does while an entity node waits
# (conversation.md, "Changing the subject"): bot-wide, per dialog, per node.
ENTITY_PREFIX = "entities."  # a `set` key that fills an entity; any other names a variable


def set_entity(name: str) -> str | None:
    """The entity a `set` key fills (``entities.size`` -> ``size``), or None for a variable."""
    return name[len(ENTITY_PREFIX) :] if name.startswith(ENTITY_PREFIX) else None


class Interruption(StrEnum):
    """What a waiting dialog does when the user starts another (conversation.md)."""

    HOLD = "hold"
    ASK = "ask"
    DISCARD = "discard"
    NEVER = "never"


INTERRUPTIONS = tuple(i.value for i in Interruption)  # as plain words


class NodeKind(StrEnum):
    ENTITY = "entity"
    MESSAGE = "message"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Branch:
    """One way out of a node: go ``to`` when ``when`` (an expression) is true, or always."""

    to: str
    when: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class ValidateRule:
    when: str
    error: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class ListValue:
    value: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Button:
    """A quick reply (`value` is sent as the user's message) or a link (`url` opens)."""

    label: str
    value: str = ""
    url: str = ""  # a template; set: a link button, `value` is empty


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    json: Any = None  # any YAML structure; strings in it are templates
    has_json: bool = False
    json_drop_nulls: bool = False
    timeout: float = HTTP_TIMEOUT


@dataclass(frozen=True, slots=True)
class Verify:
    """How to find out whether a call whose answer never arrived took effect.

    `request` is sent like a service node's own; `found` (an expression over its `response`)
    says whether the effect happened; `response` (optional, any YAML structure with templates)
    maps the verify answer to the shape of the original answer for the node's `next`.
    """

    request: Request
    found: str
    response: Any = None
    has_response: bool = False


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A header the API honours to make a re-sent call safe: `value` is a template."""

    value: str
    header: str = "Idempotency-Key"


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    id: str
    kind: NodeKind
    line: int
    next: tuple[Branch, ...]  # never empty: omitted `next` becomes the following node or `end`
    set: tuple[tuple[str, str], ...] = ()  # (var name, expression source)
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> YAML line

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityNode(Node):
    entity: str
    entity_type: str = "string"
    prompt: str
    error_prompts: tuple[str, ...] = ()  # empty: the entity type's own sensible message
    retries: int = 3
    on_failure: str | None = None
    optional: bool = False
    validate: ValidateRule | None = None
    values: tuple[ListValue, ...] = ()
    pattern: str | None = None
    # Patterns such as "for {value}" that fill the entity from the dialog's opening sentence;
    # `extract: false` sets `extract_off` (always ask). Typed entities are found without them.
    extract: tuple[str, ...] = ()
    extract_off: bool = False
    interruptions: str | None = None  # one of INTERRUPTIONS; None: the dialog's or the bot's
    amend_words: tuple[str, ...] = ()  # other names users call this entity when changing it
    buttons: tuple[Button, ...] = ()  # replaces the Yes/No (boolean) or value (list) buttons


@dataclass(frozen=True, slots=True)
class Cards:
    """A list of records drawn as cards: one card per element of `items` (an expression),
    its texts templates that read the element as `item`."""

    items: str
    title: str
    subtitle: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # (label, value template), in file order
    buttons: tuple[Button, ...] = ()  # a value button's value is a template too


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageNode(Node):
    texts: tuple[str, ...]
    buttons: tuple[Button, ...] = ()
    cards: Cards | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceNode(Node):
    request: Request
    auth: str | None = None
    on_error: str | None = None
    on_auth_failure: str | None = None
    progress: str | None = None
    verify: Verify | None = None
    on_unknown: str | None = None  # where an unknown outcome goes; None: say so and end
    idempotency_key: IdempotencyKey | None = None

    @property
    def guarded(self) -> bool:
        """Its outcome may be unknown: an in-flight record is written before it is sent."""
        return (
            self.request.method in UNSAFE_METHODS
            or self.verify is not None
            or self.idempotency_key is not None
        )


@dataclass(frozen=True, slots=True)
class Dialog:
    id: str
    file: str
    line: int
    nodes: tuple[Node, ...]
    start: str
    description: str = ""
    intents: tuple[str, ...] = ()
    intent_lines: tuple[int, ...] = ()  # the YAML line of each of `intents`
    not_intents: tuple[str, ...] = ()  # phrasings that must start no dialog
    not_intent_lines: tuple[int, ...] = ()
    synonyms: tuple[Synonym, ...] = ()
    interruptions: str | None = None  # one of INTERRUPTIONS; None: the bot's setting

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def targets(self, node: Node) -> list[str]:
        """Every node id (or `end`) this node can move to, including failure routes."""
        out = [b.to for b in node.next]
        if isinstance(node, EntityNode) and node.on_failure:
            out.append(node.on_failure)
        if isinstance(node, ServiceNode):
            out += [t for t in (node.on_error, node.on_auth_failure, node.on_unknown) if t]
        return out
