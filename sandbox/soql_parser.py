"""Recursive-descent parser for the SOQL subset the sandbox org answers.

Grammar (keywords in any case):

    query      := SELECT (COUNT '(' ')' | field (',' field)*) FROM name
                  [WHERE condition] [ORDER BY order (',' order)*] [LIMIT int] [OFFSET int]
    condition  := NOT operand
                | operand (AND operand)*
                | operand (OR operand)*
    operand    := '(' condition ')' | field op literal | field [NOT] IN '(' literal, ... ')'
    op         := = | != | <> | < | <= | > | >= | LIKE
    order      := field [ASC|DESC] [NULLS (FIRST|LAST)]

As in a real org, AND and OR cannot be mixed without parentheses, and NOT must stand at the
start of a condition (`A AND (NOT B)`, never `A AND NOT B`). The SOSL parser reuses
`parse_condition`, `parse_order_by` and `parse_fields` for its RETURNING clauses.
"""

from __future__ import annotations

from sandbox.soql_ast import (
    And,
    BoolLit,
    Comparison,
    Condition,
    DateLit,
    DateTimeLit,
    FieldRef,
    InList,
    Literal,
    Not,
    NullLit,
    NumberLit,
    Or,
    OrderItem,
    Query,
    RelativeDate,
    StringLit,
)
from sandbox.soql_dates import RELATIVE_DATES
from sandbox.soql_lexer import N_DATE_LITERALS, Kind, Lexer, SoqlError, Token

MAX_OFFSET = 2000
# Deeper nesting than this is refused rather than left to exhaust Python's stack.
MAX_NESTING = 100

# Words that can never name a field or an object.
RESERVED = frozenset(
    {
        "AND",
        "ASC",
        "BY",
        "DESC",
        "EXCLUDES",
        "FALSE",
        "FOR",
        "FROM",
        "GROUP",
        "HAVING",
        "IN",
        "INCLUDES",
        "LIKE",
        "LIMIT",
        "NOT",
        "NULL",
        "NULLS",
        "OFFSET",
        "OR",
        "ORDER",
        "SELECT",
        "TRUE",
        "USING",
        "WHERE",
        "WITH",
    }
)


