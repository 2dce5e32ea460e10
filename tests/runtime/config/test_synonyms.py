"""synonyms: in config.yaml: bot-wide variants with their lines, and every mistake by key path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from runtime.config import Config, load_config
from runtime.intents.synonyms import Synonym

Load = Callable[..., Config]
Problems = Callable[..., list[str]]


def test_without_synonyms_there_are_none(load: Load) -> None:
    assert load("bot: {name: x}\n").synonyms == ()
    assert load("synonyms:\n").synonyms == ()
    assert load("synonyms: {}\n").synonyms == ()


def test_synonyms_are_read_with_the_line_of_each_variant(load: Load) -> None:
    config = load(
        """\
        bot: {name: x}
        synonyms:
          lead: [prospect, contact request]
          delete:
            - remove
            - "  Get   rid OF "
          Opportunity:   deal
          "sales  rep": [owner]
        """
    )
    assert config.synonyms == (
        Synonym("prospect", "lead", "config.yaml", 3),
        Synonym("contact request", "lead", "config.yaml", 3),
        Synonym("remove", "delete", "config.yaml", 5),
        Synonym("get rid of", "delete", "config.yaml", 6),
        Synonym("deal", "opportunity", "config.yaml", 7),
        Synonym("owner", "sales rep", "config.yaml", 8),
    )


def test_yes_and_no_are_words_as_in_dialog_files(load: Load) -> None:
    # YAML 1.2's core schema, as every Parley file is read: no quotes needed for `no`.
    config = load("synonyms:\n  cancel: [stop, no, off]\n")
    assert [s.variant for s in config.synonyms] == ["stop", "no", "off"]


def test_the_file_is_named_as_given_to_load_config(tmp_path: Path) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text("synonyms:\n  lead: prospect\n")
    assert load_config(path, env={}).synonyms == (Synonym("prospect", "lead", str(path), 2),)


def test_variants_are_interpolated_and_a_repeated_one_is_kept_once(load: Load) -> None:
    config = load(
        "synonyms:\n  lead: ['${WORD:-prospect}', Prospect, ' prospect ']\n",
        env={"WORD": ""},
    )
    assert config.synonyms == (Synonym("prospect", "lead", "config.yaml", 2),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("synonyms: [lead]\n", "config.yaml:1: synonyms: expected a mapping, got a list"),
        ("synonyms: lead\n", "config.yaml:1: synonyms: expected a mapping, got a string"),
        (
            "synonyms:\n  lead: {prospect: yes}\n",
            "config.yaml:2: synonyms.lead: expected a list of words or phrases, got a mapping",
        ),
        (
            "synonyms:\n  lead:\n",
            "config.yaml:2: synonyms.lead: expected a list of words or phrases, got nothing",
        ),
        (
            "synonyms:\n  lead: [prospect, [nested]]\n",
            "config.yaml:2: synonyms.lead[1]: expected a non-empty string, got a list",
        ),
        (
            "synonyms:\n  lead:\n    - prospect\n    - {a: b}\n",
            "config.yaml:4: synonyms.lead[1]: expected a non-empty string, got a mapping",
        ),
        (
            "synonyms:\n  lead:\n    - prospect\n    - ''\n",
            "config.yaml:4: synonyms.lead[1]: expected a non-empty string, got ''",
        ),
        (
            "synonyms:\n  lead:\n    - '   '\n",
            "config.yaml:3: synonyms.lead[0]: expected a non-empty string, got '   '",
        ),
        (
            "synonyms:\n  lead: [prospect, ~]\n",
            "config.yaml:2: synonyms.lead[1]: expected a non-empty string, got nothing",
        ),
        (
            "synonyms:\n  cancel: [stop, false]\n",
            "config.yaml:2: synonyms.cancel[1]: expected a non-empty string, got 'false' "
            "(YAML reads it as true or false: put it in quotes)",
        ),
        (
            "synonyms:\n  one:\n    - 1\n",
            "config.yaml:3: synonyms.one[0]: expected a non-empty string, got '1' "
            "(YAML reads it as a number: put it in quotes)",
        ),
        (
            "synonyms:\n  lead: prospect\n  '  ': [contact]\n",
            "config.yaml:3: synonyms: a canonical word cannot be empty: write the word its "
            "variants mean, e.g. lead: [prospect]",
        ),
        (
            "synonyms:\n  lead:\n    - prospect\n    - ' LEAD '\n",
            "config.yaml:4: synonyms.lead[1]: 'LEAD' is listed as a synonym of itself; remove it",
        ),
        (
            "synonyms:\n  lead: Lead\n",
            "config.yaml:2: synonyms.lead: 'Lead' is listed as a synonym of itself; remove it",
        ),
    ],
)
def test_each_mistake_names_its_line_and_key_path(
    problems: Problems, text: str, message: str
) -> None:
    assert problems(text) == [message]


def test_an_unset_variable_is_reported_once(problems: Problems) -> None:
    assert problems("synonyms:\n  lead: [prospect, '${WORD}']\n") == [
        "config.yaml:2: synonyms.lead[1]: environment variable WORD is not set "
        "(write ${WORD:-default} to give a default)"
    ]


def test_a_variant_with_two_canonical_words_is_reported_where_it_is_repeated(
    problems: Problems,
) -> None:
    found = problems(
        """\
        synonyms:
          lead: [prospect]
          contact:
            - person
            - " Prospect"
        """
    )
    assert len(found) == 1
    assert found[0].startswith(
        "config.yaml:5: synonyms.contact[1]: synonym 'prospect' is mapped to 'contact' here"
    )
    assert "'lead' at config.yaml:2" in found[0]


def test_a_variant_that_is_also_a_canonical_word_is_reported(problems: Problems) -> None:
    found = problems("synonyms:\n  lead: [prospect]\n  prospect: [contact]\n")
    assert len(found) == 1
    assert found[0].startswith(
        "config.yaml:2: synonyms.lead[0]: 'prospect' is a synonym of 'lead' here but a "
        "canonical word at config.yaml:3"
    )


def test_a_clash_on_one_line_names_the_variant_at_fault(problems: Problems) -> None:
    found = problems("synonyms: {lead: [prospect, person], deal: [opportunity, prospect]}\n")
    assert len(found) == 1
    assert found[0].startswith(
        "config.yaml:1: synonyms.deal[1]: synonym 'prospect' is mapped to 'deal' here"
    )


def test_every_synonym_mistake_is_reported_at_once_in_file_order(problems: Problems) -> None:
    found = problems(
        """\
        synonyms:
          lead: [prospect, lead]
          delete: {remove: true}
          deal:
            - prospect
            - [x]
        """
    )
    assert [message.split(": ")[0:2] for message in found] == [
        ["config.yaml:2", "synonyms.lead[1]"],
        ["config.yaml:3", "synonyms.delete"],
        ["config.yaml:5", "synonyms.deal[0]"],
        ["config.yaml:6", "synonyms.deal[1]"],
    ]
