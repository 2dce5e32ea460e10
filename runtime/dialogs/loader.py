"""Load dialog files into the frozen dataclasses of `runtime.dialogs.model`.

Reading is lenient and reporting is strict: every mistake becomes a `Problem` at the YAML line of
the offending key, reading goes on past it, and `validate_dialog` then checks the graph and the
templates of whatever could be built. All problems of all files are raised together as one
`DefinitionError`, so an author fixes a file in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from runtime.dialogs.model import (
    END,
    ENTITY_TYPES,
    METHODS,
    Branch,
    Button,
    Dialog,
    EntityNode,
    ListValue,
    MessageNode,
    Node,
    NodeKind,
    Request,
    ServiceNode,
    ValidateRule,
)
from runtime.dialogs.validation import validate_dialog
from runtime.dialogs.yaml_lines import YamlError, YamlMap, YamlSeq, key_lines, parse_yaml
from runtime.errors import DefinitionError, Problem
from runtime.files import find_files
from runtime.intents.synonyms import Synonym, normalise_phrase, synonym_problems
from runtime.intents.utterances import utterance_key
from runtime.templating import Templates

FILE_KEYS = ("dialog", "description", "intents", "not_intents", "synonyms", "start", "nodes")
COMMON_KEYS = ("id", "type", "next", "set")
KIND_KEYS: dict[NodeKind, tuple[str, ...]] = {
    NodeKind.ENTITY: (
        "entity",
        "entity_type",
        "prompt",
        "error_prompt",
        "retries",
        "on_failure",
        "optional",
        "validate",
        "values",
        "pattern",
    ),
    NodeKind.MESSAGE: ("text", "messages", "buttons"),
    NodeKind.SERVICE: ("request", "auth", "on_error", "on_auth_failure", "progress"),
}
REQUEST_KEYS = ("method", "url", "headers", "query", "json", "json_drop_nulls", "timeout")
ONLY_FOR_ENTITY_TYPE = {"values": "list", "pattern": "regex"}

ID = re.compile(r"[a-z][a-z0-9_]*\Z")
NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
ENTITY_PREFIX = "entities."

NEEDED = {
    "prompt": ", the question that asks for the value",
    "text": ", the message to send",
    "url": ", the address to call",
    "label": ", the text shown on the button",
    "value": ", the value itself",
    "error": ", the text said when the value fails `when`",
}

NO_LINE = 0  # for a path that has no line to point at (missing file, empty folder)


def load_dialog(text: str, file: str, templates: Templates | None = None) -> Dialog:
    """One dialog from the YAML `text` of `file`; raises `DefinitionError` with every problem."""
    dialog, problems = read_dialog(text, file, templates or Templates())
    if problems or dialog is None:
        raise DefinitionError(problems)
    return dialog


def load_dialogs(paths: Sequence[str | Path], templates: Templates | None = None) -> list[Dialog]:
    """Every dialog under `paths` (files, or folders searched recursively for ``*.yaml``, in
    sorted order); raises one `DefinitionError` with the problems of all files, including
    dialog ids used twice."""
    templates = templates or Templates()
    problems: list[Problem] = []
    dialogs: list[Dialog] = []
    first_seen: dict[str, Dialog] = {}
    for path in _dialog_files(paths, problems):
        file = str(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            problems.append(Problem(file, NO_LINE, f"cannot read the file: {exc.strerror}"))
            continue
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            problems.append(Problem(file, line, "the file is not UTF-8 text; save it as UTF-8"))
            continue
        dialog, found = read_dialog(text, file, templates)
        problems += found
        if dialog is None:
            continue
        first = first_seen.setdefault(dialog.id, dialog) if dialog.id else dialog
        if first is not dialog:
            problems.append(
                Problem(
                    file,
                    dialog.line,
                    f"dialog id {dialog.id!r} is already used by {first.file}:{first.line}; "
                    "dialog ids must be unique across the bot",
                )
            )
        dialogs.append(dialog)
    problems += shared_intent_problems(dialogs)
    problems += synonym_problems(s for d in dialogs for s in d.synonyms)
    if problems:
        raise DefinitionError(problems)
    return dialogs


def shared_intent_problems(dialogs: Iterable[Dialog]) -> list[Problem]:
    """An utterance listed by two dialogs (the matcher could not tell them apart), or as an
    intent of one dialog and a phrasing that must start nothing (`not_intents`) of any."""
    problems = []
    owner: dict[str, tuple[Dialog, int]] = {}
    for dialog in dialogs:
        for text, line in zip(dialog.intents, dialog.intent_lines, strict=False):
            first = owner.setdefault(utterance_key(text), (dialog, line))
            if first[0] is not dialog:
                problems.append(
                    Problem(
                        dialog.file,
                        line,
                        f"intent {text!r} is also an intent of dialog {first[0].id!r} "
                        f"({first[0].file}:{first[1]}); an utterance can start only one "
                        "dialog: remove it from one of them",
                    )
                )
    for dialog in dialogs:
        for text, line in zip(dialog.not_intents, dialog.not_intent_lines, strict=False):
            first = owner.get(utterance_key(text))
            if first is not None:
                problems.append(
                    Problem(
                        dialog.file,
                        line,
                        f"{text!r} is in not_intents here but an intent of dialog "
                        f"{first[0].id!r} ({first[0].file}:{first[1]}); a phrasing cannot both "
                        "start a dialog and start nothing: remove one of them",
                    )
                )
    return problems


def read_dialog(text: str, file: str, templates: Templates) -> tuple[Dialog | None, list[Problem]]:
    """The dialog in `text` as far as it could be built, and every problem found (loading and
    validation). Never raises for bad input."""
    try:
        data, duplicates = parse_yaml(text)
    except YamlError as exc:
        return None, [Problem(file, exc.line, exc.message)]
    problems = [Problem(file, d.line, d.message) for d in duplicates]
    if data is None:
        problems.append(Problem(file, 1, "the file is empty; a dialog needs `dialog` and `nodes`"))
        return None, problems
    if not isinstance(data, YamlMap):
        problems.append(
            Problem(
                file,
                getattr(data, "line", 1),
                f"a dialog file must be a mapping with `dialog` and `nodes`, got {_describe(data)}",
            )
        )
        return None, problems
    reader = _DialogReader(file)
    dialog = reader.read(data)
    problems += reader.problems
    if dialog is not None:
        file_lines = {str(k): line for k, line in data.lines.items()}
        problems += validate_dialog(dialog, templates, lines=file_lines)
    return dialog, problems


def _dialog_files(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    # Transcripts are YAML too, and may sit beside the dialogs they test.
    return find_files(paths, ".yaml", problems, skip=(".transcript.yaml",), kind="dialog")


# -- reading one file ---------------------------------------------------------------------------


class _DialogReader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def read(self, data: YamlMap) -> Dialog | None:
        self._check_keys(data, FILE_KEYS, "the dialog file", others={})
        dialog_id = self._dialog_id(data)
        description = self._text(data, "description", "the dialog", empty_ok=True) or ""
        intents, intent_lines = self._intents(data, "intents")
        not_intents, not_intent_lines = self._intents(data, "not_intents")
        synonyms = self._synonyms(data)
        nodes = self._nodes(data)
        if not nodes:
            return None
        start = nodes[0].id
        if "start" in data:
            start = self._node_ref(data, "start", "the dialog") or start
        return Dialog(
            id=dialog_id,
            file=self.file,
            line=data.line_of("dialog"),
            nodes=tuple(nodes),
            start=start,
            description=description,
            intents=intents,
            intent_lines=intent_lines,
            not_intents=not_intents,
            not_intent_lines=not_intent_lines,
            synonyms=synonyms,
        )

    def _intents(self, data: YamlMap, key: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """`intents` or `not_intents`: the texts and the line of each."""
        intents = self._texts(data, key, "the dialog", single_ok=False)
        seq = data.get(key)
        if not intents or not isinstance(seq, YamlSeq):
            return intents, ()
        lines = tuple(
            seq.line_of(i)
            for i, item in enumerate(seq)
            if isinstance(item, int | float | str) and not isinstance(item, bool)
            if not isinstance(item, str) or item.strip()
        )
        seen: dict[str, int] = {}
        for text, line in zip(intents, lines, strict=True):
            utterance = utterance_key(text)
            if utterance in seen:
                self.problem(
                    line,
                    f"{key.removesuffix('s')} {text!r} is listed twice (first at line "
                    f"{seen[utterance]}); remove one",
                )
            seen.setdefault(utterance, line)
        return intents, lines

    def _synonyms(self, data: YamlMap) -> tuple[Synonym, ...]:
        if "synonyms" not in data:
            return ()
        table, line = data["synonyms"], data.line_of("synonyms")
        if table is None:  # `synonyms:` with nothing under it, as in config.yaml
            return ()
        if not isinstance(table, YamlMap):
            self.problem(
                line,
                "`synonyms` must map a word to the words that mean it, e.g. "
                f"lead: [prospect], got {_describe(table)}",
            )
            return ()
        found: list[Synonym] = []
        for canonical, variants in table.items():
            key_line = table.line_of(canonical)
            if not isinstance(canonical, str) or not canonical.strip():
                self.problem(key_line, "a synonym's canonical word must be text")
                continue
            items = variants if isinstance(variants, YamlSeq) else [variants]
            for i, variant in enumerate(items):
                at = variants.line_of(i) if isinstance(variants, YamlSeq) else key_line
                if not isinstance(variant, str) or not variant.strip():
                    self.problem(
                        at,
                        f"synonyms of {canonical!r} must be words or phrases, "
                        f"got {_describe(variant)}",
                    )
                    continue
                if normalise_phrase(variant) == normalise_phrase(canonical):
                    self.problem(at, f"{variant!r} is listed as a synonym of itself; remove it")
                    continue
                found.append(
                    Synonym(normalise_phrase(variant), normalise_phrase(canonical), self.file, at)
                )
        return tuple(found)

    def _dialog_id(self, data: YamlMap) -> str:
        if "dialog" not in data:
            self.problem(
                data.line, "the file has no `dialog` key; name the dialog, e.g. dialog: create_lead"
            )
            return ""
        value, line = data["dialog"], data.line_of("dialog")
        if not isinstance(value, str):
            self.problem(line, f"`dialog` must be the dialog's id, got {_describe(value)}")
            return ""
        if not ID.match(value):
            self.problem(
                line,
                f"dialog id {value!r} must start with a lower-case letter and use only a-z, 0-9 "
                "and _",
            )
        return value

    # -- nodes ----------------------------------------------------------------------------------

    def _nodes(self, data: YamlMap) -> list[Node]:
        if "nodes" not in data:
            self.problem(data.line, "the file has no `nodes`; list the dialog's nodes under it")
            return []
        seq, line = data["nodes"], data.line_of("nodes")
        if not isinstance(seq, YamlSeq) or not seq:
            got = "an empty list" if isinstance(seq, list) else _describe(seq)
            self.problem(line, f"`nodes` must list the dialog's nodes, got {got}")
            return []
        kept: list[tuple[YamlMap, str]] = []
        first_line: dict[str, int] = {}
        for index, raw in enumerate(seq):
            node_id = self._node_id(raw, index, seq.line_of(index))
            if node_id is None:
                continue
            if node_id in first_line:
                self.problem(
                    raw.line_of("id"),
                    f"duplicate node id {node_id!r} (first at line {first_line[node_id]}); "
                    "node ids must be unique in a dialog",
                )
                continue
            first_line[node_id] = raw.line_of("id")
            kept.append((raw, node_id))
        following = [node_id for _, node_id in kept[1:]] + [END] if kept else []
        return [
            self._node(raw, node_id, after)
            for (raw, node_id), after in zip(kept, following, strict=True)
        ]

    def _node_id(self, raw: Any, index: int, line: int) -> str | None:
        label = f"node #{index + 1}"
        if not isinstance(raw, YamlMap):
            self.problem(
                line, f"{label} must be a mapping with `id` and `type`, got {_describe(raw)}"
            )
            return None
        if "id" not in raw:
            self.problem(raw.line, f"{label} has no `id`; give it one, e.g. id: ask_name")
            return None
        value, line = raw["id"], raw.line_of("id")
        if not isinstance(value, str):
            self.problem(line, f"{label}: `id` must be text, got {_describe(value)}")
            return None
        if value == END:
            self.problem(line, "`end` is reserved for ending the dialog; pick another node id")
            return None
        if not ID.match(value):
            self.problem(
                line,
                f"node id {value!r} must start with a lower-case letter and use only a-z, 0-9 "
                "and _",
            )
        return value

    def _node(self, raw: YamlMap, node_id: str, following: str) -> Node:
        kind = self._kind(raw, node_id)
        where = f"{kind.value} node {node_id!r}" if kind else f"node {node_id!r}"
        entity_type = self._entity_type(raw, node_id) if kind is NodeKind.ENTITY else None
        if kind is not None:
            self._check_node_keys(raw, kind, entity_type, where)
        base: dict[str, Any] = {
            "id": node_id,
            "line": raw.line,
            "next": self._next(raw, following, where),
            "set": self._set(raw, where),
            "lines": key_lines(raw),
        }
        if kind is NodeKind.ENTITY:
            return self._entity(raw, base, entity_type or "string", where)
        if kind is NodeKind.MESSAGE:
            return self._message(raw, base, where)
        if kind is NodeKind.SERVICE:
            return self._service(raw, base, where)
        # The type could not be read: a bare node keeps its id and routes for validation.
        return Node(kind=NodeKind.ENTITY, **base)

    def _kind(self, raw: YamlMap, node_id: str) -> NodeKind | None:
        kinds = [k.value for k in NodeKind]
        if "type" not in raw:
            self.problem(
                raw.line, f"node {node_id!r} has no `type`: use entity, message or service"
            )
            return None
        value = raw["type"]
        if value in kinds:
            return NodeKind(value)
        self.problem(
            raw.line_of("type"),
            f"unknown node type {_show(value)} in node {node_id!r}: use entity, message or service"
            + _did_you_mean(value, kinds),
        )
        return None

    def _entity_type(self, raw: YamlMap, node_id: str) -> str | None:
        value = raw.get("entity_type", "string")
        if value in ENTITY_TYPES:
            return value
        self.problem(
            raw.line_of("entity_type"),
            f"unknown entity_type {_show(value)} in node {node_id!r}"
            + (_did_you_mean(value, ENTITY_TYPES) or "; use one of " + ", ".join(ENTITY_TYPES)),
        )
        return None

    def _check_node_keys(
        self, raw: YamlMap, kind: NodeKind, entity_type: str | None, where: str
    ) -> None:
        allowed = COMMON_KEYS + KIND_KEYS[kind]
        others = {
            key: other for other, keys in KIND_KEYS.items() if other is not kind for key in keys
        }
        if kind is NodeKind.SERVICE:
            others |= dict.fromkeys(REQUEST_KEYS, NodeKind.SERVICE)
        self._check_keys(raw, allowed, where, others=others)
        for key, wanted in ONLY_FOR_ENTITY_TYPE.items():
            if key in raw and entity_type and entity_type != wanted:
                self.problem(
                    raw.line_of(key),
                    f"`{key}` is only allowed when entity_type is {wanted} "
                    f"({where} has entity_type {entity_type})",
                )

    def _check_keys(
        self,
        raw: YamlMap,
        allowed: Sequence[str],
        where: str,
        *,
        others: dict[str, NodeKind],
    ) -> None:
        for key in raw:
            if key in allowed:
                continue
            line = raw.line_of(key)
            if not isinstance(key, str):
                self.problem(line, f"key {key!r} in {where} is not a name; keys are text")
            elif key in others and others[key] is NodeKind.SERVICE and key in REQUEST_KEYS:
                self.problem(line, f"`{key}` belongs under `request:` in {where}")
            elif key in others:
                self.problem(
                    line,
                    f"`{key}` is not allowed in {where}; it belongs to {others[key].value} nodes",
                )
            else:
                hint = _did_you_mean(key, allowed) or "; allowed keys: " + ", ".join(allowed)
                self.problem(line, f"unknown key {key!r} in {where}{hint}")

    # -- routes and `set` -----------------------------------------------------------------------

    def _next(self, raw: YamlMap, following: str, where: str) -> tuple[Branch, ...]:
        default = (Branch(following, None, raw.line),)
        if "next" not in raw:
            return default
        value, line = raw["next"], raw.line_of("next")
        if isinstance(value, str) and value:
            return (Branch(value, None, line),)
        if not isinstance(value, YamlSeq) or not value:
            self.problem(
                line,
                f"`next` in {where} must be a node id, `end`, or a list of {{when, to}} branches, "
                f"got {'an empty list' if isinstance(value, list) else _describe(value)}",
            )
            return default
        return tuple(self._branch(value, i, where) for i in range(len(value)))

    def _branch(self, seq: YamlSeq, index: int, where: str) -> Branch:
        item, line = seq[index], seq.line_of(index)
        label = f"branch {index + 1} of `next` in {where}"
        # Branches that cannot be read stay as inert placeholders ("" is never checked again)
        # so that the branch indexes keep matching the YAML for later line look-ups.
        if not isinstance(item, YamlMap):
            self.problem(
                line,
                f"{label} must be a mapping like {{when: EXPR, to: NODE}}, got {_describe(item)}; "
                "for a single target write next: NODE",
            )
            return Branch("", "", line)
        self._check_keys(item, ("when", "to"), label, others={})
        when: str | None = None
        if "when" in item:
            when = self._expression(item["when"], item.line_of("when"), f"`when` of {label}") or ""
        to = ""
        if "to" not in item:
            self.problem(line, f"{label} has no `to`; name the node to go to, or end")
        else:
            to = self._node_ref(item, "to", label) or ""
        return Branch(to, when, line)

    def _set(self, raw: YamlMap, where: str) -> tuple[tuple[str, str], ...]:
        if "set" not in raw:
            return ()
        value = raw["set"]
        if not isinstance(value, YamlMap):
            self.problem(
                raw.line_of("set"),
                f"`set` in {where} must be a mapping of NAME: EXPRESSION, got {_describe(value)}",
            )
            return ()
        pairs = []
        for name, source in value.items():
            line = value.line_of(name)
            entity = name[len(ENTITY_PREFIX) :] if str(name).startswith(ENTITY_PREFIX) else None
            if not isinstance(name, str) or not NAME.match(entity if entity is not None else name):
                self.problem(
                    line,
                    f"`set` name {_show(name)} in {where} must be a lower-case name like "
                    "order_total (stored under vars), or entities.NAME to set an entity",
                )
            if source is None:
                source = "none"  # `x: ~` clears the value
            pairs.append(
                (str(name), self._expression(source, line, f"`set` {name} in {where}") or "")
            )
        return tuple(pairs)

    # -- entity, message and service nodes ------------------------------------------------------

    def _entity(self, raw: YamlMap, base: dict[str, Any], entity_type: str, where: str) -> Node:
        entity = base["id"]
        if "entity" in raw:
            value = raw["entity"]
            if isinstance(value, str) and NAME.match(value):
                entity = value
            else:
                self.problem(
                    raw.line_of("entity"),
                    f"`entity` in {where} must be a lower-case name like last_name, "
                    f"got {_show(value)}",
                )
        values: tuple[ListValue, ...] = ()
        if entity_type == "list":
            values = self._list_values(raw, where)
        pattern = None
        if entity_type == "regex":
            pattern = self._pattern(raw, where)
        return EntityNode(
            **base,
            kind=NodeKind.ENTITY,
            entity=entity,
            entity_type=entity_type,
            prompt=self._text(raw, "prompt", where, required=True) or "",
            error_prompts=self._texts(raw, "error_prompt", where, single_ok=True),
            retries=self._whole_number(raw, "retries", where, default=3),
            on_failure=self._node_ref(raw, "on_failure", where),
            optional=self._flag(raw, "optional", where),
            validate=self._validate(raw, where),
            values=values,
            pattern=pattern,
        )

    def _validate(self, raw: YamlMap, where: str) -> ValidateRule | None:
        if "validate" not in raw:
            return None
        rule, line = raw["validate"], raw.line_of("validate")
        if not isinstance(rule, YamlMap):
            self.problem(
                line,
                f"`validate` in {where} must be {{when: EXPR, error: TEXT}}, got {_describe(rule)}",
            )
            return None
        label = f"`validate` of {where}"
        self._check_keys(rule, ("when", "error"), label, others={})
        when = ""
        if "when" not in rule:
            self.problem(line, f"{label} needs `when`, the condition the value must meet")
        else:
            when = self._expression(rule["when"], rule.line_of("when"), f"`when` of {label}") or ""
        error = ""
        if "error" not in rule:
            self.problem(line, f"{label} needs `error`, the text said when the value fails `when`")
        else:
            error = self._text(rule, "error", label, required=True) or ""
        return ValidateRule(when, error, line)

    def _list_values(self, raw: YamlMap, where: str) -> tuple[ListValue, ...]:
        if "values" not in raw:
            self.problem(
                raw.line, f"{where} has entity_type list but no `values`; list the allowed values"
            )
            return ()
        seq = raw["values"]
        if not isinstance(seq, YamlSeq) or not seq:
            self.problem(
                raw.line_of("values"),
                f"`values` in {where} must be a list of values, each a text or "
                f"{{value: V, synonyms: [..]}}, got {_describe(seq)}",
            )
            return ()
        out = []
        for index, item in enumerate(seq):
            line = seq.line_of(index)
            if isinstance(item, YamlMap):
                label = f"value #{index + 1} of {where}"
                self._check_keys(item, ("value", "synonyms"), label, others={})
                value = self._text(item, "value", label, required=True)
                synonyms = self._texts(item, "synonyms", label, single_ok=False)
                if value is not None:
                    out.append(ListValue(value, synonyms))
            else:
                value = self._as_text(item, line, f"value #{index + 1}", where)
                if value is not None:
                    out.append(ListValue(value))
        return tuple(out)

    def _pattern(self, raw: YamlMap, where: str) -> str | None:
        if "pattern" not in raw:
            self.problem(
                raw.line,
                f"{where} has entity_type regex but no `pattern`; give the regular expression",
            )
            return None
        pattern = self._text(raw, "pattern", where, required=True)
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.problem(
                    raw.line_of("pattern"),
                    f"`pattern` in {where} is not a valid regular expression: {exc}",
                )
        return pattern

    def _message(self, raw: YamlMap, base: dict[str, Any], where: str) -> Node:
        texts: tuple[str, ...] = ()
        if "text" in raw and "messages" in raw:
            self.problem(
                raw.line_of("messages"), f"{where} has both `text` and `messages`; use one"
            )
        elif "text" in raw:
            text = self._text(raw, "text", where, required=True)
            texts = (text,) if text is not None else ()
        elif "messages" in raw:
            texts = self._texts(raw, "messages", where, single_ok=False)
        else:
            self.problem(raw.line, f"{where} needs `text` (or `messages`, a list of texts)")
        return MessageNode(
            **base, kind=NodeKind.MESSAGE, texts=texts, buttons=self._buttons(raw, where)
        )

    def _buttons(self, raw: YamlMap, where: str) -> tuple[Button, ...]:
        if "buttons" not in raw:
            return ()
        seq = raw["buttons"]
        if not isinstance(seq, YamlSeq):
            self.problem(
                raw.line_of("buttons"),
                f"`buttons` in {where} must be a list of texts or {{label, value}}, "
                f"got {_describe(seq)}",
            )
            return ()
        out = []
        for index, item in enumerate(seq):
            label = f"button #{index + 1} of {where}"
            if isinstance(item, YamlMap):
                self._check_keys(item, ("label", "value"), label, others={})
                text = self._text(item, "label", label, required=True)
                value = self._text(item, "value", label) if "value" in item else text
                if text is not None and value is not None:
                    out.append(Button(text, value))
            else:
                text = self._as_text(item, seq.line_of(index), label, where)
                if text is not None:
                    out.append(Button(text, text))
        return tuple(out)

    def _service(self, raw: YamlMap, base: dict[str, Any], where: str) -> Node:
        auth = None
        if "auth" in raw:
            value = raw["auth"]
            if isinstance(value, str) and value:
                auth = value
            else:
                self.problem(
                    raw.line_of("auth"),
                    f"`auth` in {where} must name an auth profile of config.yaml, "
                    f"got {_describe(value)}",
                )
        return ServiceNode(
            **base,
            kind=NodeKind.SERVICE,
            request=self._request(raw, where),
            auth=auth,
            on_error=self._node_ref(raw, "on_error", where),
            on_auth_failure=self._node_ref(raw, "on_auth_failure", where),
            progress=self._text(raw, "progress", where),
        )

    def _request(self, raw: YamlMap, where: str) -> Request:
        if "request" not in raw:
            self.problem(raw.line, f"{where} needs `request` with at least `url`")
            return Request(url="")
        request = raw["request"]
        if not isinstance(request, YamlMap):
            self.problem(
                raw.line_of("request"),
                f"`request` in {where} must be a mapping with at least `url`, "
                f"got {_describe(request)}",
            )
            return Request(url="")
        label = f"the request of {where}"
        self._check_keys(request, REQUEST_KEYS, label, others={})
        method = request.get("method", "GET")
        if not isinstance(method, str) or method.upper() not in METHODS:
            self.problem(
                request.line_of("method"),
                f"`method` in {where} must be one of {', '.join(METHODS)}, got {_show(method)}",
            )
            method = "GET"
        has_json = "json" in request
        if has_json:
            self._check_json(request["json"], request.line_of("json"), "json", where)
        timeout = 10.0
        if "timeout" in request:
            value = request["timeout"]
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                timeout = float(value)
            else:
                self.problem(
                    request.line_of("timeout"),
                    f"`timeout` in {where} must be a number of seconds greater than 0, "
                    f"got {_show(value)}",
                )
        return Request(
            url=self._text(request, "url", label, required=True, line=raw.line_of("request")) or "",
            method=method.upper(),
            headers=self._text_pairs(request, "headers", where),
            query=self._text_pairs(request, "query", where),
            json=_plain(request.get("json")),
            has_json=has_json,
            json_drop_nulls=self._flag(request, "json_drop_nulls", where),
            timeout=timeout,
        )

    def _text_pairs(self, request: YamlMap, key: str, where: str) -> tuple[tuple[str, str], ...]:
        if key not in request:
            return ()
        value = request[key]
        if not isinstance(value, YamlMap):
            self.problem(
                request.line_of(key),
                f"`{key}` in {where} must be a mapping of names to texts, got {_describe(value)}",
            )
            return ()
        pairs = []
        for name, item in value.items():
            text = self._as_text(item, value.line_of(name), f"`{key}` {name}", where, empty_ok=True)
            if text is not None:
                pairs.append((str(name), text))
        return tuple(pairs)

    def _check_json(self, value: Any, line: int, path: str, where: str) -> None:
        if isinstance(value, YamlMap):
            for key, item in value.items():
                self._check_json(item, value.line_of(key), f"{path}.{key}", where)
        elif isinstance(value, YamlSeq):
            for index, item in enumerate(value):
                self._check_json(item, value.line_of(index), f"{path}.{index}", where)
        elif not isinstance(value, str | int | float | bool | type(None)):
            self.problem(
                line,
                f"`{path}` in {where} holds {_describe(value)}; JSON can only hold texts, "
                "numbers, true/false, null, lists and mappings",
            )

    # -- values ---------------------------------------------------------------------------------

    def _text(
        self,
        raw: YamlMap,
        key: str,
        where: str,
        *,
        required: bool = False,
        empty_ok: bool = False,
        line: int = 0,
    ) -> str | None:
        if key not in raw:
            if required:
                self.problem(line or raw.line, f"{where} needs `{key}`{NEEDED.get(key, '')}")
            return None
        return self._as_text(raw[key], raw.line_of(key), f"`{key}`", where, empty_ok=empty_ok)

    def _as_text(
        self, value: Any, line: int, what: str, where: str, *, empty_ok: bool = False
    ) -> str | None:
        if isinstance(value, str):
            if value.strip() or empty_ok:
                return value
            self.problem(line, f"{what} in {where} is empty; write the text")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.problem(line, f"{what} in {where} must be text, got {_describe(value)}")
        return None

    def _texts(self, raw: YamlMap, key: str, where: str, *, single_ok: bool) -> tuple[str, ...]:
        if key not in raw:
            return ()
        value, line = raw[key], raw.line_of(key)
        if single_ok and not isinstance(value, list):
            text = self._as_text(value, line, f"`{key}`", where)
            return (text,) if text is not None else ()
        if not isinstance(value, YamlSeq) or not value:
            wanted = "a text or a list of texts" if single_ok else "a list of texts"
            got = "an empty list" if isinstance(value, list) else _describe(value)
            self.problem(line, f"`{key}` in {where} must be {wanted}, got {got}")
            return ()
        texts = (
            self._as_text(item, value.line_of(i), f"item {i + 1} of `{key}`", where)
            for i, item in enumerate(value)
        )
        return tuple(t for t in texts if t is not None)

    def _expression(self, value: Any, line: int, what: str) -> str | None:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, str) and value.strip():
            return value
        self.problem(
            line,
            f"{what} must be an expression such as entities.count > 2, got {_describe(value)}",
        )
        return None

    def _node_ref(self, raw: YamlMap, key: str, where: str) -> str | None:
        if key not in raw:
            return None
        value = raw[key]
        if isinstance(value, str) and value:
            return value
        self.problem(
            raw.line_of(key), f"`{key}` in {where} must be a node id or end, got {_describe(value)}"
        )
        return None

    def _whole_number(self, raw: YamlMap, key: str, where: str, *, default: int) -> int:
        if key not in raw:
            return default
        value, line = raw[key], raw.line_of(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(line, f"{where}: `{key}` must be a whole number, got {_show(value)}")
            return default
        if value < 0:
            self.problem(line, f"{where}: `{key}` must be 0 or more, got {value}")
            return default
        return value

    def _flag(self, raw: YamlMap, key: str, where: str) -> bool:
        value = raw.get(key, False)
        if isinstance(value, bool):
            return value
        self.problem(
            raw.line_of(key), f"{where}: `{key}` must be true or false, got {_show(value)}"
        )
        return False


# -- helpers ------------------------------------------------------------------------------------


def _did_you_mean(word: Any, choices: Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _show(value: Any) -> str:
    """A value as an author would recognise it in a message."""
    if isinstance(value, str):
        return repr(value)
    return _describe(value)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _plain(value: Any) -> Any:
    """YAML collections as plain dicts and lists, for the model."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
