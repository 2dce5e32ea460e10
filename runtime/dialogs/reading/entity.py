"""Entity nodes: what they ask for and how an answer is checked, and the keys of
conversation.md (`extract`, `interruptions`, `amend_words`, `buttons`)."""

from __future__ import annotations

import re
from typing import Any

from runtime.dialogs.model import (
    INTERRUPTIONS,
    EntityNode,
    ListValue,
    NodeKind,
    ValidateRule,
)
from runtime.dialogs.reading.extract import EXAMPLE, PatternError, parse_pattern
from runtime.dialogs.reading.keys import LIST_VALUE_KEYS, NAME, VALIDATE_KEYS
from runtime.dialogs.reading.message import read_buttons
from runtime.dialogs.reading.values import AmendWord, Reader
from runtime.dialogs.reading.wording import describe, show
from runtime.yaml_lines import YamlMap, YamlSeq


def read_entity(
    r: Reader, raw: YamlMap, base: dict[str, Any], entity_type: str, where: str
) -> EntityNode:
    entity = base["id"]
    if "entity" in raw:
        value = raw["entity"]
        if isinstance(value, str) and NAME.match(value):
            entity = value
        else:
            r.problem(
                raw.line_of("entity"),
                f"`entity` in {where} must be a lower-case name like last_name, got {show(value)}",
            )
    values: tuple[ListValue, ...] = ()
    if entity_type == "list":
        values = _list_values(r, raw, where)
    pattern = None
    if entity_type == "regex":
        pattern = _pattern(r, raw, where)
    extract, extract_off = _extract(r, raw, where)
    return EntityNode(
        **base,
        kind=NodeKind.ENTITY,
        entity=entity,
        entity_type=entity_type,
        prompt=r.text(raw, "prompt", where, required=True) or "",
        error_prompts=r.texts(raw, "error_prompt", where, single_ok=True),
        retries=r.whole_number(raw, "retries", where, default=3),
        on_failure=r.node_ref(raw, "on_failure", where),
        optional=r.flag(raw, "optional", where),
        validate=_validate(r, raw, where),
        values=values,
        pattern=pattern,
        extract=extract,
        extract_off=extract_off,
        interruptions=r.one_of(raw, "interruptions", INTERRUPTIONS, where),
        amend_words=_amend_words(r, raw, entity, where),
        buttons=read_buttons(r, raw, where),
    )


def _validate(r: Reader, raw: YamlMap, where: str) -> ValidateRule | None:
    if "validate" not in raw:
        return None
    rule, line = raw["validate"], raw.line_of("validate")
    if not isinstance(rule, YamlMap):
        r.problem(
            line,
            f"`validate` in {where} must be {{when: EXPR, error: TEXT}}, got {describe(rule)}",
        )
        return None
    label = f"`validate` of {where}"
    r.check_keys(rule, VALIDATE_KEYS, label)
    when = ""
    if "when" not in rule:
        r.problem(line, f"{label} needs `when`, the condition the value must meet")
    else:
        when = r.expression(rule["when"], rule.line_of("when"), f"`when` of {label}") or ""
    error = ""
    if "error" not in rule:
        r.problem(line, f"{label} needs `error`, the text said when the value fails `when`")
    else:
        error = r.text(rule, "error", label, required=True) or ""
    return ValidateRule(when, error, line)


def _list_values(r: Reader, raw: YamlMap, where: str) -> tuple[ListValue, ...]:
    if "values" not in raw:
        r.problem(
            raw.line, f"{where} has entity_type list but no `values`; list the allowed values"
        )
        return ()
    seq = raw["values"]
    if not isinstance(seq, YamlSeq) or not seq:
        r.problem(
            raw.line_of("values"),
            f"`values` in {where} must be a list of values, each a text or "
            f"{{value: V, synonyms: [..]}}, got {describe(seq)}",
        )
        return ()
    out = []
    for index, item in enumerate(seq):
        line = seq.line_of(index)
        if isinstance(item, YamlMap):
            label = f"value #{index + 1} of {where}"
            r.check_keys(item, LIST_VALUE_KEYS, label)
            value = r.text(item, "value", label, required=True)
            synonyms = r.texts(item, "synonyms", label, single_ok=False)
            if value is not None:
                out.append(ListValue(value, synonyms))
        else:
            value = r.as_text(item, line, f"value #{index + 1}", where)
            if value is not None:
                out.append(ListValue(value))
    return tuple(out)


def _pattern(r: Reader, raw: YamlMap, where: str) -> str | None:
    if "pattern" not in raw:
        r.problem(
            raw.line,
            f"{where} has entity_type regex but no `pattern`; give the regular expression",
        )
        return None
    pattern = r.text(raw, "pattern", where, required=True)
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, OverflowError) as exc:  # OverflowError: a{99999999999}
            r.problem(
                raw.line_of("pattern"),
                f"`pattern` in {where} is not a valid regular expression: {exc}",
            )
        except RecursionError:
            r.problem(
                raw.line_of("pattern"),
                f"`pattern` in {where} is not a regular expression Python can compile: its "
                "groups are nested too deeply",
            )
    return pattern


def _extract(r: Reader, raw: YamlMap, where: str) -> tuple[tuple[str, ...], bool]:
    """The node's patterns, each in its canonical form, and whether `extract: false`."""
    if "extract" not in raw:
        return (), False
    value, line = raw["extract"], raw.line_of("extract")
    if value is False:
        return (), True
    if value is True:
        r.problem(
            line,
            f"`extract: true` in {where} is what happens without it: typed values are taken "
            "from the message that started the dialog, a string only through patterns; list "
            f"patterns such as [{EXAMPLE}], or write false to always ask",
        )
        return (), False
    if isinstance(value, str):
        items = [(value, line)]
    elif isinstance(value, YamlSeq) and value:
        items = [(item, value.line_of(i)) for i, item in enumerate(value)]
    else:
        got = "an empty list" if isinstance(value, list) else describe(value)
        r.problem(
            line,
            f"`extract` in {where} must be a list of patterns such as [{EXAMPLE}], or false "
            f"to always ask, got {got}",
        )
        return (), False
    patterns = []
    for item, at in items:
        if not isinstance(item, str):
            r.problem(
                at,
                f"`extract` in {where} holds {describe(item)}; each entry is a pattern such "
                f"as {EXAMPLE}",
            )
            continue
        try:
            patterns.append(str(parse_pattern(item)))
        except PatternError as exc:
            r.problem(at, f"`extract` pattern {item!r} in {where}: {exc}")
    return tuple(dict.fromkeys(patterns)), False


def _amend_words(r: Reader, raw: YamlMap, entity: str, where: str) -> tuple[str, ...]:
    if "amend_words" not in raw:
        return ()
    found = r.words(raw["amend_words"], raw.line_of("amend_words"), "`amend_words`", where)
    r.amend_words += [AmendWord(word, entity, line) for word, line in found]
    return tuple(dict.fromkeys(word for word, _ in found))
