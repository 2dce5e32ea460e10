"""SOSL and parameterized search for the sandbox org: terms, escaping, matching and errors."""

from __future__ import annotations

import random
from typing import Any

import pytest
from multidict import MultiDict

from sandbox.schema import SCHEMA
from sandbox.sosl import (
    SoslError,
    escape_sosl_term,
    parse_sosl,
    run_parameterized_search,
    run_sosl,
)
from sandbox.sosl_term import RESERVED

LEADS: list[dict[str, Any]] = [
    {
        "Id": "00Q5g00000AbCdEAAV",
        "FirstName": "Sean",
        "LastName": "O'Brien",
        "Name": "Sean O'Brien",
        "Company": "Smith & Sons (UK)",
        "Email": "sean@smith-sons.co.uk",
        "Phone": "(415) 555-1212",
        "Title": "Why not?",
        "City": "Dublin",
        "NumberOfEmployees": 5,
    },
    {
        "Id": "00Q5g00000AbCdFAAV",
        "FirstName": "Ann",
        "LastName": "Smith",
        "Name": "Ann Smith",
        "Company": "Acme",
        "Email": "ann@acme.com",
        "Phone": None,
        "Title": "{1+1}:2",
        "City": "Boston",
        "NumberOfEmployees": 250,
    },
    {
        "Id": "00Q5g00000AbCdGAAV",
        "FirstName": "Bea",
        "LastName": "Smythe-Jones",
        "Name": "Bea Smythe-Jones",
        "Company": "Sons of Smith",
        "Email": "bea@example.org",
        "Phone": "+44 20 7946 0958",
        "Title": "C++ developer",
        "City": "Acme Town",
        "NumberOfEmployees": 12,
    },
]

OPPORTUNITIES: list[dict[str, Any]] = [
    {"Id": "0065g00000XyZaBAAV", "Name": "Acme renewal", "StageName": "Prospecting"},
    {"Id": "0065g00000XyZaCAAV", "Name": "Smith expansion", "StageName": "Closed Won"},
]

ORGANIZATION = [{"Id": "00D5g000000OrgAEAS", "Name": "Acme Sandbox"}]


def rows_of(name: str) -> list[dict[str, Any]]:
    return {"Lead": LEADS, "Opportunity": OPPORTUNITIES, "Organization": ORGANIZATION}.get(name, [])


def search(text: str) -> list[tuple[str, dict[str, Any]]]:
    return run_sosl(text, SCHEMA, rows_of)


def lead_names(term: str, group: str = "ALL") -> list[str]:
    hits = search(f"FIND {{{term}}} IN {group} FIELDS RETURNING Lead(LastName)")
    return [record["LastName"] for _, record in hits]


def error_of(text: str) -> SoslError:
    with pytest.raises(SoslError) as caught:
        run_sosl(text, SCHEMA, rows_of)
    return caught.value


def param_search(params: Any) -> list[tuple[str, dict[str, Any]]]:
    return run_parameterized_search(params, SCHEMA, rows_of)


def param_error(params: Any) -> SoslError:
    with pytest.raises(SoslError) as caught:
        run_parameterized_search(params, SCHEMA, rows_of)
    return caught.value


# -- terms and matching -----------------------------------------------------------------------


def test_a_word_matches_whole_tokens_case_insensitively() -> None:
    assert lead_names("smith") == ["O'Brien", "Smith", "Smythe-Jones"]
    assert lead_names("SMITH", "NAME") == ["O'Brien", "Smith", "Smythe-Jones"]
    assert lead_names("smit") == []


def test_wildcards_match_inside_one_token() -> None:
    assert lead_names("Sm*") == ["O'Brien", "Smith", "Smythe-Jones"]
    assert lead_names("Sm?th") == ["O'Brien", "Smith", "Smythe-Jones"]
    assert lead_names("Sm?the") == ["Smythe-Jones"]
    assert lead_names("Smy*") == ["Smythe-Jones"]
    assert lead_names("a*e") == ["Smith", "Smythe-Jones"]


