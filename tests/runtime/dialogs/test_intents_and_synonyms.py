"""A dialog file's `intents` and `synonyms`: read with their lines, every mistake at its line,
and the conflicts between files (and with config.yaml) named at both places."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from runtime.dialogs.loader import load_dialog, load_dialogs
from runtime.dialogs.model import Dialog
from runtime.errors import DefinitionError
from runtime.intents.synonyms import Synonym
from tests.runtime.cli.test_cli import parley

ROOT = Path(__file__).resolve().parents[3]

NODES = """
nodes:
  - id: hello
    type: message
    text: Hello
"""


def yaml_text(text: str) -> str:
    """Inline YAML as it reads in the test: its first line is line 1."""
    return dedent(text).lstrip("\n")


def load(text: str) -> Dialog:
    return load_dialog(yaml_text(text) + NODES.lstrip("\n"), "bot/d.yaml")


def problems(text: str) -> list[str]:
    """Every problem of the file, as 'LINE: message', sorted by line."""
    with pytest.raises(DefinitionError) as info:
        load(text)
    assert all(p.file == "bot/d.yaml" for p in info.value.problems)
    return [f"{p.line}: {p.message}" for p in info.value.problems]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml_text(text) + NODES.lstrip("\n"))
    return path


# -- one file -----------------------------------------------------------------------------------


def test_intents_are_read_with_the_line_of_each():
    dialog = load(
        """
        dialog: create_lead
        intents:
          - create a lead
          # a comment between items
          - add a new lead
          - 42
        """
    )
    assert dialog.intents == ("create a lead", "add a new lead", "42")
    assert dialog.intent_lines == (3, 5, 6)


def test_synonyms_are_read_with_the_line_of_each_variant():
    dialog = load(
        """
        dialog: delete_lead
        intents: [delete a lead]
        synonyms:
          lead: [prospect, Contact   Request]
          delete:
            - remove
            - "  Get Rid OF "
          opportunity: deal
        """
    )
    assert dialog.synonyms == (
        Synonym("prospect", "lead", "bot/d.yaml", 4),
        Synonym("contact request", "lead", "bot/d.yaml", 4),
        Synonym("remove", "delete", "bot/d.yaml", 6),
        Synonym("get rid of", "delete", "bot/d.yaml", 7),
        Synonym("deal", "opportunity", "bot/d.yaml", 8),
    )


def test_without_synonyms_there_are_none():
    assert load("dialog: d\n").synonyms == ()
    assert load("dialog: d\nsynonyms: {}\n").synonyms == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "dialog: d\nsynonyms: [lead, prospect]\n",
            "2: `synonyms` must map a word to the words that mean it, e.g. lead: [prospect], "
            "got a list",
        ),
        (
            "dialog: d\nsynonyms: lead\n",
            "2: `synonyms` must map a word to the words that mean it, e.g. lead: [prospect], "
            "got the text 'lead'",
        ),
    ],
)
def test_synonyms_must_be_a_mapping(text, expected):
    assert problems(text) == [expected]


def test_synonyms_with_nothing_under_them_are_none_as_in_config():
    assert load("dialog: d\nsynonyms:\n").synonyms == ()


def test_every_variant_that_is_not_text_is_reported_at_its_line():
    assert problems(
        """
        dialog: d
        synonyms:
          lead:
            - prospect
            - [nested]
            - {a: b}
            - ''
          delete: [remove, 5]
          opportunity:
          7: [seven]
        """
    ) == [
        "5: synonyms of 'lead' must be words or phrases, got a list",
        "6: synonyms of 'lead' must be words or phrases, got a mapping",
        "7: synonyms of 'lead' must be words or phrases, got the text ''",
        "8: synonyms of 'delete' must be words or phrases, got 5",
        "9: synonyms of 'opportunity' must be words or phrases, got nothing",
        "10: a synonym's canonical word must be text",
    ]


def test_a_variant_equal_to_its_canonical_word_is_an_error():
    assert problems(
        """
        dialog: d
        synonyms:
          lead: [prospect, Lead]
          delete:
            - remove
            - "  DELETE "
        """
    ) == [
        "3: 'Lead' is listed as a synonym of itself; remove it",
        "6: '  DELETE ' is listed as a synonym of itself; remove it",
    ]


def test_an_intent_listed_twice_in_one_dialog_is_an_error_at_the_second():
    assert problems(
        """
        dialog: d
        intents:
          - create a lead
          - add a lead
          - Create a  Lead!
        """
    ) == ["5: intent 'Create a  Lead!' is listed twice (first at line 3); remove one"]


def test_an_empty_intent_is_an_error_at_its_line():
    assert problems(
        """
        dialog: d
        intents:
          - create a lead
          - ''
          - '   '
        """
    ) == [
        "4: item 2 of `intents` in the dialog is empty; write the text",
        "5: item 3 of `intents` in the dialog is empty; write the text",
    ]
    assert problems("dialog: d\nintents: []\n") == [
        "2: `intents` in the dialog must be a list of texts, got an empty list"
    ]


# -- across files -------------------------------------------------------------------------------


def test_a_variant_with_two_canonical_words_in_two_files_names_both_places(tmp_path):
    first = write(
        tmp_path / "a.yaml",
        """
        dialog: alpha
        intents: [delete a lead]
        synonyms:
          delete:
            - erase
            - remove
        """,
    )
    second = write(
        tmp_path / "b.yaml",
        """
        dialog: bravo
        intents: [drop a table]
        synonyms:
          drop: [Remove]
        """,
    )
    with pytest.raises(DefinitionError) as info:
        load_dialogs([tmp_path])
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(second), 4)
    assert problem.message == (
        f"synonym 'remove' is mapped to 'drop' here and to 'delete' at {first}:6; "
        "a synonym has one canonical word: remove one of them"
    )
    assert str(info.value).startswith(f"{second}:4: synonym 'remove'")


def test_the_same_variant_for_the_same_word_in_two_files_is_fine(tmp_path):
    write(
        tmp_path / "a.yaml",
        "dialog: alpha\nintents: [delete a lead]\nsynonyms: {delete: [remove]}\n",
    )
    write(
        tmp_path / "b.yaml",
        "dialog: bravo\nintents: [delete a deal]\nsynonyms: {delete: [remove]}\n",
    )
    dialogs = load_dialogs([tmp_path])
    assert [s.variant for d in dialogs for s in d.synonyms] == ["remove", "remove"]


def test_a_canonical_word_used_as_a_variant_elsewhere_names_both_places(tmp_path):
    first = write(
        tmp_path / "a.yaml",
        "dialog: alpha\nintents: [delete a lead]\nsynonyms: {delete: [remove]}\n",
    )
    second = write(
        tmp_path / "b.yaml", "dialog: bravo\nintents: [a deal]\nsynonyms:\n  deal: [delete]\n"
    )
    with pytest.raises(DefinitionError) as info:
        load_dialogs([tmp_path])
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(second), 4)
    assert problem.message == (
        f"'delete' is a synonym of 'deal' here but a canonical word at {first}:3; "
        "use it in one role only"
    )


def test_an_utterance_of_two_dialogs_is_an_error_at_the_second_naming_the_first(tmp_path):
    first = write(
        tmp_path / "a.yaml",
        """
        dialog: create_lead
        intents:
          - create a lead
          - add a lead
        """,
    )
    second = write(
        tmp_path / "b.yaml",
        """
        # a second dialog that claims the same words
        dialog: import_leads
        intents:
          - import leads
          - Add a lead!
        """,
    )
    with pytest.raises(DefinitionError) as info:
        load_dialogs([tmp_path])
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(second), 5)
    assert problem.message == (
        f"intent 'Add a lead!' is also an intent of dialog 'create_lead' ({first}:4); "
        "an utterance can start only one dialog: remove it from one of them"
    )


def test_not_intents_are_read_with_their_lines_and_checked_like_intents():
    dialog = load(
        """
        dialog: create_lead
        intents: [create a lead]
        not_intents:
          - how do I lead a team
          - is lead poisonous
        """
    )
    assert dialog.not_intents == ("how do I lead a team", "is lead poisonous")
    assert dialog.not_intent_lines == (4, 5)
    assert problems(
        """
        dialog: d
        not_intents:
          - lead poisoning
          - ""
          - Lead  poisoning!
        """
    ) == [
        "4: item 2 of `not_intents` in the dialog is empty; write the text",
        "5: not_intent 'Lead  poisoning!' is listed twice (first at line 3); remove one",
    ]


def test_a_not_intent_that_is_an_intent_of_any_dialog_is_an_error_naming_both(tmp_path):
    first = write(tmp_path / "a.yaml", "dialog: create_lead\nintents: [create a lead]\n")
    second = write(
        tmp_path / "b.yaml",
        "dialog: get_lead\nintents: [get a lead]\nnot_intents: [Create a lead]\n",
    )
    with pytest.raises(DefinitionError) as info:
        load_dialogs([tmp_path])
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(second), 3)
    assert problem.message == (
        f"'Create a lead' is in not_intents here but an intent of dialog 'create_lead' "
        f"({first}:2); a phrasing cannot both start a dialog and start nothing: remove one of "
        "them"
    )


def test_the_repository_dialogs_have_no_intent_or_synonym_conflicts():
    dialogs = load_dialogs([ROOT / "dialogs"])
    by_id = {d.id: d for d in dialogs}
    assert Synonym("prospect", "lead", by_id["create_lead"].file) in {
        Synonym(s.variant, s.canonical, s.file) for s in by_id["create_lead"].synonyms
    }
    assert all(len(d.intents) == len(d.intent_lines) for d in dialogs)


# -- parley validate: config.yaml against the dialogs ------------------------------------------


def test_validate_reports_a_variant_given_two_meanings_by_config_and_a_dialog(tmp_path):
    (tmp_path / "config.yaml").write_text(
        yaml_text(
            """
            bot: {name: test}
            dialogs: [dialogs/]
            store: {url: "sqlite:///var/parley.db"}
            synonyms:
              lead: [prospect]
              delete:
                - drop
                - remove
            """
        )
    )
    dialog = write(
        tmp_path / "dialogs" / "erase_lead.yaml",
        """
        dialog: erase_lead
        intents: [erase a lead]
        synonyms:
          erase:
            - wipe
            - remove
        """,
    )
    done = parley("validate", cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    assert "config.yaml:8" in done.stderr
    assert f"{dialog}:6" in done.stderr
    [line] = [line for line in done.stderr.splitlines() if "'remove'" in line]
    assert line.startswith(f"{dialog}:6: synonym 'remove' is mapped to 'erase' here")
    assert "config.yaml:8" in line
    assert done.stderr.splitlines()[-1] == "1 problem(s) found."


def test_validate_accepts_config_synonyms_that_agree_with_the_dialogs(tmp_path):
    (tmp_path / "config.yaml").write_text(
        "dialogs: [dialogs/]\nsynonyms:\n  delete: [remove]\n  lead: [prospect]\n"
    )
    write(
        tmp_path / "dialogs" / "erase_lead.yaml",
        "dialog: erase_lead\nintents: [erase a lead]\nsynonyms:\n  delete: [remove, erase]\n",
    )
    done = parley("validate", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "OK: 1 dialog(s) valid."
