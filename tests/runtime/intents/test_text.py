"""How the matcher reads a message: values masked, typos fixed, stems, synonyms."""

from __future__ import annotations

from runtime.intents.synonyms import Synonym
from runtime.intents.text import EMAIL, NUMBER, RECORD_ID, Reader, clean

VOCABULARY = ["delete", "a", "lead", "opportunity", "create", "show", "me", "leads"]


def reader(*synonyms: tuple[str, str]) -> Reader:
    return Reader([Synonym(v, c) for v, c in synonyms], VOCABULARY)


def test_values_are_masked_and_punctuation_goes():
    text = "Delete lead 00Q5g000001AbCdEAK, email pat@acme.com, worth $10,000!"
    assert clean(text) == f"delete lead {RECORD_ID} email {EMAIL} worth {NUMBER}"


def test_curly_apostrophes_are_kept_inside_words():
    assert clean("I\u2019d like a demo") == "i'd like a demo"


def test_inflections_share_a_stem():
    r = reader()
    assert r.words("deleting leads") == r.words("delete lead") == "delet lead"


def test_a_typo_is_read_as_the_known_word_it_resembles():
    r = reader()
    assert r.words("delette a lead") == r.words("delete a lead")
    assert r.words("opportunty") == r.words("opportunity")


def test_a_word_is_not_taken_for_one_with_another_first_letter():
    # "meeting" and "deleting" are as close as "deleting" and "delete" by edit distance.
    r = Reader([], ["meeting", "lead"])
    assert r.words("deleting a lead").split()[0] == "delet"


def test_unknown_names_stay_as_they_are():
    assert reader().words("Gonzalez") == "gonzalez"


def test_synonyms_are_replaced_by_stem_longest_phrase_first():
    r = reader(("get rid of", "delete"), ("erase", "delete"), ("prospect", "lead"), ("get", "show"))
    assert r.words("get rid of that prospect") == "delet that lead"
    assert r.words("erasing prospects") == "delet lead"
    assert r.words("get a lead") == "show a lead"