def test_words_side_by_side_must_all_match() -> None:
    assert lead_names("sons smith") == ["O'Brien", "Smythe-Jones"]
    assert lead_names("ann acme") == ["Smith"]
    assert lead_names("ann dublin") == []


def test_a_phrase_needs_its_words_in_order_in_one_field() -> None:
    assert lead_names('"smith sons"') == ["O'Brien"]
    assert lead_names('"sons smith"') == []
    assert lead_names('"sons of smith"') == ["Smythe-Jones"]
    assert lead_names('"sean dublin"') == []


def test_and_or_and_not_with_documented_precedence() -> None:
    assert lead_names("dublin OR boston") == ["O'Brien", "Smith"]
    assert lead_names("smith AND acme") == ["Smith", "Smythe-Jones"]
    assert lead_names("smith AND NOT acme") == ["O'Brien"]
    # AND binds tighter than OR: dublin OR (ann AND boston)
    assert lead_names("dublin OR ann AND boston") == ["O'Brien", "Smith"]
    assert lead_names("dublin OR ann AND dublin") == ["O'Brien"]
    assert lead_names("(dublin OR ann) AND boston") == ["Smith"]
    assert lead_names("(sean OR bea) AND NOT (dublin)") == ["Smythe-Jones"]


def test_lower_case_operators_and_a_lone_not_are_words() -> None:
    assert lead_names("Why not\\?") == ["O'Brien"]
    assert lead_names("dublin or boston") == []


@pytest.mark.parametrize(
    ("term", "group", "expected"),
    [
        ("acme", "ALL", ["Smith", "Smythe-Jones"]),
        ("acme", "NAME", ["Smith"]),
        ("acme", "EMAIL", ["Smith"]),
        ("dublin", "NAME", []),
        ("sean", "NAME", ["O'Brien"]),
        ("ann@acme.com", "EMAIL", ["Smith"]),
        ("example.org", "EMAIL", ["Smythe-Jones"]),
        ("4155551212", "PHONE", ["O'Brien"]),
        ("555\\-1212", "PHONE", ["O'Brien"]),
        ("\\(415\\) 555\\-1212", "PHONE", ["O'Brien"]),
        ("\\+44 20 7946 0958", "PHONE", ["Smythe-Jones"]),
        ("4155551212", "EMAIL", []),
        ("sons", "SIDEBAR", ["O'Brien", "Smythe-Jones"]),
    ],
)
def test_search_groups_choose_the_fields(term: str, group: str, expected: list[str]) -> None:
    assert lead_names(term, group) == expected


def test_punctuation_separates_tokens_and_is_never_matched() -> None:
    assert lead_names("uk") == ["O'Brien"]
    assert lead_names("co uk sean") == ["O'Brien"]
    assert lead_names("uk dublin") == ["O'Brien"]
    assert lead_names("uk\\-dublin") == []  # side by side only across two fields
    assert lead_names("sons\\-smith") == []  # both present, never in this order
    assert lead_names("smith\\-sons\\.co") == ["O'Brien"]
    assert lead_names("smith_sons") == ["O'Brien"]


# -- reserved characters ----------------------------------------------------------------------


def test_an_escaped_name_with_an_ampersand_and_parentheses_is_found() -> None:
    hits = search("FIND {Smith \\& Sons \\(UK\\)} RETURNING Lead(Id, Company)")
    assert hits == [("Lead", {"Id": "00Q5g00000AbCdEAAV", "Company": "Smith & Sons (UK)"})]


def test_the_documented_example_with_braces_plus_and_colon() -> None:
    assert lead_names("\\{1\\+1\\}\\:2") == ["Smith"]


def test_escaped_apostrophes_and_hyphens() -> None:
    assert lead_names("O\\'Brien") == ["O'Brien"]
    assert lead_names("Smythe\\-Jones") == ["Smythe-Jones"]
    assert lead_names("sean@smith\\-sons.co.uk", "EMAIL") == ["O'Brien"]
    assert lead_names("C\\+\\+ developer") == ["Smythe-Jones"]