class Parser:
    """Parses from a `Lexer`, one token of lookahead; `code` is the syntax-error code."""

    def __init__(self, lexer: Lexer, code: str = "MALFORMED_QUERY") -> None:
        self.lexer = lexer
        self.text = lexer.text
        self.code = code
        self.tok = lexer.next()
        self.depth = 0

    # -- helpers -----------------------------------------------------------------------------

    def advance(self) -> Token:
        """Consume the current token and return it."""
        tok = self.tok
        self.tok = self.lexer.next()
        return tok

    def unexpected(self, tok: Token | None = None) -> SoqlError:
        """`unexpected token: X` pointing at `tok` (default: the current token)."""
        tok = tok or self.tok
        return SoqlError.at(self.text, tok.pos, self.code, f"unexpected token: {tok.text}")

    def expect(self, kind: Kind) -> Token:
        if self.tok.kind is not kind:
            raise self.unexpected()
        return self.advance()

    def expect_word(self, word: str) -> Token:
        if not self.tok.is_word(word):
            raise self.unexpected()
        return self.advance()

    def accept_word(self, word: str) -> bool:
        if self.tok.is_word(word):
            self.advance()
            return True
        return False

    def name(self) -> Token:
        """An identifier that is not a reserved word (a field or object name)."""
        if self.tok.kind is not Kind.IDENT or self.tok.upper in RESERVED:
            raise self.unexpected()
        return self.advance()

    def integer(self) -> int:
        tok = self.tok
        if tok.kind is not Kind.NUMBER or not isinstance(tok.value, int) or tok.value < 0:
            raise self.unexpected()
        self.advance()
        return tok.value

    def expect_end(self) -> None:
        if self.tok.kind is not Kind.EOF:
            raise self.unexpected()

    # -- query -------------------------------------------------------------------------------

    def parse_query(self) -> Query:
        """A whole SELECT statement, up to the end of the text."""
        if not self.tok.is_word("SELECT"):
            # A text that does not even start like a query gets the bare message, as recorded.
            raise SoqlError(self.code, f"unexpected token: {self.tok.text}")
        self.advance()
        is_count = False
        fields: tuple[FieldRef, ...] = ()
        if self.tok.is_word("COUNT"):
            count = self.advance()
            self.expect(Kind.LPAREN)
            if self.tok.kind is not Kind.RPAREN:
                raise SoqlError.at(
                    self.text,
                    count.pos,
                    self.code,
                    "The sandbox org supports COUNT() only; aggregate functions such as "
                    "COUNT(field) are not implemented",
                )
            self.advance()
            is_count = True
        else:
            fields = self.parse_fields()
        self.expect_word("FROM")
        sobject = self.name()
        where = self.parse_condition() if self.accept_word("WHERE") else None
        order_by = self.parse_order_by() if self.tok.is_word("ORDER") else ()
        limit = self.integer() if self.accept_word("LIMIT") else None
        offset = None
        if self.tok.is_word("OFFSET"):
            self.advance()
            offset_tok = self.tok
            offset = self.integer()
            if offset > MAX_OFFSET:
                raise SoqlError.at(
                    self.text,
                    offset_tok.pos,
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    f"Maximum SOQL offset allowed is {MAX_OFFSET}",
                )
        self.expect_end()
        return Query(
            text=self.text,
            fields=fields,
            is_count=is_count,
            sobject=sobject.text,
            sobject_pos=sobject.pos,
            where=where,
            order_by=order_by,
            limit=limit,
            offset=offset,
        )

    def parse_fields(self) -> tuple[FieldRef, ...]:
        """`field (',' field)*`."""
        fields = [self._field()]
        while self.tok.kind is Kind.COMMA:
            self.advance()
            fields.append(self._field())
        return tuple(fields)

    def _field(self) -> FieldRef:
        tok = self.name()
        return FieldRef(tok.text, tok.pos)

    # -- WHERE -------------------------------------------------------------------------------

    def parse_condition(self) -> Condition:
        """A condition: NOT x, or x joined by only ANDs or only ORs."""
        if self.accept_word("NOT"):
            operand = self._operand()
            if self.tok.is_word("AND", "OR"):
                raise self.unexpected()
            return Not(operand)
        first = self._operand()
        if not self.tok.is_word("AND", "OR"):
            return first
        joiner = self.tok.upper
        operands = [first]
        while self.tok.is_word("AND", "OR"):
            if self.tok.upper != joiner:
                raise self.unexpected()
            self.advance()
            operands.append(self._operand())
        return And(tuple(operands)) if joiner == "AND" else Or(tuple(operands))

    def _operand(self) -> Condition:
        if self.tok.kind is Kind.LPAREN:
            if self.depth >= MAX_NESTING:
                raise SoqlError.at(
                    self.text,
                    self.tok.pos,
                    self.code,
                    f"Conditions may be nested at most {MAX_NESTING} parentheses deep",
                )
            self.advance()
            self.depth += 1
            inner = self.parse_condition()
            self.depth -= 1
            self.expect(Kind.RPAREN)
            return inner
        field = self._field()
        op_tok = self.tok
        if op_tok.kind is Kind.OP:
            self.advance()
            return Comparison(field, op_tok.value, self._literal(), op_tok.pos)
        if op_tok.is_word("LIKE"):
            self.advance()
            return Comparison(field, "LIKE", self._literal(), op_tok.pos)
        negated = False
        if op_tok.is_word("NOT"):
            self.advance()
            negated = True
            if not self.tok.is_word("IN"):
                raise self.unexpected()
        if self.tok.is_word("IN"):
            self.advance()
            return InList(field, self._literal_list(), negated, op_tok.pos)
        raise self.unexpected()

    def _literal_list(self) -> tuple[Literal, ...]:
        self.expect(Kind.LPAREN)
        values = [self._literal()]
        while self.tok.kind is Kind.COMMA:
            self.advance()
            values.append(self._literal())
        self.expect(Kind.RPAREN)
        return tuple(values)

    def _literal(self) -> Literal:
        tok = self.tok
        kind = tok.kind
        literal: Literal
        if kind is Kind.STRING:
            assert tok.like is not None
            literal = StringLit(tok.value, tok.text, tok.pos, tok.like, tok.like_escape)
        elif kind is Kind.NUMBER:
            literal = NumberLit(tok.value, tok.text, tok.pos)
        elif kind is Kind.DATE:
            literal = DateLit(tok.value, tok.text, tok.pos)
        elif kind is Kind.DATETIME:
            literal = DateTimeLit(tok.value, tok.text, tok.pos)
        elif tok.is_word("TRUE", "FALSE"):
            literal = BoolLit(tok.upper == "TRUE", tok.text, tok.pos)
        elif tok.is_word("NULL"):
            literal = NullLit(tok.text, tok.pos)
        elif kind is Kind.IDENT and tok.upper in RELATIVE_DATES and tok.value is None:
            literal = RelativeDate(tok.upper, None, tok.text, tok.pos)
        elif kind is Kind.IDENT and tok.value is not None:
            name = tok.upper.split(":", 1)[0]
            assert name in N_DATE_LITERALS
            literal = RelativeDate(name, tok.value, tok.text, tok.pos)
        else:
            raise self.unexpected()
        self.advance()
        return literal

    # -- ORDER BY ----------------------------------------------------------------------------

    def parse_order_by(self) -> tuple[OrderItem, ...]:
        """`ORDER BY item (',' item)*`."""
        self.expect_word("ORDER")
        self.expect_word("BY")
        items = [self._order_item()]
        while self.tok.kind is Kind.COMMA:
            self.advance()
            items.append(self._order_item())
        return tuple(items)

    def _order_item(self) -> OrderItem:
        field = self._field()
        descending = False
        if self.tok.is_word("ASC", "DESC"):
            descending = self.advance().upper == "DESC"
        nulls_first = not descending
        if self.accept_word("NULLS"):
            if not self.tok.is_word("FIRST", "LAST"):
                raise self.unexpected()
            nulls_first = self.advance().upper == "FIRST"
        return OrderItem(field, descending, nulls_first)


def parse_soql(text: str) -> Query:
    """Parse a SOQL SELECT statement into a `Query`, or raise `SoqlError` (MALFORMED_QUERY...)."""
    if not text or not text.strip():
        raise SoqlError("MALFORMED_QUERY", "SOQL statements cannot be empty or null")
    return Parser(Lexer(text)).parse_query()


def parse_where(text: str, code: str = "MALFORMED_QUERY") -> Condition:
    """Parse a bare condition (e.g. parameterized search's `where`), up to the end of `text`."""
    parser = Parser(Lexer(text, code=code), code)
    condition = parser.parse_condition()
    parser.expect_end()
    return condition


def parse_order_clause(text: str, code: str = "MALFORMED_QUERY") -> tuple[OrderItem, ...]:
    """Parse the items of an ORDER BY without the keywords, e.g. `Name DESC NULLS LAST`."""
    parser = Parser(Lexer(text, code=code), code)
    items = [parser._order_item()]
    while parser.tok.kind is Kind.COMMA:
        parser.advance()
        items.append(parser._order_item())
    parser.expect_end()
    return tuple(items)
