"""Values the sentence that started a dialog already holds (conversation.md, "Values from what
the user already said").

Built once per dialog from its entity nodes: typed entities are looked for anywhere in the
sentence, `string` entities only through their node's `extract` patterns ("for {value}").
Each piece of the sentence gives at most one value: typed values claim their text first (the
most specific types first, so "$10k" is money and not the number 10, "the 5th" a date), then
each pattern's `{value}` takes the words after its keyword, up to the next keyword of the
dialog's patterns, text another value came from, or the end.

What comes out is only a proposal: the executor puts every value through the node's type check
and `validate` before using it, as it does for an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from runtime.dialogs.compiler import CompiledDialog
from runtime.dialogs.reading.extract import PatternError, parse_pattern
from runtime.entities import SPOTTABLE, EntitySettings, EntitySpec, Spot, spots

# Types in the order they claim text: a wider, more specific reading first.
CLAIM_ORDER = ("email", "url", "phone", "currency", "date", "regex", "list", "number")
# Connecting words dropped from the end of a captured value ("for Pat at" -> "Pat").
CONNECTORS = frozenset({"on", "for", "at", "in", "by", "with", "and", "to", "from", "of"})
# A captured value made only of these is no value: "create a lead for me".
_NOT_A_VALUE = """
    me us you him her them it this that these those someone somebody something anyone one
    a an the my our your his their its some new please now today
"""
NOT_A_VALUE = frozenset(_NOT_A_VALUE.split())
_WORD = re.compile(r"[^\s]+")
_CLAUSE_END = ",;!?"
_EDGE_PUNCTUATION = ".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb"


@dataclass(frozen=True, slots=True)
class Pattern:
    keywords: tuple[str, ...]  # lower-case words before {value}
    selector: str  # "", "first" (every word but the last) or "last" (the last word)


@dataclass(frozen=True, slots=True)
class Wanted:
    entity: str
    spec: EntitySpec
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class _Word:
    text: str  # lower-case, edge punctuation removed
    start: int
    end: int
    ends_clause: bool = False  # followed by , ; ! or ?: a value never runs past it


def _pattern(source: str) -> Pattern | None:
    """ "for {value}" -> Pattern(("for",), ""); None for what the loader refuses."""
    try:
        parsed = parse_pattern(source)
    except PatternError:
        return None
    keywords = tuple(k for k in (_plain(w) for w in parsed.keywords.split()) if k)
    return Pattern(keywords, parsed.selector) if keywords else None


class Extractor:
    """What one dialog can take from its opening sentence."""

    def __init__(self, dialog: CompiledDialog) -> None:
        typed: list[Wanted] = []
        strings: list[Wanted] = []
        seen: set[str] = set()
        for cn in dialog.entity_nodes:
            node = cn.node
            if node.extract_off or node.entity in seen:
                continue
            seen.add(node.entity)
            patterns = tuple(p for p in map(_pattern, node.extract) if p is not None)
            wanted = Wanted(node.entity, cn.spec, patterns)
            if node.entity_type == "string":
                if patterns:
                    strings.append(wanted)
            elif node.entity_type in SPOTTABLE:
                typed.append(wanted)
        rank = {kind: i for i, kind in enumerate(CLAIM_ORDER)}
        self.typed = tuple(sorted(typed, key=lambda w: rank.get(w.spec.entity_type, 99)))
        self.strings = tuple(strings)
        self.keywords = frozenset(p.keywords for w in (*typed, *strings) for p in w.patterns)
        # How many entities of each type the dialog asks for: one alone takes its value from
        # anywhere; several of a type each need a pattern to tell them apart.
        self._per_type: dict[str, int] = {}
        for w in typed:
            key = _type_key(w.spec)
            self._per_type[key] = self._per_type.get(key, 0) + 1

    @property
    def empty(self) -> bool:
        return not self.typed and not self.strings

    def extract(self, text: str, settings: EntitySettings) -> dict[str, Any]:
        if self.empty or not text:
            return {}
        words = _words(text) if self.keywords else ()
        taken: list[tuple[int, int]] = []
        found: dict[str, Any] = {}
        for wanted in self.typed:
            spot = self._typed(wanted, text, words, taken, settings)
            if spot is not None:
                found[wanted.entity] = spot.value
                taken.append((spot.start, spot.end))
        claimed: dict[tuple[int, int], set[str]] = {}  # slot -> selectors that took from it
        for wanted in self.strings:
            value = self._string(wanted, text, words, taken, claimed)
            if value:
                found[wanted.entity] = value
        return found

    def _typed(
        self,
        wanted: Wanted,
        text: str,
        words: Sequence[_Word],
        taken: list[tuple[int, int]],
        settings: EntitySettings,
    ) -> Spot | None:
        free = [s for s in spots(wanted.spec, text, settings) if not _overlaps(s, taken)]
        if not free:
            return None
        for pattern in wanted.patterns:  # a pattern points at the value: "closing {value}"
            for start, _ in self._slots(pattern, words, taken):
                after = [s for s in free if s.start >= start]
                if after and not _words_between(words, start, after[0].start):
                    return after[0]
        if self._per_type[_type_key(wanted.spec)] > 1:
            return None  # several entities of this type and no pattern said which is which
        values = {_hashable(s.value) for s in free}
        return free[0] if len(values) == 1 else None

    def _string(
        self,
        wanted: Wanted,
        text: str,
        words: Sequence[_Word],
        taken: list[tuple[int, int]],
        claimed: dict[tuple[int, int], set[str]],
    ) -> str | None:
        """The first pattern of the entity that points at words no other value took.

        `{value:first}` and `{value:last}` share the words they split; `{value}` takes all."""
        for pattern in wanted.patterns:
            for slot in self._slots(pattern, words, taken):
                used = claimed.get(slot, set())
                if "" in used or pattern.selector in used or (used and not pattern.selector):
                    continue
                captured = _trimmed([w for w in words if slot[0] <= w.start and w.end <= slot[1]])
                if not captured or all(w.text in NOT_A_VALUE for w in captured):
                    continue
                value = _select(text, captured, pattern.selector)
                if value:
                    claimed.setdefault(slot, set()).add(pattern.selector)
                    return value
        return None

    def _slots(
        self, pattern: Pattern, words: Sequence[_Word], taken: list[tuple[int, int]]
    ) -> Iterable[tuple[int, int]]:
        """(start, end) of the text each occurrence of the pattern's keywords points at."""
        size = len(pattern.keywords)
        for i in range(len(words) - size + 1):
            if tuple(w.text for w in words[i : i + size]) != pattern.keywords:
                continue
            if any(_inside(w.start, taken) for w in words[i : i + size]):
                continue
            first = i + size
            if first >= len(words) or _inside(words[first].start, taken):
                continue
            if self._keyword_at(words, first) or words[i + size - 1].ends_clause:
                continue  # "new lead for me": nothing between two keywords
            last = first
            while last + 1 < len(words) and not words[last].ends_clause:
                nxt = last + 1
                if _inside(words[nxt].start, taken) or self._keyword_at(words, nxt):
                    break
                last = nxt
            yield words[first].start, words[last].end

    def _keyword_at(self, words: Sequence[_Word], index: int) -> bool:
        for keywords in self.keywords:
            size = len(keywords)
            if tuple(w.text for w in words[index : index + size]) == keywords:
                return True
        return False


