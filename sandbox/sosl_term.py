"""The search term of SOSL's `FIND {...}`, and how the sandbox org matches it against records.

Term syntax, as documented: words, `"phrases"`, `( )`, the operators `AND`, `OR` and `AND NOT`
(upper case; precedence parentheses, then AND / AND NOT, then OR; words side by side are ANDed),
and the wildcards `*` (zero or more characters) and `?` (exactly one). The reserved characters
``? & | ! { } [ ] ( ) ^ ~ * : \\ " ' + -`` must be backslash-escaped to be searched for, even
inside a phrase; an unescaped one is an error. A backslash before any other character is
taken as that character.

Matching approximates the real search index:

* a record's searchable text is cut into tokens, runs of letters and digits, case-folded
  (punctuation separates tokens and is never matched); phone fields also index their digits
  run together, so `4155551212` finds `(415) 555-1212`;
* a word matches a record when its own tokens appear consecutively in one field (so an escaped
  `Smith\\-Jones` or `jo@acme.com` matches as a sequence); a phrase likewise, over all its words;
* `*` and `?` work inside one token; there is no stemming, no stop-word list and no implicit
  prefix matching: `Acm` does not find `Acme`, `Acm*` does;
* a word made only of punctuation (`\\&`) matches everything, like a stop word.

A search whose words hold fewer than two letters or digits in all is refused with
INVALID_SEARCH "search term must be longer than one character".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.schema import FieldSchema, ObjectSchema
from sandbox.soql_lexer import SoqlError

RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
WILDCARDS = frozenset("*?")
_NON_DIGIT_RE = re.compile(r"\D")

# Deeper nesting than this is refused rather than left to exhaust Python's stack.
MAX_NESTING = 100
SEARCH_GROUPS = ("ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR")
_TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url"})
# Lead's name search covers the parts of its compound Name and its Company.
_NAME_PARTS = frozenset({"FirstName", "LastName", "Company"})


@dataclass(frozen=True)
class Words:
    """A word or a phrase, as a pattern finding its tokens side by side in one field's text
    (None when it has no letters or digits, and so matches everything)."""

    pattern: re.Pattern[str] | None


@dataclass(frozen=True)
class AllOf:
    """Every part matches (a negated part must not)."""

    parts: tuple[tuple[TermNode, bool], ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[TermNode, ...]


TermNode = Words | AllOf | AnyOf


# -- parsing FIND {...} -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    kind: str  # "word", "phrase", "(", ")"
    pos: int
    units: tuple[tuple[str, bool], ...] = ()  # (character, is wildcard)

    @property
    def operator(self) -> str | None:
        if self.kind != "word" or any(wild for _, wild in self.units):
            return None
        spelled = "".join(ch for ch, _ in self.units)
        return spelled if spelled in ("AND", "OR") else None

    @property
    def shown(self) -> str:
        if self.kind in ("(", ")"):
            return self.kind
        body = "".join(ch for ch, _ in self.units)
        return f'"{body}"' if self.kind == "phrase" else body


class _TermParser:
    def __init__(self, text: str, start: int, end: int, code: str) -> None:
        self.text = text
        self.end = end
        self.code = code
        self.items = self._scan(start, end)
        self.i = 0
        self.depth = 0

    def _error(self, pos: int, message: str) -> SoqlError:
        return SoqlError.at(self.text, pos, self.code, message)

    def _mismatched(self, pos: int, found: str, expecting: str) -> SoqlError:
        row = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return self._error(
            pos, f"line {row}:{col} mismatched character '{found}' expecting '{expecting}'"
        )

    def _unit(self, i: int) -> tuple[tuple[str, bool], int]:
        """The character unit at `i` (resolving an escape) and where the next one starts."""
        ch = self.text[i]
        if ch == "\\":
            # The closing brace is never escaped, so a backslash is always followed here.
            return (self.text[i + 1], False), i + 2
        if ch in WILDCARDS:
            return (ch, True), i + 1
        if ch in RESERVED:
            raise self._mismatched(i, ch, "}")
        return (ch, False), i + 1

    def _scan(self, start: int, end: int) -> list[_Item]:
        text = self.text
        items: list[_Item] = []
        i = start
        while i < end:
            ch = text[i]
            if ch.isspace():
                i += 1
            elif ch in "()":
                items.append(_Item(ch, i))
                i += 1
            elif ch == '"':
                begin = i
                i += 1
                units = []
                while i < end and text[i] != '"':
                    unit, i = self._unit(i)
                    units.append(unit)
                if i >= end:
                    raise self._mismatched(end, "}", '"')
                items.append(_Item("phrase", begin, tuple(units)))
                i += 1
            else:
                begin = i
                units = []
                while i < end and not text[i].isspace() and text[i] not in '()"':
                    unit, i = self._unit(i)
                    units.append(unit)
                items.append(_Item("word", begin, tuple(units)))
        return items

    # expr := all (OR all)* ; all := unary ((AND [NOT] | nothing) unary)* ; unary := ( expr ) | w
    def _peek(self) -> _Item | None:
        return self.items[self.i] if self.i < len(self.items) else None

    def _unexpected(self, item: _Item | None) -> SoqlError:
        if item is None:
            return self._error(self.end, "unexpected token: }")
        return self._error(item.pos, f"unexpected token: {item.shown}")

    def parse(self) -> TermNode:
        if not self.items:
            raise self._unexpected(None)
        node = self._any()
        if self._peek() is not None:
            raise self._unexpected(self._peek())
        return node

    def _any(self) -> TermNode:
        parts = [self._all()]
        while (item := self._peek()) is not None and item.operator == "OR":
            self.i += 1
            parts.append(self._all())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def _all(self) -> TermNode:
        parts: list[tuple[TermNode, bool]] = [(self._unary(), False)]
        while (item := self._peek()) is not None and item.kind != ")" and item.operator != "OR":
            negate = False
            if item.operator == "AND":
                self.i += 1
                nxt = self._peek()
                if nxt is not None and nxt.kind == "word" and nxt.shown == "NOT":
                    self.i += 1
                    negate = True
            parts.append((self._unary(), negate))
        return parts[0][0] if len(parts) == 1 else AllOf(tuple(parts))

    def _unary(self) -> TermNode:
        item = self._peek()
        if item is None or item.kind == ")" or item.operator is not None:
            raise self._unexpected(item)
        self.i += 1
        if item.kind == "(":
            if self.depth >= MAX_NESTING:
                raise self._error(
                    item.pos, f"Search terms may be nested at most {MAX_NESTING} parentheses deep"
                )
            self.depth += 1
            inner = self._any()
            self.depth -= 1
            closing = self._peek()
            if closing is None or closing.kind != ")":
                raise self._unexpected(closing)
            self.i += 1
            return inner
        return _words(item.units)


# Index tokens are runs of letters and digits; fields are joined by NUL in a record's text, so
# a separator between two tokens of one word may be any other character but NUL.
_TOKEN_CHAR = r"[^\W_]"
_BEFORE = rf"(?<!{_TOKEN_CHAR})"
_AFTER = rf"(?!{_TOKEN_CHAR})"
_SEPARATOR = r"(?:[^\w\x00]|_)+"


def _words(units: Iterable[tuple[str, bool]]) -> Words:
    """The pattern for a word's characters: punctuation splits tokens, wildcards stay inside."""
    tokens: list[list[tuple[str, bool]]] = [[]]
    for ch, wild in units:
        if wild or ch.isalnum():
            tokens[-1].append((ch, wild))
        elif tokens[-1]:
            tokens.append([])
    patterns = [
        "".join(
            (f"{_TOKEN_CHAR}*" if ch == "*" else _TOKEN_CHAR) if wild else re.escape(ch.casefold())
            for ch, wild in token
        )
        for token in tokens
        if token
    ]
    if not patterns:
        return Words(None)
    return Words(re.compile(_BEFORE + _SEPARATOR.join(patterns) + _AFTER))