@pytest.mark.parametrize("char", sorted(set("&|!{[]^~:'+-")))
def test_an_unescaped_reserved_character_is_malformed(char: str) -> None:
    text = f"FIND {{Smith {char}Sons}} RETURNING Lead"
    col = text.index(char, 6) + 1
    error = error_of(text)
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith(
        f"ERROR at Row:1:Column:{col}\nline 1:{col} mismatched character '{char}' expecting '}}'"
    )


@pytest.mark.parametrize("char", sorted(RESERVED))
def test_every_escaped_reserved_character_is_accepted(char: str) -> None:
    hits = search(f"FIND {{Smith \\{char}Sons}} RETURNING Lead(LastName)")
    assert [r["LastName"] for _, r in hits] == ["O'Brien", "Smythe-Jones"]


@pytest.mark.parametrize(
    "value", ["Smith & Sons (UK)", "O'Brien", "{1+1}:2", "Why not?", "sean@smith-sons.co.uk"]
)
def test_escape_sosl_term_makes_any_value_searchable(value: str) -> None:
    escaped = escape_sosl_term(value)
    assert all(f"\\{ch}" in escaped for ch in value if ch in RESERVED)
    hits = search(f"FIND {{{escaped}}} RETURNING Lead(Id)")
    assert len(hits) >= 1
    assert all(name == "Lead" for name, _ in hits)


def test_an_unterminated_phrase_is_malformed() -> None:
    text = 'FIND {"John Smith} RETURNING Lead'
    col = text.index("}") + 1
    error = error_of(text)
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith(f"line 1:{col} mismatched character '}}' expecting '\"'")


@pytest.mark.parametrize(
    ("term", "token"),
    [
        ("OR smith", "OR"),
        ("smith AND", "}"),
        ("smith OR OR acme", "OR"),
        ("(smith", "}"),
        ("smith)", ")"),
        ("()", ")"),
    ],
)
def test_misplaced_operators_and_parentheses_are_malformed(term: str, token: str) -> None:
    error = error_of(f"FIND {{{term}}}")
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith(f"unexpected token: {token}")


def test_deep_nesting_is_refused_without_exhausting_the_stack() -> None:
    assert lead_names("(" * 100 + "dublin" + ")" * 100) == ["O'Brien"]
    error = error_of("FIND {" + "(" * 3000 + "dublin" + ")" * 3000 + "}")
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith("Search terms may be nested at most 100 parentheses deep")


@pytest.mark.parametrize("term", ["a", "a*", "*", "?", "\\&", "a \\&"])
def test_a_term_shorter_than_two_characters_is_refused(term: str) -> None:
    error = error_of(f"FIND {{{term}}}")
    assert (error.error_code, error.message) == (
        "INVALID_SEARCH",
        "search term must be longer than one character",
    )


def test_a_term_over_ten_thousand_characters_finds_nothing() -> None:
    assert search("FIND {" + "smith " * 2000 + "} RETURNING Lead") == []
    assert search("FIND {" + "smith " * 1600 + "} RETURNING Lead") != []


_PIECES = [
    "FIND",
    "{",
    "}",
    "smith",
    "\\&",
    "&",
    "(",
    ")",
    '"',
    "AND",
    "OR",
    "NOT",
    "*",
    "?",
    "IN",
    "ALL",
    "NAME",
    "FIELDS",
    "RETURNING",
    "Lead",
    "(Id",
    ",",
    "WHERE",
    "City",
    "=",
    "'x'",
    "LIMIT",
    "5",
    "Opportunity",
    "\\",
    "-",
    "é",
    "²",
]


def test_random_token_soup_gets_only_search_errors() -> None:
    rng = random.Random(20261123)
    for _ in range(3000):
        text = "".join(
            rng.choice(_PIECES) + rng.choice(("", " ")) for _ in range(rng.randint(0, 12))
        )
        for attempt in (text, "FIND {" + text):
            try:
                search(attempt)
            except SoslError as error:
                assert error.error_code and error.message
        try:
            param_search({"q": text, "sobjects": [{"name": "Lead", "where": text}]})
        except SoslError as error:
            assert error.error_code and error.message


# -- RETURNING --------------------------------------------------------------------------------


