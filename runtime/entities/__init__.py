"""Entity types: reading a user's answer as a number, date, email, ... and normalising it.

`parse` reads the whole answer to a prompt, `find` looks for a value inside the utterance that
started a dialog, `spots` lists every value of a type in a sentence with where it is (a `Spot`),
`recheck` vets a value that is already set, `is_skip` spots "skip"/"none" for
optional entities. Every result is a `Parsed`: ``ok`` with the normalised ``value``, or an
``error`` that is the type's own message to the user.

    string    the text, trimmed            list      the canonical value
    number    int or float                 regex     the match (group 1 if any)
    boolean   True / False                 url       "https://host/path"
    email     the address, domain lower    date      "YYYY-MM-DD" in the bot's time zone
    phone     E.164 ("+14155550123")       currency  {"amount": 1200, "currency": "USD"}
"""

from runtime.entities.base import EntitySettings, EntitySpec, Parsed, SpecError
from runtime.entities.registry import (
    FINDABLE,
    SPOTTABLE,
    find,
    parse,
    recheck,
    spec_problems,
    spots,
    warm_up,
)
from runtime.entities.skip import is_skip
from runtime.entities.spots import Spot

__all__ = [
    "FINDABLE",
    "SPOTTABLE",
    "EntitySettings",
    "EntitySpec",
    "Parsed",
    "SpecError",
    "Spot",
    "find",
    "is_skip",
    "parse",
    "recheck",
    "spec_problems",
    "spots",
    "warm_up",
]
