"""SOQL tokens, the on-demand lexer, and Salesforce-style query errors.

The lexer hands out one token at a time, as the parser asks for it. That order matters for
error messages: in `WHERE LastName = 'O'Brien'` a real org reports `unexpected token: Brien`
and never reaches the stray quote at the end, and so do we.

Errors carry Salesforce's error code and its message text. Errors tied to a place in the query
use the org's positional layout (the line echoed, a caret, `ERROR at Row:R:Column:C`, then the
text); see `positional_message`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

# How far the echoed excerpt reaches either side of the error, as seen in recorded errors.
_ECHO_REACH = 32

_DIGITS = frozenset("0123456789")
_IDENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME_RE = re.compile(r"T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?", re.ASCII)
_ZONE_RE = re.compile(r"Z|[+-]\d{2}:?\d{2}", re.ASCII)
_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?", re.ASCII)
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_DIGITS_RE = re.compile(r"\d+", re.ASCII)
_OPERATORS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_WHITESPACE = " \t\r\n"

# Date literals that take a number after a colon, e.g. LAST_N_DAYS:30.
N_DATE_LITERALS = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"})

# `\b` is listed as "bell" in the docs, but clients (simple-salesforce, Java) mean backspace.
_SIMPLE_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}


class SoqlError(Exception):
    """A query the org refuses: `error_code` (e.g. MALFORMED_QUERY) and Salesforce's `message`."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message

    @classmethod
    def at(cls, text: str, pos: int, error_code: str, message: str) -> SoqlError:
        """An error pointing at offset `pos` of `text`, in the org's positional layout (just
        `message` when there is no text to point into)."""
        if not text:
            return cls(error_code, message)
        return cls(error_code, positional_message(text, pos, message))


def positional_message(text: str, pos: int, message: str) -> str:
    """`message` prefixed with the offending excerpt, a caret and `ERROR at Row:R:Column:C`.

    The excerpt is the words of the error's line that start within 32 characters either side
    of the error, which reproduces the excerpts of errors recorded from real orgs.
    """
    pos = max(0, min(pos, len(text)))
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if line_end == -1:
        line_end = len(text)
    line = text[line_start:line_end]
    row = text.count("\n", 0, pos) + 1
    col = pos - line_start
    starts = [
        i for i, ch in enumerate(line) if ch not in _WHITESPACE and (i == 0 or line[i - 1] in " \t")
    ]
    near = [s for s in starts if col - _ECHO_REACH <= s <= col]
    before = [s for s in starts if s <= col]
    first = near[0] if near else (before[-1] if before else 0)
    last_start = max((s for s in starts if s <= col + _ECHO_REACH), default=first)
    end = last_start
    while end < len(line) and line[end] not in " \t":
        end += 1
    excerpt = line[first:end]
    caret = " " * (col - first) + "^"
    return f"\n{excerpt}\n{caret}\nERROR at Row:{row}:Column:{col + 1}\n{message}"