def test_without_returning_every_searchable_object_gives_ids() -> None:
    assert search("FIND {acme}") == [
        ("Lead", {"Id": "00Q5g00000AbCdFAAV"}),
        ("Lead", {"Id": "00Q5g00000AbCdGAAV"}),
        ("Opportunity", {"Id": "0065g00000XyZaBAAV"}),
    ]


def test_returning_lists_objects_in_order_with_their_fields() -> None:
    hits = search("find {smith} in name fields returning opportunity(name, Id), lead(LASTNAME)")
    assert hits == [
        ("Opportunity", {"Name": "Smith expansion", "Id": "0065g00000XyZaCAAV"}),
        ("Lead", {"LastName": "O'Brien"}),
        ("Lead", {"LastName": "Smith"}),
        ("Lead", {"LastName": "Smythe-Jones"}),
    ]


def test_an_object_without_a_field_list_gives_ids() -> None:
    assert search("FIND {expansion} RETURNING Opportunity") == [
        ("Opportunity", {"Id": "0065g00000XyZaCAAV"})
    ]


def test_returning_where_order_by_limit_and_offset() -> None:
    base = "FIND {smith} RETURNING Lead(LastName, NumberOfEmployees"
    assert search(f"{base} WHERE NumberOfEmployees > 10 ORDER BY NumberOfEmployees DESC)") == [
        ("Lead", {"LastName": "Smith", "NumberOfEmployees": 250}),
        ("Lead", {"LastName": "Smythe-Jones", "NumberOfEmployees": 12}),
    ]
    hits = search(f"{base} ORDER BY NumberOfEmployees LIMIT 2 OFFSET 1)")
    assert [r["LastName"] for _, r in hits] == ["Smythe-Jones", "Smith"]
    hits = search(f"{base} WHERE (City = 'dublin' OR City LIKE 'acme%'))")
    assert [r["LastName"] for _, r in hits] == ["O'Brien", "Smythe-Jones"]


def test_an_overall_limit_caps_all_objects_together() -> None:
    hits = search("FIND {smith} RETURNING Lead(LastName), Opportunity(Name) LIMIT 4")
    assert [name for name, _ in hits] == ["Lead", "Lead", "Lead", "Opportunity"]
    assert len(search("FIND {smith} RETURNING Lead, Opportunity LIMIT 2")) == 2


def test_an_unknown_object_is_invalid_type() -> None:
    text = "FIND {Acme} RETURNING Widget"
    error = error_of(text)
    assert error.error_code == "INVALID_TYPE"
    assert error.message == (
        f"\n{text}\n{' ' * text.index('Widget')}^\nERROR at Row:1:Column:23\n"
        "sObject type 'Widget' is not supported. If you are attempting to use a custom object, "
        "be sure to append the '__c' after the entity name. Please reference your WSDL or the "
        "describe call for the appropriate names."
    )


def test_an_unknown_field_is_invalid_field() -> None:
    text = "FIND {Acme} RETURNING Lead(Id, Bacon__c)"
    error = error_of(text)
    assert error.error_code == "INVALID_FIELD"
    assert error.message.startswith(f"\n{text}\n{' ' * text.index('Bacon')}^\n")
    assert error.message.endswith(
        "No such column 'Bacon__c' on entity 'Lead'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference your "
        "WSDL or the describe call for the appropriate names."
    )


def test_a_where_with_a_wrong_type_is_invalid_field() -> None:
    error = error_of("FIND {Acme} RETURNING Lead(Id WHERE NumberOfEmployees = 'x')")
    assert error.error_code == "INVALID_FIELD"
    assert error.message.endswith(
        "value of filter criterion for field 'NumberOfEmployees' must be of type integer and "
        "should not be enclosed in quotes"
    )


def test_names_are_checked_even_when_nothing_matches() -> None:
    assert error_of("FIND {zzzz} RETURNING Lead(Nope)").error_code == "INVALID_FIELD"


# -- statement errors -------------------------------------------------------------------------


