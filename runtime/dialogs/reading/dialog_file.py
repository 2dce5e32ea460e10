"""The file-level keys of a dialog, then its nodes: one YAML mapping to a `Dialog`."""

from __future__ import annotations

import dataclasses

from runtime.dialogs.model import INTERRUPTIONS, Dialog, EntityNode, Node
from runtime.dialogs.reading.keys import FILE_KEYS, ID
from runtime.dialogs.reading.nodes import read_nodes
from runtime.dialogs.reading.values import AmendWord, Reader
from runtime.dialogs.reading.wording import describe
from runtime.intents.synonyms import Synonym, normalise_phrase
from runtime.intents.utterances import utterance_key
from runtime.suggestions import did_you_mean
from runtime.yaml_lines import YamlMap, YamlSeq

WHERE = "the dialog"


def read_file(r: Reader, data: YamlMap) -> Dialog:
    """The dialog in `data` as far as it can be built: without nodes when none could be read
    (that is reported), so that the rest of the file is still checked."""
    r.check_keys(data, FILE_KEYS, "the dialog file")
    dialog_id = _dialog_id(r, data)
    description = r.text(data, "description", WHERE, empty_ok=True) or ""
    intents, intent_lines = _intents(r, data, "intents")
    not_intents, not_intent_lines = _intents(r, data, "not_intents")
    synonyms = _synonyms(r, data)
    interruptions = r.one_of(data, "interruptions", INTERRUPTIONS, WHERE)
    nodes = read_nodes(r, data)
    nodes = _with_amend_words(nodes, _file_amend_words(r, data, nodes))
    _check_amend_words(r)
    start = nodes[0].id if nodes else ""
    if "start" in data:
        start = r.node_ref(data, "start", WHERE) or start
    return Dialog(
        id=dialog_id,
        file=r.file,
        line=data.line_of("dialog"),
        nodes=tuple(nodes),
        start=start,
        description=description,
        intents=intents,
        intent_lines=intent_lines,
        not_intents=not_intents,
        not_intent_lines=not_intent_lines,
        synonyms=synonyms,
        interruptions=interruptions,
    )


def _dialog_id(r: Reader, data: YamlMap) -> str:
    if "dialog" not in data:
        r.problem(
            data.line, "the file has no `dialog` key; name the dialog, e.g. dialog: create_lead"
        )
        return ""
    value, line = data["dialog"], data.line_of("dialog")
    if not isinstance(value, str):
        r.problem(line, f"`dialog` must be the dialog's id, got {describe(value)}")
        return ""
    if not ID.match(value):
        r.problem(
            line,
            f"dialog id {value!r} must start with a lower-case letter and use only a-z, 0-9 and _",
        )
    return value


def _intents(r: Reader, data: YamlMap, key: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """`intents` or `not_intents`: the texts and the line of each."""
    intents = r.texts(data, key, WHERE, single_ok=False)
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
            r.problem(
                line,
                f"{key.removesuffix('s')} {text!r} is listed twice (first at line "
                f"{seen[utterance]}); remove one",
            )
        seen.setdefault(utterance, line)
    return intents, lines


def _synonyms(r: Reader, data: YamlMap) -> tuple[Synonym, ...]:
    if "synonyms" not in data:
        return ()
    table, line = data["synonyms"], data.line_of("synonyms")
    if table is None:  # `synonyms:` with nothing under it, as in config.yaml
        return ()
    if not isinstance(table, YamlMap):
        r.problem(
            line,
            "`synonyms` must map a word to the words that mean it, e.g. "
            f"lead: [prospect], got {describe(table)}",
        )
        return ()
    found: list[Synonym] = []
    for canonical, variants in table.items():
        key_line = table.line_of(canonical)
        if not isinstance(canonical, str) or not canonical.strip():
            r.problem(key_line, "a synonym's canonical word must be text")
            continue
        items = variants if isinstance(variants, YamlSeq) else [variants]
        for i, variant in enumerate(items):
            at = variants.line_of(i) if isinstance(variants, YamlSeq) else key_line
            if not isinstance(variant, str) or not variant.strip():
                r.problem(
                    at,
                    f"synonyms of {canonical!r} must be words or phrases, got {describe(variant)}",
                )
                continue
            if normalise_phrase(variant) == normalise_phrase(canonical):
                r.problem(at, f"{variant!r} is listed as a synonym of itself; remove it")
                continue
            found.append(
                Synonym(normalise_phrase(variant), normalise_phrase(canonical), r.file, at)
            )
    return tuple(found)


# -- amend_words --------------------------------------------------------------------------------


def _file_amend_words(r: Reader, data: YamlMap, nodes: list[Node]) -> dict[str, tuple[str, ...]]:
    """`amend_words: {ENTITY: [words]}`: the words of each entity an entity node asks for."""
    if "amend_words" not in data:
        return {}
    table, line = data["amend_words"], data.line_of("amend_words")
    if table is None:
        return {}
    if not isinstance(table, YamlMap):
        r.problem(
            line,
            "`amend_words` must map an entity to the other names users call it, e.g. "
            f"company: [organisation, employer], got {describe(table)}",
        )
        return {}
    every = [*nodes, *(node for node, _ in r.unplaced)]
    asked = list(dict.fromkeys(n.entity for n in every if isinstance(n, EntityNode) and n.entity))
    found: dict[str, tuple[str, ...]] = {}
    for entity, words in table.items():
        at = table.line_of(entity)
        if entity not in asked and every:  # with no node read, which entity is unknown
            known = ", ".join(f"`{name}`" for name in asked) or "none"
            hint = did_you_mean(entity, asked, shown=lambda c: f"`{c}`")
            hint = hint or f"its entity nodes ask for {known}"
            r.problem(
                at,
                f"`amend_words` names `{entity}`, which no entity node of this dialog asks for; "
                + hint,
            )
            r.words(words, at, f"`amend_words` of `{entity}`", WHERE)  # still checked
            continue
        uses = r.words(words, at, f"`amend_words` of `{entity}`", WHERE)
        r.amend_words += [AmendWord(word, entity, word_line) for word, word_line in uses]
        found[entity] = tuple(word for word, _ in uses)
    return found


def _with_amend_words(nodes: list[Node], extra: dict[str, tuple[str, ...]]) -> list[Node]:
    """Every entity node with the file-level words of its entity after its own."""
    return [
        dataclasses.replace(
            node, amend_words=tuple(dict.fromkeys(node.amend_words + extra[node.entity]))
        )
        if isinstance(node, EntityNode) and node.entity in extra
        else node
        for node in nodes
    ]


def _check_amend_words(r: Reader) -> None:
    """A word names one entity: a second entity given the same word is a problem."""
    first: dict[str, AmendWord] = {}
    reported: set[tuple[str, str]] = set()
    for use in sorted(r.amend_words, key=lambda u: u.line):
        owner = first.setdefault(use.word, use)
        if owner.entity == use.entity or (use.word, use.entity) in reported:
            continue
        reported.add((use.word, use.entity))
        r.problem(
            use.line,
            f"amend word {use.word!r} is given to `{use.entity}` here and to `{owner.entity}` "
            f"at line {owner.line}; a word can name only one entity of a dialog: remove it "
            "from one of them",
        )