class Kind(Enum):
    """What a token is."""

    IDENT = "identifier"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EOF = "<EOF>"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, source text, offset and decoded value.

    For strings, `value` is the decoded text, `like` the regular expression the literal stands
    for after LIKE, and `like_escape` the offset of its first `\\%` or `\\_` (allowed only there).
    For `LAST_N_DAYS:30` and friends the identifier token's `value` is the number.
    """

    kind: Kind
    text: str
    pos: int
    value: Any = None
    like: str | None = None
    like_escape: int | None = None

    @property
    def upper(self) -> str:
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """Whether this is an identifier spelling one of `words` (any case)."""
        return self.kind is Kind.IDENT and self.text.upper() in words


class Lexer:
    """Cuts `text[start:]` into tokens on demand; `code` is the error code for bad characters."""

    def __init__(self, text: str, start: int = 0, code: str = "MALFORMED_QUERY") -> None:
        self.text = text
        self.pos = start
        self.code = code

    def next(self) -> Token:
        """The next token, or an EOF token at the end of the text."""
        text = self.text
        n = len(text)
        while self.pos < n and text[self.pos] in _WHITESPACE:
            self.pos += 1
        start = self.pos
        if start >= n:
            return Token(Kind.EOF, "<EOF>", n)
        ch = text[start]
        if ch == "'":
            return self._string(start)
        if ch in _DIGITS or (ch in "+-" and start + 1 < n and text[start + 1] in _DIGITS):
            return self._number_or_date(start)
        if ch in _IDENT_START:
            return self._ident(start)
        if ch == "(":
            return self._single(Kind.LPAREN, start)
        if ch == ")":
            return self._single(Kind.RPAREN, start)
        if ch == ",":
            return self._single(Kind.COMMA, start)
        for op in _OPERATORS:
            if text.startswith(op, start):
                self.pos = start + len(op)
                return Token(Kind.OP, op, start, "!=" if op == "<>" else op)
        if ch == ":" and start + 1 < n and text[start + 1] in _IDENT_START:
            raise SoqlError.at(text, start, self.code, "Bind variables only allowed in Apex code")
        raise self._no_viable(start)

    def _single(self, kind: Kind, start: int) -> Token:
        self.pos = start + 1
        return Token(kind, self.text[start], start)

    def _no_viable(self, pos: int) -> SoqlError:
        shown = "<EOF>" if pos >= len(self.text) else self.text[pos]
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        row = self.text.count("\n", 0, pos) + 1
        return SoqlError.at(
            self.text,
            pos,
            self.code,
            f"line {row}:{col} no viable alternative at character '{shown}'",
        )

    def _ident(self, start: int) -> Token:
        text = self.text
        match = _IDENT_RE.match(text, start)
        assert match is not None  # the caller saw a letter or underscore
        end = match.end()
        word = match.group()
        if word.upper() in N_DATE_LITERALS and end < len(text) and text[end] == ":":
            digits = _DIGITS_RE.match(text, end + 1)
            if digits is None:
                raise self._no_viable(end + 1)
            self.pos = digits.end()
            return Token(Kind.IDENT, text[start : self.pos], start, int(digits.group()))
        self.pos = end
        return Token(Kind.IDENT, word, start)

    def _number_or_date(self, start: int) -> Token:
        text = self.text
        day = _DATE_RE.match(text, start)
        if day is None:
            number = _NUMBER_RE.match(text, start)
            assert number is not None  # the caller saw a digit
            self.pos = number.end()
            raw = number.group()
            value: int | float = float(raw) if "." in raw else int(raw)
            return Token(Kind.NUMBER, raw, start, value)
        end = day.end()
        if end < len(text) and text[end] == "T":
            time = _TIME_RE.match(text, end)
            if time is None:
                raise self._no_viable(end + 1)
            zone = _ZONE_RE.match(text, time.end())
            if zone is None:
                raise self._no_viable(time.end())
            self.pos = zone.end()
            raw = text[start : self.pos]
            return Token(Kind.DATETIME, raw, start, _parse_datetime(text, start, raw, self.code))
        self.pos = end
        raw = day.group()
        try:
            value_day = date.fromisoformat(raw)
        except ValueError:
            raise SoqlError.at(text, start, self.code, f"Invalid date: {raw}") from None
        return Token(Kind.DATE, raw, start, value_day)

    def _string(self, start: int) -> Token:
        text = self.text
        i = start + 1
        n = len(text)
        while i < n and text[i] != "'":
            i += 2 if text[i] == "\\" else 1
        if i >= n:
            row = text.count("\n") + 1
            col = n - (text.rfind("\n") + 1) + 1
            raise SoqlError.at(
                text,
                n,
                self.code,
                f"line {row}:{col} mismatched character '<EOF>' expecting '''",
            )
        self.pos = i + 1
        raw = text[start : i + 1]
        value, like, like_escape = _decode(text, start, raw, self.code)
        return Token(Kind.STRING, raw, start, value, like, like_escape)


def _parse_datetime(text: str, start: int, raw: str, code: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise SoqlError.at(text, start, code, f"Invalid dateTime: {raw}") from None


def _decode(text: str, start: int, raw: str, code: str) -> tuple[str, str, int | None]:
    """Decode a quoted literal: its value, its LIKE regex, and where a LIKE-only escape sits."""
    body = raw[1:-1]
    value: list[str] = []
    like: list[str] = []
    like_escape: int | None = None
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            value.append(ch)
            like.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
            i += 1
            continue
        nxt = body[i + 1]
        lowered = nxt.lower()
        if lowered in _SIMPLE_ESCAPES:
            decoded = _SIMPLE_ESCAPES[lowered] if nxt.isalpha() else nxt
            value.append(decoded)
            like.append(re.escape(decoded))
            i += 2
        elif nxt in "%_":
            if like_escape is None:
                like_escape = start + 1 + i
            value.append(nxt)
            like.append(re.escape(nxt))
            i += 2
        elif lowered == "u":
            digits = body[i + 2 : i + 6]
            if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise SoqlError.at(
                    text,
                    start,
                    code,
                    f"Invalid string literal '{body}'. Illegal unicode sequence. "
                    f"'\\u{digits}' in string literal.",
                )
            decoded = chr(int(digits, 16))
            value.append(decoded)
            like.append(re.escape(decoded))
            i += 6
        else:
            raise SoqlError.at(
                text,
                start,
                code,
                f"Invalid string literal '{body}'. Illegal character sequence "
                f"'\\{nxt}' in string literal.",
            )
    return "".join(value), "".join(like), like_escape