def _significant(units: Iterable[tuple[str, bool]]) -> int:
    return sum(1 for ch, wild in units if not wild and ch.isalnum())


def _check_length(count: int) -> None:
    if count < 2:
        raise SoqlError("INVALID_SEARCH", "search term must be longer than one character")


def parse_term(text: str, start: int, end: int, code: str = "MALFORMED_SEARCH") -> TermNode:
    """The search term `text[start:end]` (inside the braces) as a tree, or `SoqlError`."""
    parser = _TermParser(text, start, end, code)
    node = parser.parse()
    _check_length(sum(_significant(item.units) for item in parser.items))
    return node


def plain_term(q: str) -> TermNode:
    """Parameterized search's `q`: plain words, every character literal, all of them ANDed."""
    words = [tuple((ch, False) for ch in word) for word in q.split()]
    _check_length(sum(_significant(units) for units in words))
    return AllOf(tuple((_words(units), False) for units in words))


# -- matching ---------------------------------------------------------------------------------


def searchable_fields(obj: ObjectSchema, group: str) -> list[FieldSchema]:
    """The fields of `obj` a search `IN <group> FIELDS` looks at."""
    text_fields = [f for f in obj.fields.values() if f.type in _TEXT_TYPES]
    names = [f for f in text_fields if f.name_field or f.name in _NAME_PARTS]
    emails = [f for f in text_fields if f.type == "email"]
    phones = [f for f in text_fields if f.type == "phone"]
    if group == "NAME":
        return names
    if group == "EMAIL":
        return emails
    if group == "PHONE":
        return phones
    if group == "SIDEBAR":
        return names + emails + phones
    return text_fields


@dataclass(frozen=True)
class SearchedFields:
    """The names of the fields a search reads, and which of them hold phone numbers."""

    names: tuple[str, ...]
    phones: tuple[str, ...]


def searched_fields(obj: ObjectSchema, group: str) -> SearchedFields:
    """The fields of `obj` a search `IN <group> FIELDS` reads, by name."""
    fields = searchable_fields(obj, group)
    return SearchedFields(
        tuple(f.name for f in fields), tuple(f.name for f in fields if f.type == "phone")
    )


class RecordText:
    """One record's searchable text: its fields' values, case-folded, joined by NUL."""

    def __init__(self, row: Mapping[str, Any], fields: SearchedFields) -> None:
        texts = [str(v) for v in map(row.get, fields.names) if v]
        texts += [_NON_DIGIT_RE.sub("", str(v)) for v in map(row.get, fields.phones) if v]
        self.text = "\x00".join(texts).casefold()

    def has(self, words: Words) -> bool:
        return words.pattern is None or words.pattern.search(self.text) is not None

    def matches(self, node: TermNode) -> bool:
        """Whether this record satisfies the search term `node`."""
        if isinstance(node, Words):
            return self.has(node)
        if isinstance(node, AnyOf):
            return any(self.matches(part) for part in node.parts)
        return all(self.matches(part) != negate for part, negate in node.parts)
