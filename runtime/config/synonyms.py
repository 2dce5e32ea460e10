"""synonyms: bot-wide words and phrases for a canonical word, ``canonical: [variant, ...]``."""

from __future__ import annotations

from runtime.config.section import Section
from runtime.config.yaml_tree import Item, describe, kind_of
from runtime.errors import Problem
from runtime.intents.synonyms import Synonym, normalise_phrase, synonym_problems


def read_synonyms(top: Section) -> tuple[Synonym, ...]:
    """Every variant, with its line, in file order; problems go to the section's report."""
    report = top.report
    file = report.file or ""
    found: dict[Synonym, str] = {}  # each synonym and its key path, for messages
    pairs: set[tuple[str, str]] = set()
    for key, item in top.mapping("synonyms").items():
        path = f"synonyms.{key}"
        canonical = normalise_phrase(key)
        if not canonical:
            report.add(
                item.line,
                "synonyms",
                "a canonical word cannot be empty: write the word its variants mean, "
                "e.g. lead: [prospect]",
            )
            continue
        if item.broken:
            continue
        if item.value is None or isinstance(item.value, dict):
            got = "a mapping" if item.value is not None else "nothing"
            report.add(item.line, path, f"expected a list of words or phrases, got {got}")
            continue
        entries = (
            [(f"{path}[{i}]", entry) for i, entry in enumerate(item.value)]
            if isinstance(item.value, list)
            else [(path, item)]
        )
        for entry_path, entry in entries:
            if entry.broken:
                continue
            variant = normalise_phrase(entry.value) if isinstance(entry.value, str) else ""
            if not variant:
                report.add(entry.line, entry_path, _not_a_word(entry))
            elif variant == canonical:
                report.add(
                    entry.line,
                    entry_path,
                    f"{entry.value.strip()!r} is listed as a synonym of itself; remove it",
                )
            elif (variant, canonical) not in pairs:
                pairs.add((variant, canonical))
                found[Synonym(variant, canonical, file, entry.line)] = entry_path
    for problem in synonym_problems(found):
        report.add(problem.line, _path_of(problem, found), problem.message)
    return tuple(found)


def _not_a_word(entry: Item) -> str:
    if entry.value is None:
        return "expected a non-empty string, got nothing"
    message = f"expected a non-empty string, got {describe(entry)}"
    if isinstance(entry.value, bool | int | float):
        return f"{message} (YAML reads it as {kind_of(entry)}: put it in quotes)"
    return message


def _path_of(problem: Problem, found: dict[Synonym, str]) -> str:
    """The key path of the synonym a problem is about (several may share a line: [a, b])."""
    on_line = [s for s in found if s.line == problem.line]
    if len(on_line) == 1:
        return found[on_line[0]]
    for s in on_line:
        starts = (
            f"synonym {s.variant!r} is mapped to {s.canonical!r} ",
            f"{s.variant!r} is a synonym of {s.canonical!r} ",
        )
        if problem.message.startswith(starts):
            return found[s]
    return found[on_line[0]] if on_line else "synonyms"