def _words(text: str) -> list[_Word]:
    out = []
    for m in _WORD.finditer(text):
        raw = m[0]
        lead = len(raw) - len(raw.lstrip(_EDGE_PUNCTUATION))
        core = raw.strip(_EDGE_PUNCTUATION)
        if core:
            start = m.start() + lead
            tail = raw[lead + len(core) :]
            ends = any(c in _CLAUSE_END for c in tail)
            out.append(_Word(core.lower(), start, start + len(core), ends))
    return out


def _plain(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION).lower()


def _trimmed(captured: list[_Word]) -> list[_Word]:
    while captured and captured[-1].text in CONNECTORS:
        captured = captured[:-1]
    return captured


def _select(text: str, captured: list[_Word], selector: str) -> str | None:
    """The captured words as the user wrote them, or the part the selector names."""
    if selector == "first":
        captured = captured[:-1]
    elif selector == "last":
        captured = captured[-1:]
    if not captured:
        return None
    start, end = captured[0].start, captured[-1].end
    if text.count("(", start, end) > text.count(")", start, end) and text[end : end + 1] == ")":
        end += 1  # "Smith & Sons (UK)": keep the bracket that edge trimming took off
    return text[start:end]


def _inside(position: int, taken: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in taken)


def _overlaps(spot: Spot, taken: list[tuple[int, int]]) -> bool:
    return any(spot.start < end and start < spot.end for start, end in taken)


def _words_between(words: Sequence[_Word], start: int, end: int) -> bool:
    return any(start <= w.start and w.end <= end for w in words)


def _type_key(spec: EntitySpec) -> str:
    # List and regex entities differ by their values or pattern: each is a type of its own.
    if spec.entity_type == "list":
        return f"list:{id(spec)}"
    if spec.entity_type == "regex":
        return f"regex:{spec.pattern}"
    return spec.entity_type


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value