def test_a_term_not_in_braces_is_refused() -> None:
    for text in ("FIND Acme RETURNING Lead", "FIND 'Acme'", "FIND"):
        error = error_of(text)
        assert (error.error_code, error.message) == (
            "MALFORMED_SEARCH",
            "No search term found. The search term must be enclosed in braces.",
        )


def test_an_unclosed_brace_is_malformed() -> None:
    text = "FIND {Acme RETURNING Lead"
    error = error_of(text)
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith(
        f"ERROR at Row:1:Column:{len(text) + 1}\n"
        f"line 1:{len(text) + 1} mismatched character '<EOF>' expecting '}}'"
    )


def test_a_statement_not_starting_with_find_is_malformed() -> None:
    error = error_of("SEARCH {Acme}")
    assert (error.error_code, error.message) == ("MALFORMED_SEARCH", "unexpected token: SEARCH")
    assert error_of("  ").message == "SOSL statements cannot be empty or null"


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("FIND {Acme} IN EVERY FIELDS", "EVERY"),
        ("FIND {Acme} IN ALL", "<EOF>"),
        ("FIND {Acme} RETURNING", "<EOF>"),
        ("FIND {Acme} RETURNING Lead(", "<EOF>"),
        ("FIND {Acme} RETURNING Lead(Id", "<EOF>"),
        ("FIND {Acme} RETURNING Lead(Id WHERE)", ")"),
        ("FIND {Acme} RETURNING Lead(Id WHERE City = 'x' AND City = 'y' OR City = 'z')", "OR"),
        ("FIND {Acme} RETURNING Lead LIMIT x", "x"),
        ("FIND {Acme} extra", "extra"),
        ("FIND {} RETURNING Lead", "}"),
    ],
)
def test_syntax_errors_after_the_term_are_malformed_search(text: str, token: str) -> None:
    error = error_of(text)
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith(f"unexpected token: {token}")


def test_a_bad_string_literal_in_where_is_malformed_search() -> None:
    error = error_of("FIND {Acme} RETURNING Lead(Id WHERE LastName = 'O'Brien')")
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith("unexpected token: Brien")


def test_parse_sosl_keeps_the_clauses() -> None:
    parsed = parse_sosl("FIND {acme} IN EMAIL FIELDS RETURNING Lead(Email LIMIT 3) LIMIT 9")
    assert parsed.group == "EMAIL"
    assert parsed.limit == 9
    assert parsed.returning is not None
    assert [(r.name, r.limit) for r in parsed.returning] == [("Lead", 3)]


# -- parameterized search ---------------------------------------------------------------------


def test_plain_q_needs_no_escaping() -> None:
    hits = param_search({"q": "Smith & Sons (UK)", "sobjects": [{"name": "Lead"}]})
    assert hits == [("Lead", {"Id": "00Q5g00000AbCdEAAV"})]
    hits = param_search({"q": "O'Brien", "sobjects": [{"name": "Lead", "fields": ["LastName"]}]})
    assert hits == [("Lead", {"LastName": "O'Brien"})]
    hits = param_search({"q": "{1+1}:2", "fields": "LastName", "sobjects": [{"name": "Lead"}]})
    assert hits == [("Lead", {"LastName": "Smith"})]


def test_q_characters_are_never_operators_or_wildcards() -> None:
    assert param_search({"q": "Sm*", "sobjects": [{"name": "Lead"}]}) == []
    assert param_search({"q": "dublin OR boston", "sobjects": [{"name": "Lead"}]}) == []
    hits = param_search({"q": "Why not?", "sobjects": [{"name": "Lead", "fields": ["Title"]}]})
    assert hits == [("Lead", {"Title": "Why not?"})]


def test_the_post_body_form() -> None:
    body = {
        "q": "smith",
        "fields": ["id", "lastName"],
        "sobjects": [
            {"name": "Lead", "where": "NumberOfEmployees < 100", "orderBy": "LastName DESC"},
            {"name": "opportunity", "fields": ["name"], "limit": 1},
        ],
        "in": "ALL",
        "overallLimit": 100,
        "defaultLimit": 10,
    }
    assert param_search(body) == [
        ("Lead", {"Id": "00Q5g00000AbCdGAAV", "LastName": "Smythe-Jones"}),
        ("Lead", {"Id": "00Q5g00000AbCdEAAV", "LastName": "O'Brien"}),
        ("Opportunity", {"Name": "Smith expansion"}),
    ]


