"""Reading "change the company to Acme" while a dialog runs (conversation.md, "Changing a value").

`Amender` is built once per dialog. `read(text)` tells whether a message asks to change an
entity of the dialog and which, and gives the new value's text; the engine then checks the
value as an answer and updates the entity. Three ways of saying it are understood:

- "change the company to Acme", "set the email to bob@acme.com", "update my phone to ...";
- "the email is bob@acme.com, not bill", "company should be Acme";
- "actually make it large", "make it 3 people" (no name: the value's type, when only one
  entity of the dialog can take it).

The entity is named by its name ("last name" for `last_name`) or one of its node's
`amend_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from runtime.dialogs.compiler import CompiledDialog, CompiledEntity
from runtime.dialogs.model import ServiceNode
from runtime.entities import EntitySettings, parse

_REFERENCE = re.compile(r"""entities\s*(?:\.\s*(\w+)|\[\s*['"](\w+)['"]\s*\])""")

_OPENER = r"(?:(?:actually|sorry|oh|oops|wait|no|hmm|please|ah|err?)[,!.]?\s+)*"
_OWNER = r"(?:(?:the|my|our|his|her|their|its|your)\s+)?(?:lead'?s\s+|deal'?s\s+)?"
_CLOSER = r"(?:\s+instead)?(?:[,\s]+please)?\s*[.!]*"
_CHANGE = re.compile(
    rf"{_OPENER}(?:can you\s+|could you\s+|please\s+)?"
    rf"(?:change|set|update|switch|correct|fix|make)\s+{_OWNER}(?P<name>.+?)\s+(?:to|into)\s+"
    rf"(?P<value>.+?){_CLOSER}",
    re.IGNORECASE | re.DOTALL,
)
_IS = re.compile(
    rf"{_OPENER}{_OWNER}(?P<name>[^,]+?)\s+(?:is|should be|must be|needs to be)\s+"
    rf"(?:actually\s+)?(?P<value>.+?)(?:\s*,?\s+(?:not|instead of)\s+.+?)?{_CLOSER}",
    re.IGNORECASE | re.DOTALL,
)
_MAKE_IT = re.compile(
    rf"(?:(?:actually|sorry|oh|oops|wait|no)[,!.]?\s+)+(?:make it|change it to|it'?s|it is)\s+"
    rf"(?P<value>.+?){_CLOSER}|{_OPENER}(?:make it|change it to)\s+(?P<value2>.+?){_CLOSER}",
    re.IGNORECASE | re.DOTALL,
)


LONGEST = 200  # characters: a change is said in a few words, and longer texts cost the regexes


# Every way of saying it has one of these words: one search rules out most answers cheaply.
_HINT = re.compile(
    r"\b(?:change|set|update|switch|correct|fix|make|is|should|must|needs|it'?s)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class AmendRequest:
    """An entity to change and the new value's text; `entity` None: found by the value's type."""

    entity: str | None
    value: str
    label: str  # how the user named it, for messages: "organisation"; "" when unnamed


class Amender:
    def __init__(self, dialog: CompiledDialog) -> None:
        self.names: dict[str, str] = {}  # spoken name -> entity
        self.nodes: dict[str, CompiledEntity] = {}  # entity -> the first node asking for it
        for cn in dialog.entity_nodes:
            node = cn.node
            self.nodes.setdefault(node.entity, cn)
            spoken = node.entity.replace("_", " ").lower()
            for name in (spoken, node.entity.lower(), *node.amend_words):
                self.names.setdefault(_squash(name), node.entity)
        # entity -> the service nodes whose request uses it
        self.sent_by: dict[str, set[str]] = {}
        for service in dialog.dialog.nodes:
            if isinstance(service, ServiceNode):
                for source in _strings(service.request):
                    for m in _REFERENCE.finditer(source):
                        self.sent_by.setdefault(m[1] or m[2], set()).add(service.id)

    def used(self, entity: str, results: Mapping[str, Mapping[str, Any]]) -> bool:
        """A service call that already succeeded sent this entity: changing it is too late."""
        return any(results.get(n, {}).get("ok") for n in self.sent_by.get(entity, ()))

    def by_value(
        self, value: str, entities: Mapping[str, Any], settings: EntitySettings
    ) -> str | None:
        """The one entity already given whose (non-string) type reads `value`, if only one."""
        fits = []
        for entity, cn in self.nodes.items():
            if entity not in entities or cn.spec.entity_type == "string":
                continue
            if parse(cn.spec, value, settings).ok:
                fits.append(entity)
        return fits[0] if len(fits) == 1 else None

    def read(self, text: str) -> AmendRequest | None:
        text = text.strip()
        if not self.nodes or len(text) > LONGEST or _HINT.search(text) is None:
            return None
        for pattern in (_CHANGE, _IS):
            m = pattern.fullmatch(text)
            if m is None:
                continue
            said = _squash(m["name"])
            entity = self.names.get(said)
            if entity is not None and m["value"].strip():
                return AmendRequest(entity, m["value"].strip(), said)
        m = _MAKE_IT.fullmatch(text)
        if m is not None:
            value = (m["value"] or m["value2"] or "").strip()
            if value:
                return AmendRequest(None, value, "")
        return None


def _squash(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a request (url, headers, query, json), for entity references."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from _strings(getattr(value, name))
