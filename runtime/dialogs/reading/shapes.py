"""The shape of each key's value in a dialog file, as the reader accepts it.

`keys.py` gives every key of every part of a dialog file one of these shapes; the reader takes
the keys it allows from there, and `runtime.schemas.dialog` turns the same tables into the JSON
Schema that editors use, so that the two cannot drift apart. A shape says what the reader's
method for it accepts (`Text` is what `Reader.text` reads, `Expression` `Reader.expression`...);
checks that need the whole file (a `to` naming a node that exists, an intent listed twice) are
the reader's and validation's alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class Shape:
    """What a key's value may be."""


@dataclass(frozen=True, slots=True)
class Text(Shape):
    """Text that is not blank (a number counts, as its digits); `empty_ok`: blank too."""

    empty_ok: bool = False


@dataclass(frozen=True, slots=True)
class Texts(Shape):
    """A non-empty list of texts; `single_ok`: one text alone too."""

    single_ok: bool = False


@dataclass(frozen=True, slots=True)
class Expression(Shape):
    """A Jinja expression without braces: text, or a number or true/false written bare."""


@dataclass(frozen=True, slots=True)
class NodeRef(Shape):
    """The id of a node of the same dialog, or `end` (when `end_ok`)."""

    end_ok: bool = True


@dataclass(frozen=True, slots=True)
class ProfileRef(Shape):
    """The name of an auth profile of config.yaml."""


@dataclass(frozen=True, slots=True)
class Name(Shape):
    """A name matching `pattern` (a regular expression matched in full)."""

    pattern: str
    example: str


@dataclass(frozen=True, slots=True)
class WholeNumber(Shape):
    """0 or more."""


@dataclass(frozen=True, slots=True)
class Seconds(Shape):
    """A number of seconds above 0."""


@dataclass(frozen=True, slots=True)
class Flag(Shape):
    """true or false."""


@dataclass(frozen=True, slots=True)
class OneOf(Shape):
    choices: tuple[str, ...]
    ignore_case: bool = False


@dataclass(frozen=True, slots=True)
class Words(Shape):
    """A word or phrase, or a non-empty list of them."""


@dataclass(frozen=True, slots=True)
class TextMap(Shape):
    """A mapping of names to texts (`empty_ok`: blank texts too)."""

    empty_ok: bool = False


@dataclass(frozen=True, slots=True)
class Json(Shape):
    """Any YAML that JSON can hold."""


@dataclass(frozen=True, slots=True)
class Fields(Shape):
    """A mapping with these keys (and no other), `required` among them."""

    keys: Mapping[str, Shape]
    required: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ListOf(Shape):
    """A list of `item`; `non_empty`: with at least one."""

    item: Shape
    non_empty: bool = True


@dataclass(frozen=True, slots=True)
class MapOf(Shape):
    """A mapping (or nothing) whose keys are names chosen by the author, each value `value`."""

    value: Shape
    null_ok: bool = True


@dataclass(frozen=True, slots=True)
class AnyOf(Shape):
    shapes: tuple[Shape, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Branches(Shape):
    """`next`: a node id or `end`, or a non-empty list of `{when, to}` branches."""

    branch: Fields


@dataclass(frozen=True, slots=True)
class Assignments(Shape):
    """`set`: NAME (or entities.NAME) to an expression, or nothing to clear it."""

    name_pattern: str


@dataclass(frozen=True, slots=True)
class Patterns(Shape):
    """`extract`: false, or one or a non-empty list of patterns such as "for {value}"."""


@dataclass(frozen=True, slots=True)
class Nodes(Shape):
    """`nodes`: the dialog's nodes, each of one of the kinds of `KIND_FIELDS`."""
