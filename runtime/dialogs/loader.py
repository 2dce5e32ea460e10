"""Load dialog files into the frozen dataclasses of `runtime.dialogs.model`.

Reading is lenient and reporting is strict: every mistake becomes a `Problem` at the YAML line of
the offending key, reading goes on past it, and `validate_dialog` then checks the graph and the
templates of whatever could be built. All problems of all files are raised together as one
`DefinitionError`, so an author fixes a file in one pass.

This module finds the files and reports across them (dialog ids and intents used twice); reading
one file is `runtime.dialogs.reading`'s job.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from runtime.dialogs.model import Dialog
from runtime.dialogs.reading.dialog_file import read_file
from runtime.dialogs.reading.values import Reader
from runtime.dialogs.reading.wording import describe, one_line
from runtime.dialogs.validation import validate_dialog
from runtime.errors import DefinitionError, Problem
from runtime.files import find_files
from runtime.intents.synonyms import synonym_problems
from runtime.intents.utterances import utterance_key
from runtime.templating import Templates
from runtime.yaml_lines import YamlError, YamlMap, parse_yaml

NO_LINE = 0  # for a path that has no line to point at (missing file, empty folder)


def load_dialog(text: str, file: str, templates: Templates | None = None) -> Dialog:
    """One dialog from the YAML `text` of `file`; raises `DefinitionError` with every problem."""
    dialog, problems = read_dialog(text, file, templates or Templates())
    if problems or dialog is None:
        raise DefinitionError(problems)
    return dialog


def load_dialogs(
    paths: Sequence[str | Path],
    templates: Templates | None = None,
    *,
    profiles: Collection[str] | None = None,
) -> list[Dialog]:
    """Every dialog under `paths` (files, or folders searched recursively for ``*.yaml``, in
    sorted order); raises one `DefinitionError` with the problems of all files, including
    dialog ids used twice. `profiles`, when given, are the auth profiles a service node may
    name."""
    dialogs, problems = read_dialogs(paths, templates, profiles=profiles)
    if problems:
        raise DefinitionError(problems)
    return dialogs


def read_dialogs(
    paths: Sequence[str | Path],
    templates: Templates | None = None,
    *,
    profiles: Collection[str] | None = None,
) -> tuple[list[Dialog], list[Problem]]:
    """What `load_dialogs` reads, as far as it could be built, and every problem found;
    never raises for bad input. `profiles`, when given, are the auth profiles a service node
    may name (config.yaml's)."""
    templates = templates or Templates()
    problems: list[Problem] = []
    dialogs: list[Dialog] = []
    first_seen: dict[str, Dialog] = {}
    for path in _dialog_files(paths, problems):
        file = str(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            problems.append(Problem(file, NO_LINE, f"cannot read the file: {exc.strerror}"))
            continue
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            problems.append(Problem(file, line, "the file is not UTF-8 text; save it as UTF-8"))
            continue
        dialog, found = read_dialog(text, file, templates, profiles=profiles)
        problems += found
        if dialog is None:
            continue
        first = first_seen.setdefault(dialog.id, dialog) if dialog.id else dialog
        if first is not dialog:
            problems.append(
                Problem(
                    file,
                    dialog.line,
                    f"dialog id {dialog.id!r} is already used by {first.file}:{first.line}; "
                    "dialog ids must be unique across the bot",
                )
            )
        dialogs.append(dialog)
    problems += shared_intent_problems(dialogs)
    problems += synonym_problems(s for d in dialogs for s in d.synonyms)
    return dialogs, problems


def shared_intent_problems(dialogs: Iterable[Dialog]) -> list[Problem]:
    """An utterance listed by two dialogs (the matcher could not tell them apart), or as an
    intent of one dialog and a phrasing that must start nothing (`not_intents`) of any."""
    problems: list[Problem] = []
    owner: dict[str, tuple[Dialog, int]] = {}
    for dialog in dialogs:
        for text, line in zip(dialog.intents, dialog.intent_lines, strict=False):
            first = owner.setdefault(utterance_key(text), (dialog, line))
            if first[0] is not dialog:
                problems.append(
                    Problem(
                        dialog.file,
                        line,
                        f"intent {text!r} is also an intent of dialog {first[0].id!r} "
                        f"({first[0].file}:{first[1]}); an utterance can start only one "
                        "dialog: remove it from one of them",
                    )
                )
    for dialog in dialogs:
        for text, line in zip(dialog.not_intents, dialog.not_intent_lines, strict=False):
            intent = owner.get(utterance_key(text))
            if intent is not None:
                problems.append(
                    Problem(
                        dialog.file,
                        line,
                        f"{text!r} is in not_intents here but an intent of dialog "
                        f"{intent[0].id!r} ({intent[0].file}:{intent[1]}); a phrasing cannot both "
                        "start a dialog and start nothing: remove one of them",
                    )
                )
    return problems


def read_dialog(
    text: str, file: str, templates: Templates, *, profiles: Collection[str] | None = None
) -> tuple[Dialog | None, list[Problem]]:
    """The dialog in `text` as far as it could be built (None when the file is not a YAML
    mapping), and every problem found (loading and validation). Never raises for bad input."""
    try:
        data, duplicates = parse_yaml(text)
    except YamlError as exc:
        return None, [Problem(file, exc.line, one_line(exc.message))]
    problems = [Problem(file, d.line, d.message) for d in duplicates]
    if data is None:
        problems.append(Problem(file, 1, "the file is empty; a dialog needs `dialog` and `nodes`"))
        return None, problems
    if not isinstance(data, YamlMap):
        problems.append(
            Problem(
                file,
                getattr(data, "line", 1),
                f"a dialog file must be a mapping with `dialog` and `nodes`, got {describe(data)}",
            )
        )
        return None, problems
    reader = Reader(file)
    dialog = read_file(reader, data)
    problems += reader.problems
    file_lines = {str(k): line for k, line in data.lines.items()}
    problems += validate_dialog(
        dialog, templates, lines=file_lines, unplaced=reader.unplaced, profiles=profiles
    )
    return dialog, problems


def _dialog_files(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    # Transcripts are YAML too, and may sit beside the dialogs they test.
    return find_files(paths, ".yaml", problems, skip=(".transcript.yaml",), kind="dialog")
