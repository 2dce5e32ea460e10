"""SOQL for the sandbox org: parsing, filtering, ordering, literals, escaping and every error."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from typing import Any

import pytest

from sandbox.schema import SCHEMA
from sandbox.soql import (
    SoqlError,
    escape_soql_like,
    escape_soql_string,
    execute_soql,
    parse_soql,
    run_soql,
)
from sandbox.soql_dates import date_range
from sandbox.soql_lexer import positional_message

TODAY = date(2026, 11, 23)  # a Monday

NO_SUCH_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
    "the describe call for the appropriate names."
)

LEADS: list[dict[str, Any]] = [
    {
        "Id": "00Q5g00000AbCdEAAV",
        "FirstName": "Sean",
        "LastName": "O'Brien",
        "Company": "Smith & Sons (UK)",
        "Title": "50% off",
        "Email": "sean@example.com",
        "Status": "Open - Not Contacted",
        "NumberOfEmployees": 5,
        "AnnualRevenue": 1500.5,
        "IsConverted": False,
        "ConvertedDate": None,
        "CreatedDate": "2026-11-23T08:00:00.000+0000",
        "City": "Dublin",
    },
    {
        "Id": "00Q5g00000AbCdFAAV",
        "FirstName": "Ann",
        "LastName": "smith",
        "Company": "Acme",
        "Title": "500 off",
        "Email": "ann@acme.com",
        "Status": "Working - Contacted",
        "NumberOfEmployees": 250,
        "AnnualRevenue": 99.0,
        "IsConverted": True,
        "ConvertedDate": "2026-11-20",
        "CreatedDate": "2026-11-16T23:30:00.000+0000",
        "City": None,
    },
    {
        "Id": "00Q5g00000AbCdGAAV",
        "FirstName": None,
        "LastName": "Zhang",
        "Company": "zeta_corp",
        "Title": "",
        "Email": None,
        "Status": "Working - Contacted",
        "NumberOfEmployees": None,
        "AnnualRevenue": None,
        "IsConverted": False,
        "ConvertedDate": "2026-10-31",
        "CreatedDate": "2026-09-01T12:00:00.000+0000",
        "City": "berlin",
    },
    {
        "Id": "00Q5g00000AbCdHAAV",
        "FirstName": "Bea",
        "LastName": "Adams",
        "Company": "Zeta Corp",
        "Title": "50 percent off",
        "Email": "bea@zeta.io",
        "Status": "Closed - Converted",
        "NumberOfEmployees": 12,
        "AnnualRevenue": 12.25,
        "IsConverted": True,
        "ConvertedDate": "2026-11-23",
        "CreatedDate": "2026-11-22T23:59:59.000+0000",
        "City": "Amsterdam",
    },
]

OPPORTUNITIES: list[dict[str, Any]] = [
    {"Id": "0065g00000XyZaBAAV", "Name": "Big deal", "Amount": 5000.0, "CloseDate": "2026-12-01"},
    {"Id": "0065g00000XyZaCAAV", "Name": "Small deal", "Amount": None, "CloseDate": "2026-11-23"},
]


def rows_of(name: str) -> list[dict[str, Any]]:
    return {"Lead": LEADS, "Opportunity": OPPORTUNITIES}.get(name, [])


def run(text: str) -> list[dict[str, Any]]:
    return run_soql(text, SCHEMA, rows_of, today=TODAY).records


def last_names(where: str, order: str = "ORDER BY LastName") -> list[str]:
    return [r["LastName"] for r in run(f"SELECT LastName FROM Lead WHERE {where} {order}")]


def error_of(text: str) -> SoqlError:
    with pytest.raises(SoqlError) as caught:
        run_soql(text, SCHEMA, rows_of, today=TODAY)
    return caught.value


def caret_error(query: str, col: int, message: str, start: int = 0) -> str:
    """The positional message for column `col` (0-based) of a one-line query whose excerpt
    starts at `start` and runs to the end."""
    return f"\n{query[start:]}\n{' ' * (col - start)}^\nERROR at Row:1:Column:{col + 1}\n{message}"


# -- parsing and selecting --------------------------------------------------------------------


def test_parse_builds_a_frozen_query() -> None:
    query = parse_soql(
        "select Id, lastname from lead where Status = 'x' order by Name desc limit 5"
    )
    assert query.sobject == "lead"
    assert [f.name for f in query.fields] == ["Id", "lastname"]
    assert query.order_by[0].descending and not query.order_by[0].nulls_first
    assert query.limit == 5 and query.offset is None and not query.is_count
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.limit = 6  # type: ignore[misc]


def test_a_parsed_query_runs_again_without_reparsing() -> None:
    query = parse_soql("SELECT LastName FROM Lead WHERE IsConverted = true ORDER BY LastName")
    first = execute_soql(query, SCHEMA, rows_of)
    second = execute_soql(query, SCHEMA, rows_of)
    assert first.records == second.records == [{"LastName": "Adams"}, {"LastName": "smith"}]


def test_fields_come_back_canonical_in_select_order() -> None:
    result = run_soql("SELECT company, ID, lastname FROM LEAD LIMIT 1", SCHEMA, rows_of)
    assert result.sobject == "Lead"
    assert list(result.records[0]) == ["Company", "Id", "LastName"]
    assert result.records[0]["Id"] == "00Q5g00000AbCdEAAV"
    assert result.total_size == 1 and not result.is_count


def test_a_field_missing_from_the_row_reads_as_null() -> None:
    assert run("SELECT Fax FROM Lead LIMIT 1") == [{"Fax": None}]


def test_count_reports_the_count_as_total_size() -> None:
    result = run_soql("SELECT COUNT() FROM Lead WHERE IsConverted = false", SCHEMA, rows_of)
    assert (result.is_count, result.records, result.total_size) == (True, [], 2)
    assert run_soql("SELECT COUNT() FROM Lead LIMIT 3", SCHEMA, rows_of).total_size == 3
    assert run_soql("SELECT count() FROM Opportunity", SCHEMA, rows_of).total_size == 2


def test_total_size_counts_the_returned_rows() -> None:
    result = run_soql("SELECT Id FROM Lead WHERE City != null", SCHEMA, rows_of)
    assert result.total_size == len(result.records) == 3


# -- comparison operators ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("NumberOfEmployees = 12", ["Adams"]),
        ("NumberOfEmployees != 12", ["O'Brien", "smith", "Zhang"]),
        ("NumberOfEmployees <> 12", ["O'Brien", "smith", "Zhang"]),
        ("NumberOfEmployees < 12", ["O'Brien"]),
        ("NumberOfEmployees <= 12", ["Adams", "O'Brien"]),
        ("NumberOfEmployees > 12", ["smith"]),
        ("NumberOfEmployees >= 12", ["Adams", "smith"]),
        ("AnnualRevenue > 99.5", ["O'Brien"]),
        ("AnnualRevenue >= -1", ["Adams", "O'Brien", "smith"]),
        ("NumberOfEmployees = null", ["Zhang"]),
        ("NumberOfEmployees != null", ["Adams", "O'Brien", "smith"]),
        ("NumberOfEmployees < null", []),
        ("IsConverted = true", ["Adams", "smith"]),
        ("IsConverted = FALSE", ["O'Brien", "Zhang"]),
        ("IsConverted != true", ["O'Brien", "Zhang"]),
    ],
)
def test_number_boolean_and_null_comparisons(where: str, expected: list[str]) -> None:
    assert last_names(where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("LastName = 'SMITH'", ["smith"]),
        ("LastName = 'smith'", ["smith"]),
        ("City != 'DUBLIN'", ["Adams", "smith", "Zhang"]),
        ("City = null", ["smith"]),
        ("Title = ''", ["Zhang"]),
        ("Title = null", ["Zhang"]),
        ("Title != ''", ["Adams", "O'Brien", "smith"]),
        ("LastName < 'b'", ["Adams"]),
        ("LastName >= 'S'", ["smith", "Zhang"]),
        ("LastName > 'o'", ["O'Brien", "smith", "Zhang"]),
        ("Status = 'working - contacted'", ["smith", "Zhang"]),
    ],
)
def test_text_comparisons_ignore_case_and_treat_empty_as_null(
    where: str, expected: list[str]
) -> None:
    assert last_names(where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("LastName IN ('SMITH', 'adams')", ["Adams", "smith"]),
        ("LastName NOT IN ('SMITH', 'adams')", ["O'Brien", "Zhang"]),
        ("City IN ('berlin', null)", ["smith", "Zhang"]),
        ("City NOT IN ('Berlin')", ["Adams", "O'Brien", "smith"]),
        ("NumberOfEmployees IN (5, 250)", ["O'Brien", "smith"]),
        ("ConvertedDate IN (2026-11-20, 2026-11-23)", ["Adams", "smith"]),
        ("ConvertedDate IN (TODAY, 2026-10-31)", ["Adams", "Zhang"]),
        ("ConvertedDate NOT IN (TODAY)", ["O'Brien", "smith", "Zhang"]),
    ],
)
def test_in_and_not_in(where: str, expected: list[str]) -> None:
    assert last_names(where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("LastName LIKE 'sm%'", ["smith"]),
        ("LastName LIKE 'SM%'", ["smith"]),
        ("LastName LIKE '%a%'", ["Adams", "Zhang"]),
        ("LastName LIKE 'Zh_ng'", ["Zhang"]),
        ("LastName LIKE 'Zh_'", []),
        ("Title LIKE '50%'", ["Adams", "O'Brien", "smith"]),
        ("Title LIKE '50\\% off'", ["O'Brien"]),
        ("Title LIKE '50\\%%'", ["O'Brien"]),
        ("Company LIKE 'zeta_corp'", ["Adams", "Zhang"]),
        ("Company LIKE 'zeta\\_corp'", ["Zhang"]),
        ("Company LIKE '%& Sons (UK)'", ["O'Brien"]),
        ("Email LIKE '%@acme.com'", ["smith"]),
        ("City LIKE '%'", ["Adams", "O'Brien", "Zhang"]),
        ("Company LIKE 'Smith\\nSons'", []),
    ],
)
def test_like_wildcards_escapes_and_case(where: str, expected: list[str]) -> None:
    assert last_names(where) == expected


def test_a_percent_sign_is_found_with_an_escaped_like_pattern() -> None:
    pattern = escape_soql_like("50% off")
    assert pattern == "50\\% off"
    assert last_names(f"Title LIKE '{pattern}'") == ["O'Brien"]
    assert last_names("Title LIKE '50% off'") == ["Adams", "O'Brien", "smith"]


# -- AND, OR, NOT and parentheses -------------------------------------------------------------


def test_parentheses_decide_how_and_or_group() -> None:
    a_and_b_or_c = "(IsConverted = true AND City = null) OR LastName = 'Zhang'"
    a_and_b_or_c_alt = "IsConverted = true AND (City = null OR LastName = 'Zhang')"
    assert last_names(a_and_b_or_c) == ["smith", "Zhang"]
    assert last_names(a_and_b_or_c_alt) == ["smith"]


def test_and_chains_and_or_chains_need_no_parentheses() -> None:
    assert last_names("IsConverted = true AND NumberOfEmployees > 20 AND City = null") == ["smith"]
    assert last_names("LastName = 'Zhang' OR LastName = 'Adams' OR City = 'Dublin'") == [
        "Adams",
        "O'Brien",
        "Zhang",
    ]


def test_mixing_and_with_or_without_parentheses_is_refused() -> None:
    query = "SELECT Id FROM Lead WHERE City = 'x' AND LastName = 'y' OR Company = 'z'"
    error = error_of(query)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        f"ERROR at Row:1:Column:{query.index('OR') + 1}\nunexpected token: OR"
    )
    error = error_of("SELECT Id FROM Lead WHERE City = 'x' OR City = 'y' AND City = 'z'")
    assert error.message.endswith("unexpected token: AND")


def test_not_negates_the_operand_it_heads() -> None:
    assert last_names("NOT IsConverted = true") == ["O'Brien", "Zhang"]
    assert last_names("NOT (IsConverted = true OR City = 'Dublin')") == ["Zhang"]
    assert last_names("(NOT IsConverted = true) AND City != null") == ["O'Brien", "Zhang"]
    assert last_names("City != null AND (NOT (LastName = 'Zhang'))") == ["Adams", "O'Brien"]


def test_not_in_the_middle_of_a_chain_is_refused() -> None:
    error = error_of("SELECT Id FROM Lead WHERE City != null AND NOT LastName = 'Zhang'")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("unexpected token: NOT")
    error = error_of("SELECT Id FROM Lead WHERE NOT City = null AND LastName = 'Zhang'")
    assert error.message.endswith("unexpected token: AND")


# -- string literals and escaping -------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("a\\'b", "a'b"),
        ('a\\"b', 'a"b'),
        ("a\\\\b", "a\\b"),
        ("a\\nb", "a\nb"),
        ("a\\Nb", "a\nb"),
        ("a\\rb", "a\rb"),
        ("a\\Rb", "a\rb"),
        ("a\\tb", "a\tb"),
        ("a\\Tb", "a\tb"),
        ("a\\bb", "a\bb"),
        ("a\\Bb", "a\bb"),
        ("a\\fb", "a\fb"),
        ("a\\Fb", "a\fb"),
        ("caf\\u00e9", "café"),
        ("caf\\U00E9", "café"),
        ('a"b', 'a"b'),
    ],
)
def test_each_documented_escape_decodes(literal: str, value: str) -> None:
    rows = [{"Id": "00Q5g00000AbCdEAAV", "Title": value}, {"Id": "00Q5g00000AbCdFAAV"}]
    result = run_soql(f"SELECT Id FROM Lead WHERE Title = '{literal}'", SCHEMA, lambda _: rows)
    assert result.records == [{"Id": "00Q5g00000AbCdEAAV"}]


def test_an_escaped_apostrophe_finds_obrien() -> None:
    assert last_names("LastName = 'O\\'Brien'") == ["O'Brien"]
    escaped = escape_soql_string("O'Brien")
    assert escaped == "O\\'Brien"
    assert last_names(f"LastName = '{escaped}'") == ["O'Brien"]


def test_an_unescaped_apostrophe_is_malformed_and_points_at_the_rest() -> None:
    query = "SELECT Id FROM Lead WHERE LastName = 'O'Brien'"
    error = error_of(query)
    assert error.error_code == "MALFORMED_QUERY"
    col = query.index("Brien")
    start = query.index("FROM")  # the excerpt starts at the first word within 32 characters
    assert error.message == (
        f"\n{query[start:]}\n{' ' * (col - start)}^\n"
        f"ERROR at Row:1:Column:{col + 1}\nunexpected token: Brien"
    )


def test_names_with_ampersands_and_parentheses_need_no_escaping_in_soql() -> None:
    assert last_names("Company = 'Smith & Sons (UK)'") == ["O'Brien"]


@pytest.mark.parametrize(
    "value",
    ["O'Brien", 'say "hi"', "back\\slash", "two\nlines", "tab\there", "\\'", "50% off_", "é ü"],
)
def test_escape_soql_string_round_trips(value: str) -> None:
    rows = [{"Id": "00Q5g00000AbCdEAAV", "Title": value}, {"Id": "00Q5g00000AbCdFAAV"}]
    for template, escape in (
        ("Title = '{}'", escape_soql_string),
        ("Title LIKE '{}'", escape_soql_like),
    ):
        where = template.format(escape(value))
        result = run_soql(f"SELECT Id FROM Lead WHERE {where}", SCHEMA, lambda _: rows)
        assert result.records == [{"Id": "00Q5g00000AbCdEAAV"}], where


def test_an_unknown_escape_is_malformed() -> None:
    query = "SELECT Id FROM Lead WHERE Title = 'a\\qb'"
    col = query.index("'") + 1
    error = error_of(query)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        f"ERROR at Row:1:Column:{col}\n"
        "Invalid string literal 'a\\qb'. Illegal character sequence '\\q' in string literal."
    )


def test_a_short_unicode_escape_is_malformed() -> None:
    error = error_of("SELECT Id FROM Lead WHERE Title = 'x\\u12'")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        "Invalid string literal 'x\\u12'. Illegal unicode sequence. '\\u12' in string literal."
    )


def test_like_escapes_are_refused_outside_like() -> None:
    error = error_of("SELECT Id FROM Lead WHERE Title = '50\\% off'")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        "Invalid string literal '50\\% off'. Illegal character sequence '\\%' in string literal."
    )


def test_an_unterminated_string_is_malformed() -> None:
    query = "SELECT Id FROM Lead WHERE Title = 'abc"
    error = error_of(query)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        f"ERROR at Row:1:Column:{len(query) + 1}\n"
        f"line 1:{len(query) + 1} mismatched character '<EOF>' expecting '''"
    )


def test_a_double_quoted_string_is_malformed() -> None:
    query = 'SELECT Id FROM Lead WHERE Title = "abc"'
    col = query.index('"') + 1
    error = error_of(query)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        f"ERROR at Row:1:Column:{col}\nline 1:{col} no viable alternative at character '\"'"
    )


def test_characters_outside_soql_are_malformed() -> None:
    for query, char in (("SELECT Id FROM Lead WHERE Café = 1", "é"), ("SELECT Id² FROM Lead", "²")):
        error = error_of(query)
        assert error.error_code == "MALFORMED_QUERY"
        assert error.message.endswith(f"no viable alternative at character '{char}'")


def test_bind_variables_are_refused() -> None:
    assert error_of("SELECT Id FROM Lead WHERE Title = :title").message.endswith(
        "Bind variables only allowed in Apex code"
    )


# -- types of values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "field", "type_name", "should"),
    [
        ("NumberOfEmployees = '5'", "NumberOfEmployees", "integer", "should not"),
        ("AnnualRevenue > '5'", "AnnualRevenue", "double", "should not"),
        ("IsConverted = 'false'", "IsConverted", "boolean", "should not"),
        ("ConvertedDate = '2026-11-23'", "ConvertedDate", "date", "should not"),
        ("ConvertedDate = 2026-11-23T00:00:00Z", "ConvertedDate", "date", "should not"),
        ("CreatedDate > 2026-11-23", "CreatedDate", "dateTime", "should not"),
        ("LastName = 5", "LastName", "string", "should"),
        ("LastName = true", "LastName", "string", "should"),
        ("LastName IN ('a', 5)", "LastName", "string", "should"),
        ("Company LIKE 5", "Company", "string", "should"),
        ("Id = 5", "Id", "id", "should"),
        ("NumberOfEmployees = TODAY", "NumberOfEmployees", "integer", "should not"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_invalid_field(
    where: str, field: str, type_name: str, should: str
) -> None:
    query = f"SELECT Id FROM Lead WHERE {where}"
    error = error_of(query)
    assert error.error_code == "INVALID_FIELD"
    assert error.message == caret_error(
        query,
        query.index(where),
        f"value of filter criterion for field '{field}' must be of type {type_name} and "
        f"{should} be enclosed in quotes",
    )


def test_an_impossible_date_is_malformed() -> None:
    error = error_of("SELECT Id FROM Lead WHERE ConvertedDate = 2026-02-30")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("Invalid date: 2026-02-30")


def test_a_datetime_needs_a_time_zone() -> None:
    query = "SELECT Id FROM Lead WHERE CreatedDate > 2026-11-23T10:00:00 AND City = null"
    col = query.index(" AND") + 1
    error = error_of(query)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(f"line 1:{col} no viable alternative at character ' '")


def test_record_ids_compare_in_15_and_18_characters() -> None:
    assert last_names("Id = '00Q5g00000AbCdE'") == ["O'Brien"]
    assert last_names("Id = '00Q5g00000AbCdEAAV'") == ["O'Brien"]
    assert last_names("Id = '00Q5g00000ABCDE'") == []  # ids are case-sensitive
    assert last_names("Id IN ('00Q5g00000AbCdF', '00Q5g00000AbCdGAAV')") == ["smith", "Zhang"]


def test_a_malformed_id_is_refused() -> None:
    error = error_of("SELECT Id FROM Lead WHERE Id = 'abc'")
    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert error.message.endswith("invalid ID field: abc")


@pytest.mark.parametrize(
    ("where", "type_name"),
    [
        ("Id LIKE '00Q%'", "id"),
        ("NumberOfEmployees LIKE '5'", "int"),
        ("IsConverted LIKE 'x'", "boolean"),
    ],
)
def test_like_on_a_non_text_field_is_refused(where: str, type_name: str) -> None:
    error = error_of(f"SELECT Id FROM Lead WHERE {where}")
    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert error.message.endswith(f"invalid operator on {type_name} field")


def test_long_text_areas_cannot_be_filtered_or_sorted() -> None:
    error = error_of("SELECT Id FROM Lead WHERE Description = 'x'")
    assert error.error_code == "INVALID_FIELD"
    assert error.message.endswith("field 'Description' can not be filtered in a query call")
    error = error_of("SELECT Id FROM Lead ORDER BY Description")
    assert error.message.endswith("field 'Description' can not be sorted in a query call")


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("ConvertedDate = 2026-11-23", ["Adams"]),
        ("ConvertedDate < 2026-11-23", ["smith", "Zhang"]),
        ("ConvertedDate >= 2026-11-20", ["Adams", "smith"]),
        ("ConvertedDate = TODAY", ["Adams"]),
        ("ConvertedDate = YESTERDAY", []),
        ("ConvertedDate < TODAY", ["smith", "Zhang"]),
        ("ConvertedDate <= TODAY", ["Adams", "smith", "Zhang"]),
        ("ConvertedDate > YESTERDAY", ["Adams"]),
        ("ConvertedDate = LAST_N_DAYS:3", ["Adams", "smith"]),
        ("ConvertedDate = LAST_N_DAYS:2", ["Adams"]),
        ("ConvertedDate = N_DAYS_AGO:3", ["smith"]),
        ("ConvertedDate = THIS_MONTH", ["Adams", "smith"]),
        ("ConvertedDate = LAST_MONTH", ["Zhang"]),
        ("ConvertedDate = LAST_WEEK", ["smith"]),
        ("ConvertedDate = THIS_WEEK", ["Adams"]),
        ("ConvertedDate = THIS_YEAR", ["Adams", "smith", "Zhang"]),
        ("ConvertedDate != TODAY", ["O'Brien", "smith", "Zhang"]),
        ("CreatedDate = TODAY", ["O'Brien"]),
        ("CreatedDate = YESTERDAY", ["Adams"]),
        ("CreatedDate = LAST_90_DAYS", ["Adams", "O'Brien", "smith", "Zhang"]),
        ("CreatedDate = LAST_N_DAYS:7", ["Adams", "O'Brien", "smith"]),
        ("CreatedDate > 2026-11-22T23:59:59Z", ["O'Brien"]),
        ("CreatedDate >= 2026-11-22T23:59:59.000+0000", ["Adams", "O'Brien"]),
        ("CreatedDate < 2026-11-16T15:30:00-08:00", ["Zhang"]),
        ("CreatedDate <= 2026-11-16T15:30:00-08:00", ["smith", "Zhang"]),
        ("CreatedDate = 2026-11-23T09:00:00+01:00", ["O'Brien"]),
    ],
)
def test_date_and_datetime_filters(where: str, expected: list[str]) -> None:
    assert last_names(where) == expected


def test_relative_date_ranges() -> None:
    monday = date(2026, 11, 23)
    assert date_range("THIS_WEEK", None, monday) == (date(2026, 11, 22), date(2026, 11, 29))
    assert date_range("NEXT_WEEK", None, monday) == (date(2026, 11, 29), date(2026, 12, 6))
    assert date_range("NEXT_MONTH", None, date(2026, 12, 5)) == (date(2027, 1, 1), date(2027, 2, 1))
    assert date_range("LAST_N_DAYS", 1, monday) == (date(2026, 11, 22), date(2026, 11, 24))
    assert date_range("NEXT_N_DAYS", 2, monday) == (date(2026, 11, 24), date(2026, 11, 26))
    assert date_range("NEXT_90_DAYS", None, monday)[1] == date(2027, 2, 22)
    assert date_range("LAST_YEAR", None, monday) == (date(2025, 1, 1), date(2026, 1, 1))
    assert date_range("TOMORROW", None, monday) == (date(2026, 11, 24), date(2026, 11, 25))


def test_opportunity_close_dates_and_amounts() -> None:
    records = run("SELECT Name FROM Opportunity WHERE CloseDate = NEXT_N_DAYS:30 OR Amount = null")
    assert records == [{"Name": "Big deal"}, {"Name": "Small deal"}]
    assert run("SELECT Name FROM Opportunity WHERE Amount > 4999.99") == [{"Name": "Big deal"}]


# -- ORDER BY, LIMIT, OFFSET ------------------------------------------------------------------


def test_order_by_ascending_puts_nulls_first_by_default() -> None:
    records = run("SELECT LastName FROM Lead ORDER BY NumberOfEmployees")
    assert [r["LastName"] for r in records] == ["Zhang", "O'Brien", "Adams", "smith"]


def test_order_by_descending_puts_nulls_last_by_default() -> None:
    records = run("SELECT LastName FROM Lead ORDER BY NumberOfEmployees DESC")
    assert [r["LastName"] for r in records] == ["smith", "Adams", "O'Brien", "Zhang"]


def test_explicit_null_placement() -> None:
    asc_last = run("SELECT City FROM Lead ORDER BY City ASC NULLS LAST")
    desc_first = run("SELECT City FROM Lead ORDER BY City DESC NULLS FIRST")
    assert [r["City"] for r in asc_last] == ["Amsterdam", "berlin", "Dublin", None]
    assert [r["City"] for r in desc_first] == [None, "Dublin", "berlin", "Amsterdam"]


def test_text_sorts_ignoring_case() -> None:
    records = run("SELECT LastName FROM Lead ORDER BY LastName")
    assert [r["LastName"] for r in records] == ["Adams", "O'Brien", "smith", "Zhang"]


def test_order_by_several_fields() -> None:
    records = run("SELECT LastName FROM Lead ORDER BY IsConverted DESC, LastName DESC")
    assert [r["LastName"] for r in records] == ["smith", "Adams", "Zhang", "O'Brien"]
    records = run("SELECT LastName FROM Lead ORDER BY Status, CreatedDate DESC")
    assert [r["LastName"] for r in records] == ["Adams", "O'Brien", "smith", "Zhang"]


def test_limit_and_offset_window_the_sorted_rows() -> None:
    query = "SELECT LastName FROM Lead ORDER BY LastName"
    assert [r["LastName"] for r in run(f"{query} LIMIT 2")] == ["Adams", "O'Brien"]
    assert [r["LastName"] for r in run(f"{query} LIMIT 2 OFFSET 1")] == ["O'Brien", "smith"]
    assert [r["LastName"] for r in run(f"{query} OFFSET 3")] == ["Zhang"]
    assert run(f"{query} LIMIT 0") == []
    assert run(f"{query} OFFSET 10") == []


def test_offset_above_2000_is_out_of_range() -> None:
    error = error_of("SELECT Id FROM Lead OFFSET 2001")
    assert error.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert error.message.endswith("Maximum SOQL offset allowed is 2000")
    assert run_soql("SELECT Id FROM Lead OFFSET 2000", SCHEMA, rows_of).records == []


# -- errors -----------------------------------------------------------------------------------


def test_an_unknown_field_is_invalid_field_with_the_recorded_layout() -> None:
    error = error_of("SELECT Bacon__c FROM Lead LIMIT 2")
    assert error.error_code == "INVALID_FIELD"
    assert error.message == (
        "\nSELECT Bacon__c FROM Lead LIMIT 2\n       ^\nERROR at Row:1:Column:8\n"
        + NO_SUCH_COLUMN.format(name="Bacon__c", entity="Lead")
    )


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("SELECT Id FROM Lead WHERE Foo = 'x'", "Foo"),
        ("SELECT Id FROM Lead ORDER BY Foo", "Foo"),
        ("SELECT Id FROM Opportunity WHERE LastName = 'x'", "LastName"),
        ("SELECT Id, foo FROM Lead WHERE Foo IN ('x')", "foo"),
    ],
)
def test_unknown_fields_anywhere_are_invalid_field(query: str, name: str) -> None:
    error = error_of(query)
    assert error.error_code == "INVALID_FIELD"
    entity = "Opportunity" if "Opportunity" in query else "Lead"
    col = query.rindex(name)
    start = query.index("Id") if col > 32 else 0
    message = NO_SUCH_COLUMN.format(name=name, entity=entity)
    assert error.message == caret_error(query, col, message, start)


def test_an_unknown_object_is_invalid_type() -> None:
    error = error_of("SELECT Id FROM Widget")
    assert error.error_code == "INVALID_TYPE"
    assert error.message == caret_error(
        "SELECT Id FROM Widget",
        15,
        "sObject type 'Widget' is not supported. If you are attempting to use a custom object, "
        "be sure to append the '__c' after the entity name. Please reference your WSDL or the "
        "describe call for the appropriate names.",
    )


def test_the_object_is_checked_before_the_fields() -> None:
    assert error_of("SELECT Bacon__c FROM Widget").error_code == "INVALID_TYPE"


def test_a_text_that_is_not_a_query_gets_the_recorded_bare_message() -> None:
    error = error_of("SELEKT Id FROM Lead")
    assert (error.error_code, error.message) == ("MALFORMED_QUERY", "unexpected token: SELEKT")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_statement_is_malformed(text: str) -> None:
    error = error_of(text)
    assert (error.error_code, error.message) == (
        "MALFORMED_QUERY",
        "SOQL statements cannot be empty or null",
    )


@pytest.mark.parametrize(
    ("query", "token"),
    [
        ("SELECT Id FROM Lead WHERE", "<EOF>"),
        ("SELECT Id FROM", "<EOF>"),
        ("SELECT FROM Lead", "FROM"),
        ("SELECT Id, FROM Lead", "FROM"),
        ("SELECT Id FROM Lead extra", "extra"),
        ("SELECT Id FROM Lead WHERE City = 'x' LIMIT", "<EOF>"),
        ("SELECT Id FROM Lead LIMIT -1", "-1"),
        ("SELECT Id FROM Lead LIMIT 1.5", "1.5"),
        ("SELECT Id FROM Lead OFFSET 1 LIMIT 1", "LIMIT"),
        ("SELECT Id FROM Lead WHERE City IN ()", ")"),
        ("SELECT Id FROM Lead WHERE City IN 'x'", "'x'"),
        ("SELECT Id FROM Lead WHERE City = Dublin", "Dublin"),
        ("SELECT Id FROM Lead WHERE (City = 'x'", "<EOF>"),
        ("SELECT Id FROM Lead ORDER BY City NULLS", "<EOF>"),
        ("SELECT Id FROM Lead WHERE City NOT 'x'", "'x'"),
        ("SELECT Id FROM Lead WHERE City INCLUDES ('x')", "INCLUDES"),
        ("SELECT Id FROM Lead GROUP BY City", "GROUP"),
    ],
)
def test_syntax_errors_name_the_unexpected_token(query: str, token: str) -> None:
    error = error_of(query)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(f"\nunexpected token: {token}")
    assert "ERROR at Row:1:Column:" in error.message


def test_errors_on_later_lines_report_their_row_and_column() -> None:
    error = error_of("SELECT Id\nFROM Lead\nWHERE Nope = 1")
    assert error.message == "\nWHERE Nope = 1\n      ^\nERROR at Row:3:Column:7\n" + (
        NO_SUCH_COLUMN.format(name="Nope", entity="Lead")
    )


def test_deep_nesting_is_refused_without_exhausting_the_stack() -> None:
    fine = "(" * 100 + "City = 'Dublin'" + ")" * 100
    assert last_names(fine) == ["O'Brien"]
    error = error_of("SELECT Id FROM Lead WHERE " + "(" * 5000 + "City = 'x'" + ")" * 5000)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("Conditions may be nested at most 100 parentheses deep")


def test_a_field_selected_twice_is_refused() -> None:
    error = error_of("SELECT Id, LastName, lastname FROM Lead")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("duplicate field selected: LastName")


def test_relationship_fields_are_refused_clearly() -> None:
    error = error_of("SELECT Owner.Name FROM Lead")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("does not implement relationship fields: Owner.Name")
    error = error_of("SELECT Bogus.Name FROM Lead")
    assert error.error_code == "INVALID_FIELD"
    assert error.message.endswith(
        "Didn't understand relationship 'Bogus' in field path. If you are attempting to use a "
        "custom relationship, be sure to append the '__r' after the custom relationship name. "
        "Please reference your WSDL or the describe call for the appropriate names."
    )


def test_aggregates_other_than_count_are_refused_clearly() -> None:
    error = error_of("SELECT COUNT(Id) FROM Lead")
    assert error.error_code == "MALFORMED_QUERY"
    assert "COUNT() only" in error.message


def test_errors_are_raised_even_when_there_are_no_rows() -> None:
    with pytest.raises(SoqlError) as caught:
        run_soql("SELECT Id FROM Lead WHERE Nope = 1", SCHEMA, lambda _: [])
    assert caught.value.error_code == "INVALID_FIELD"


def test_the_error_string_carries_code_and_message() -> None:
    error = error_of("SELEKT")
    assert str(error) == "MALFORMED_QUERY: unexpected token: SELEKT"


_PIECES = [
    "SELECT",
    "Id",
    ",",
    "LastName",
    "FROM",
    "Lead",
    "WHERE",
    "(",
    ")",
    "=",
    "!=",
    "<",
    ">=",
    "LIKE",
    "IN",
    "NOT",
    "AND",
    "OR",
    "'x'",
    "'a\\'b'",
    "'\\q'",
    "'\\u12'",
    "5",
    "-3.5",
    "2026-11-23",
    "2026-11-23T10:00:00Z",
    "2026-13-01",
    "TODAY",
    "LAST_N_DAYS:3",
    "LAST_N_DAYS",
    "null",
    "true",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "NULLS",
    "FIRST",
    "LAST",
    "LIMIT",
    "OFFSET",
    "COUNT()",
    "City",
    "CreatedDate",
    "ConvertedDate",
    "NumberOfEmployees",
    "Owner.Name",
    "'",
    '"',
    "{",
    "}",
    ":x",
    "\\",
    "%",
    "_",
    "Description",
    "'00Q5g00000AbCdE'",
]


def test_random_token_soup_gets_only_soql_errors() -> None:
    rng = random.Random(20261123)
    for _ in range(3000):
        words = [rng.choice(_PIECES) for _ in range(rng.randint(0, 12))]
        query = " ".join(words)
        if rng.random() < 0.5:
            query = "SELECT Id FROM Lead WHERE " + query
        try:
            run_soql(query, SCHEMA, rows_of, today=TODAY)
        except SoqlError as error:
            assert error.error_code and error.message


# -- the echoed excerpt, against errors recorded from real orgs -------------------------------


def test_excerpt_matches_a_recorded_type_mismatch() -> None:
    query = "select Id, ProductCode from Product2 where ProductCode = 3999"
    message = positional_message(query, query.index("ProductCode = "), "x")
    assert message == (
        "\nProductCode from Product2 where ProductCode = 3999\n" + " " * 32 + "^\n"
        "ERROR at Row:1:Column:44\nx"
    )


def test_excerpt_matches_a_recorded_unknown_object() -> None:
    query = "Select Value from OmniInteractionConfig where DeveloperName = 'OmniStudio'"
    message = positional_message(query, query.index("Omni"), "x")
    assert message == (
        "\nSelect Value from OmniInteractionConfig where DeveloperName\n"
        + " " * 18
        + "^\nERROR at Row:1:Column:19\nx"
    )


# -- scale ------------------------------------------------------------------------------------


def test_a_thousand_rows_filter_sort_and_page() -> None:
    rows = [
        {
            "Id": f"00Q5g{i:010d}",
            "LastName": f"Name{i % 97:02d}",
            "NumberOfEmployees": i,
            "City": None if i % 10 == 0 else f"City{i % 7}",
        }
        for i in range(1000)
    ]
    result = run_soql(
        "SELECT Id, LastName FROM Lead WHERE City LIKE 'city3%' AND NumberOfEmployees >= 100 "
        "ORDER BY LastName DESC, NumberOfEmployees LIMIT 5 OFFSET 2",
        SCHEMA,
        lambda _: rows,
    )
    expected = sorted(
        (r for r in rows if r["City"] == "City3" and r["NumberOfEmployees"] >= 100),
        key=lambda r: (-int(r["LastName"][4:]), r["NumberOfEmployees"]),
    )[2:7]
    assert result.records == [{"Id": r["Id"], "LastName": r["LastName"]} for r in expected]