def test_the_get_query_form_with_repeated_sobject() -> None:
    params = MultiDict(
        [
            ("q", "smith"),
            ("sobject", "Lead"),
            ("sobject", "Opportunity"),
            ("Lead.fields", "LastName,City"),
            ("Lead.where", "City != null"),
            ("Lead.orderBy", "City DESC NULLS_LAST"),
            ("Lead.limit", "2"),
            ("Opportunity.fields", "Name"),
        ]
    )
    assert param_search(params) == [
        ("Lead", {"LastName": "O'Brien", "City": "Dublin"}),
        ("Lead", {"LastName": "Smith", "City": "Boston"}),
        ("Opportunity", {"Name": "Smith expansion"}),
    ]


def test_a_plain_dict_may_list_sobjects() -> None:
    hits = param_search({"q": "acme", "sobject": ["Opportunity"], "fields": "Name"})
    assert hits == [("Opportunity", {"Name": "Acme renewal"})]


def test_without_sobjects_every_searchable_object_is_searched() -> None:
    assert [name for name, _ in param_search({"q": "acme"})] == ["Lead", "Lead", "Opportunity"]


def test_in_limits_and_offset() -> None:
    assert param_search({"q": "acme", "in": "name", "sobject": "Lead"}) == [
        ("Lead", {"Id": "00Q5g00000AbCdFAAV"})
    ]
    assert len(param_search({"q": "smith", "defaultLimit": "1"})) == 2
    assert len(param_search({"q": "smith", "overallLimit": 2})) == 2
    hits = param_search(
        {"q": "smith", "offset": 1, "sobjects": [{"name": "Lead", "orderBy": "LastName"}]}
    )
    assert hits == [("Lead", {"Id": "00Q5g00000AbCdFAAV"}), ("Lead", {"Id": "00Q5g00000AbCdGAAV"})]


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({}, "MALFORMED_SEARCH", "The q parameter is required and must not be empty"),
        ({"q": "  "}, "MALFORMED_SEARCH", "The q parameter is required and must not be empty"),
        ({"q": "a"}, "INVALID_SEARCH", "search term must be longer than one character"),
        ({"q": "smith", "in": "BODY"}, "MALFORMED_SEARCH", "Invalid value for in: BODY"),
        (
            {"q": "smith", "overallLimit": "ten"},
            "MALFORMED_SEARCH",
            "Invalid value for overallLimit: ten",
        ),
        (
            {"q": "smith", "defaultLimit": 5000},
            "MALFORMED_SEARCH",
            "defaultLimit must be an integer from 0 to 2000, not 5000",
        ),
        (
            {"q": "smith", "offset": 1},
            "MALFORMED_SEARCH",
            "offset can be used only when searching one sobject",
        ),
        (
            {"q": "smith", "sobjects": "Lead"},
            "MALFORMED_SEARCH",
            "sobjects must be a list of objects, each with a name",
        ),
    ],
)
def test_bad_parameters_are_refused(params: dict[str, Any], code: str, message: str) -> None:
    error = param_error(params)
    assert (error.error_code, error.message) == (code, message)


def test_bad_names_in_parameters_use_soql_errors() -> None:
    error = param_error({"q": "smith", "sobjects": [{"name": "Widget"}]})
    assert error.error_code == "INVALID_TYPE"
    assert error.message.startswith("sObject type 'Widget' is not supported.")
    error = param_error({"q": "smith", "fields": "Id,Bacon__c", "sobject": "Lead"})
    assert error.error_code == "INVALID_FIELD"
    assert error.message.startswith("No such column 'Bacon__c' on entity 'Lead'.")
    error = param_error({"q": "smith", "sobjects": [{"name": "Lead", "where": "City = "}]})
    assert error.error_code == "MALFORMED_SEARCH"
    assert error.message.endswith("unexpected token: <EOF>")
