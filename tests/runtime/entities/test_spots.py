"""`spots`: every typed value in a sentence, with the characters it came from."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from text_to_num import alpha2digit

from runtime.dialogs.model import ListValue
from runtime.entities import (
    FINDABLE,
    SPOTTABLE,
    EntitySpec,
    SpecError,
    Spot,
    find,
    parse,
    spots,
)
from runtime.entities.wording import fold
from tests.runtime.entities.conftest import settings

# `runtime.entities.spots` is the function; its module is imported by name.
spot_module = sys.modules["runtime.entities.spots"]

STAGE = EntitySpec(
    "list",
    values=(
        ListValue("Qualified", ("hot lead", "warm")),
        ListValue("Closed Won", ("won deal",)),
        ListValue("Café"),
    ),
)
LEAD_ID = EntitySpec("regex", pattern=r"00Q[A-Za-z0-9]{12,15}")
LEAD_ID_AFTER_WORD = EntitySpec("regex", pattern=r"lead (00Q[A-Za-z0-9]{12,15})")
SPECS = {kind: EntitySpec(kind) for kind in ("email", "phone", "date", "number", "currency", "url")}
SPECS |= {"list": STAGE, "regex": LEAD_ID}
USD = {"amount": 10000, "currency": "USD"}


def found(spec: EntitySpec, text: str, **kwargs: str) -> list[tuple[Any, str]]:
    """(value, the text it came from) of each spot."""
    return [(s.value, text[s.start : s.end]) for s in spots(spec, text, settings(**kwargs))]


def test_spottable_types() -> None:
    expected = {"email", "phone", "date", "number", "currency", "url", "list", "regex"}
    assert expected == SPOTTABLE
    assert FINDABLE < SPOTTABLE


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        ("number", "book a demo for 3 people on the 5th", [(3, "3")]),
        ("date", "book a demo for 3 people on the 5th", [("2026-07-05", "the 5th")]),
        ("currency", "create a deal worth $10k closing next month", [(USD, "$10k")]),
        ("date", "create a deal worth $10k closing next month", [("2026-07-17", "next month")]),
        ("number", "create a deal worth $10k closing next month", []),
        (
            "email",
            "new lead: Priya Patel from Umbrella Corp, priya.patel@umbrella.com",
            [("priya.patel@umbrella.com", "priya.patel@umbrella.com")],
        ),
        ("url", "new lead: Priya Patel from Umbrella Corp, priya.patel@umbrella.com", []),
        ("phone", "new lead: Priya Patel from Umbrella Corp, priya.patel@umbrella.com", []),
        ("phone", "call +1 415 555 0123 about 2 pizzas", [("+14155550123", "+1 415 555 0123")]),
        ("number", "call +1 415 555 0123 about 2 pizzas", [(2, "2")]),
        ("regex", "delete lead 00Q5g00000AbCdEfGH", [("00Q5g00000AbCdEfGH", "00Q5g00000AbCdEfGH")]),
        ("number", "delete lead 00Q5g00000AbCdEfGH", []),
        (
            "list",
            "mark the hot lead from Acme, and the won deal from Initech",
            [("Qualified", "hot lead"), ("Closed Won", "won deal")],
        ),
        (
            "date",
            "move the call from next friday to Dec 1",
            [("2026-06-19", "next friday"), ("2026-12-01", "Dec 1")],
        ),
        (
            "date",
            "ship 12/01/2026, then 2026-12-02",
            [("2026-12-01", "12/01/2026"), ("2026-12-02", "2026-12-02")],
        ),
        (
            "date",
            "remind me tomorrow and again in three days",
            [("2026-06-18", "tomorrow"), ("2026-06-20", "in three days")],
        ),
        ("date", "in two weeks for two people", [("2026-07-01", "in two weeks")]),
        ("date", "due by the end of next month", [("2026-07-31", "the end of next month")]),
        ("date", "on 5th", [("2026-07-05", "5th")]),
        ("date", "the 1st and the 2nd", [("2026-07-01", "the 1st"), ("2026-07-02", "the 2nd")]),
        ("date", "the twenty first of may", [("2027-05-21", "the twenty first of may")]),
        ("date", "the 2nd floor, for the 3rd time", []),
        ("date", "a table on the 5th under Garcia", [("2026-07-05", "the 5th")]),
        (
            "currency",
            "10k USD now, €30.50 later, then $1.2m and 1200 USD",
            [
                (USD, "10k USD"),
                ({"amount": 30.5, "currency": "EUR"}, "€30.50"),
                ({"amount": 1200000, "currency": "USD"}, "$1.2m"),
                ({"amount": 1200, "currency": "USD"}, "1200 USD"),
            ],
        ),
        (
            "url",
            "see https://a.b/c. and (example.com/x)",
            [("https://a.b/c", "https://a.b/c"), ("https://example.com/x", "example.com/x")],
        ),
        (
            "number",
            "order 1,200 units, 1.2k boxes and 3 crates",
            [(1200, "1,200"), (1200, "1.2k"), (3, "3")],
        ),
    ],
)
def test_explicit_sentences(kind: str, sentence: str, expected: list[tuple[Any, str]]) -> None:
    assert found(SPECS[kind], sentence) == expected


def test_one_sentence_gives_each_type_its_own_piece() -> None:
    sentence = "book a demo for 3 people on the 5th, budget $10k, call +1 415 555 0123"
    pieces = {kind: found(spec, sentence) for kind, spec in SPECS.items()}
    assert pieces == {
        "email": [],
        "phone": [("+14155550123", "+1 415 555 0123")],
        "date": [("2026-07-05", "the 5th")],
        "number": [(3, "3")],
        "currency": [(USD, "$10k")],
        "url": [],
        "list": [],
        "regex": [],
    }


def test_regex_value_is_group_one_and_the_spot_the_whole_match() -> None:
    assert found(LEAD_ID_AFTER_WORD, "  delete lead 00Q5g00000AbCdEfGH now") == [
        ("00Q5g00000AbCdEfGH", "lead 00Q5g00000AbCdEfGH")
    ]
    anchored = EntitySpec("regex", pattern=r"^[A-Z]{2}-\d+")
    assert found(anchored, "  AB-42 and CD-7") == [("AB-42", "AB-42")]


@pytest.mark.parametrize(
    ("sentence", "excluded"),
    [
        ("lead for bob2@x.com", "2"),
        ("see https://x.com/a?id=55", "55"),
        ("see example.com/42", "42"),
        ("call me at 4155550123", "4155550123"),
        ("the 5th", "5"),
        ("ship on 12/01/2026", "12"),
        ("ship on 2026-12-01", "2026"),
        ("worth $10k", "10"),
        ("worth 1200 USD", "1200"),
        ("half: ½", "1"),
    ],
)
def test_numbers_inside_other_values_are_not_counts(sentence: str, excluded: str) -> None:
    assert found(SPECS["number"], sentence + " for 3 people") == [(3, "3")], excluded


# Text before the value whose folded form differs in length or content from what was written.
PREFIX = "Zoë à São Paulo — «Ærø» ﬁne ½ İstanbul Straße\u00a0“ok” e\u0301e\u0301 🙂  "


@pytest.mark.parametrize(
    ("kind", "sentence", "piece", "value"),
    [
        ("email", "mail Bob@Example.COM.", "Bob@Example.COM", "Bob@example.com"),
        ("phone", "call (415) 555-0123!", "(415) 555-0123", "+14155550123"),
        ("date", "on the 5th", "the 5th", "2026-07-05"),
        ("date", "in three days", "in three days", "2026-06-20"),
        ("date", "the first of December", "the first of December", "2026-12-01"),
        ("date", "NEXT  Friday", "NEXT  Friday", "2026-06-19"),
        ("number", "for 3 people", "3", 3),
        ("number", "for 1\u00a0200 people", "1\u00a0200", 1200),
        ("currency", "worth $\u00a010K", "$\u00a010K", USD),
        ("currency", "worth 30,50 €", "30,50 €", {"amount": 30.5, "currency": "EUR"}),
        ("url", "see Example.com/Ünï.", "Example.com/Ünï", "https://example.com/Ünï"),
        ("list", "it\u2019s a \u201cHOT LEAD\u201d", "HOT LEAD", "Qualified"),
        ("list", "at the CAFE\u0301 ", "CAFE\u0301", "Café"),
        ("regex", "delete 00Q5g00000AbCdEfGH", "00Q5g00000AbCdEfGH", "00Q5g00000AbCdEfGH"),
    ],
)
def test_offsets_are_in_the_original_text(kind: str, sentence: str, piece: str, value: Any) -> None:
    locale = "fr-FR" if re.search(r"€|\d\u00a0\d", sentence) else "en-US"
    for text in (sentence, PREFIX + sentence):
        assert found(SPECS[kind], text, locale=locale) == [(value, piece)], text


SAMPLES = [
    "book", "a", "demo", "for", "3", "people", "on the 5th", "$10k", "10k USD", "€30.50",
    "tomorrow", "next friday", "next month", "in three days", "12/01/2026", "2026-12-02", "Dec 1",
    "bob@x.com", "+1 415 555 0123", "(415) 555-0123", "example.com/x", "https://a.b/c.",
    "hot lead", "won deal", "Café", "cafe\u0301", "Zoë", "İ", "ß", "ﬁ", "½", "1,200", "1.2k",
    "00Q5g00000AbCdEfGH", "🙂", "“", "”", ",", ".", "-", "/", "@", "$", "the", "of", "may",
]  # fmt: skip
SEPARATORS = [" ", "", "  ", "\u00a0", ", ", "\n"]
sentences = st.lists(
    st.tuples(st.sampled_from(SAMPLES) | st.text(max_size=3), st.sampled_from(SEPARATORS)),
    max_size=10,
).map(lambda parts: "".join(word + sep for word, sep in parts))


@given(sentences)
@hypothesis_settings(max_examples=60, deadline=None)
@example("book a demo for 3 people on the 5th")
@example(PREFIX + "create a deal worth $10k closing next month")
def test_spots_are_ordered_disjoint_and_in_bounds(text: str) -> None:
    for kind, spec in SPECS.items():
        result = spots(spec, text, settings())
        previous_end = 0
        for spot in result:
            assert isinstance(spot, Spot)
            assert previous_end <= spot.start < spot.end <= len(text), (kind, text, spot)
            piece = text[spot.start : spot.end]
            assert piece.strip() == piece != "", (kind, text, spot)
            previous_end = spot.end


@given(sentences)
@hypothesis_settings(max_examples=60, deadline=None)
@example("call +1 415 555 0123 about 2 pizzas, $1.2m, the 5th, cafe\u0301")
def test_each_spot_reads_back_as_its_own_value(text: str) -> None:
    for kind, spec in SPECS.items():
        for spot in spots(spec, text, settings()):
            piece = text[spot.start : spot.end]
            if kind == "date" and re.fullmatch(r"next (week|month)", fold(piece)):
                continue  # named in a sentence only (see runtime.entities.dates)
            assert parse(spec, piece, settings()).value == spot.value, (kind, text, piece)


@given(sentences)
@hypothesis_settings(max_examples=60, deadline=None)
def test_find_is_the_value_when_spots_agree_on_one(text: str) -> None:
    for kind in FINDABLE:
        spec = SPECS[kind]
        values = [s.value for s in spots(spec, text, settings())]
        value = find(spec, text, settings())
        if value is not None:
            assert value in values, (kind, text)
            assert all(v == value for v in values), (kind, text)


FOLD_ALPHABET = [
    *"aAeEiIzZ09 .,$€'`-", "é", "É", "ß", "İ", "ﬁ", "½", "\u00a0", "\u202f", "\t", "\u0301",
    "\u0308", "\u201c", "\u201d", "\u2019", "\u2212", "🙂", "Ω", "ǅ", "\u017f",
]  # fmt: skip
texts_to_fold = st.text(alphabet=st.sampled_from(FOLD_ALPHABET), max_size=30)


@given(texts_to_fold)
def test_folded_copy_is_fold_and_maps_back(text: str) -> None:
    mapped = spot_module.folded(text)
    assert mapped.text == fold(text)
    _assert_maps_into(mapped, text)


@given(st.text(max_size=30))
def test_folded_copy_of_any_text_maps_into_it(text: str) -> None:
    _assert_maps_into(spot_module.folded(text), text)


def _assert_maps_into(mapped: Any, original: str) -> None:
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    for i in range(len(mapped.text)):
        assert 0 <= mapped.starts[i] < mapped.ends[i] <= len(original)
        if i:
            assert mapped.starts[i - 1] <= mapped.starts[i]
            assert mapped.ends[i - 1] <= mapped.ends[i]


def test_a_rewritten_copy_maps_each_new_word_to_the_words_it_replaced() -> None:
    text = "Zoë needs  twenty one chairs in three days"
    mapped = spot_module.folded(text)
    digits = mapped.rewritten(alpha2digit(mapped.text, "en"))
    assert digits.text == "zoë needs 21 chairs in 3 days"
    pieces = {m[0]: text[slice(*digits.span(*m.span()))] for m in re.finditer(r"\S+", digits.text)}
    assert pieces == {
        "zoë": "Zoë",
        "needs": "needs",
        "21": "twenty one",
        "chairs": "chairs",
        "in": "in",
        "3": "three",
        "days": "days",
    }


@pytest.mark.parametrize("kind", ["string", "boolean"])
def test_strings_and_booleans_are_not_spotted(kind: str) -> None:
    assert spots(EntitySpec(kind), "yes, call it Acme for 3 people", settings()) == []


@pytest.mark.parametrize(
    "spec", [EntitySpec("colour"), EntitySpec("list"), EntitySpec("regex", pattern="(ab")]
)
def test_a_spec_the_loader_refuses_raises(spec: EntitySpec) -> None:
    with pytest.raises(SpecError):
        spots(spec, "anything", settings())


@pytest.mark.parametrize("text", ["", " ", "x" * 3000, "next " * 200 + "friday", "\x00", "١٢٣"])
def test_odd_and_long_input_gives_a_list(text: str) -> None:
    for spec in SPECS.values():
        assert isinstance(spots(spec, text, settings()), list)


@pytest.mark.parametrize(
    ("locale", "currency", "text", "value"),
    [
        ("en-US", "USD", "$10k", USD),
        ("en-US", "USD", "10k USD", USD),
        ("en-US", "USD", "$1.2m", {"amount": 1200000, "currency": "USD"}),
        ("en-US", "USD", "€30.50", {"amount": 30.5, "currency": "EUR"}),
        ("en-US", "USD", "1200 USD", {"amount": 1200, "currency": "USD"}),
        ("en-US", "USD", "10 thousand dollars", USD),
        ("de-DE", "EUR", "1,2 Millionen Euro", {"amount": 1200000, "currency": "EUR"}),
        ("de-DE", "EUR", "3 Mio. €", {"amount": 3000000, "currency": "EUR"}),
        ("es-ES", "EUR", "5 mil euros", {"amount": 5000, "currency": "EUR"}),
    ],
)
def test_shorthand_amounts_as_answers_and_in_sentences(
    locale: str, currency: str, text: str, value: dict[str, Any]
) -> None:
    assert parse(SPECS["currency"], text, settings(locale, currency=currency)).value == value
    sentence = f"a deal worth {text} for Acme"
    assert found(SPECS["currency"], sentence, locale=locale, currency=currency) == [(value, text)]


@pytest.mark.parametrize(
    ("locale", "text", "value"),
    [("de-DE", "2 Tausend", 2000), ("de-DE", "3 Mio.", 3000000), ("ja-JP", "3万", 30000)],
)
def test_the_locale_compact_words_multiply_numbers(locale: str, text: str, value: int) -> None:
    assert parse(SPECS["number"], text, settings(locale)).value == value


def test_find_reads_the_sentence_forms_spots_add() -> None:
    assert find(SPECS["date"], "a deal closing next month", settings()) == "2026-07-17"
    assert find(SPECS["date"], "book it on the 5th", settings()) == "2026-07-05"
    assert not parse(SPECS["date"], "next month", settings()).ok  # an answer must name a day
    assert find(SPECS["number"], "see https://x.com/a?id=55", settings()) is None
