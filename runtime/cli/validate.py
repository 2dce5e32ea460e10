"""`parley validate [PATH ...]`: check config.yaml and dialogs; every problem with file and line.

Nothing stops the checking early: a config.yaml with problems still lets the dialogs given on
the command line be checked, and a dialog with problems is still checked against config.yaml
(auth profiles, synonyms). The problems come sorted by file and line, then one summary line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from runtime.bot import bot_synonyms
from runtime.cli.common import NO_CONFIG, add_config_option
from runtime.config import DEFAULT_FILE, Config, load_config
from runtime.config.yaml_tree import Report, Tree
from runtime.dialogs.loader import NO_LINE, read_dialogs
from runtime.dialogs.model import Dialog
from runtime.dialogs.reading.wording import one_line
from runtime.errors import ConfigError, DefinitionError, Problem


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="validate config.yaml and dialog files")
    parser.add_argument("paths", nargs="*", type=Path, help="dialog files or folders")
    add_config_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.config is None and not args.paths and not Path(DEFAULT_FILE).is_file():
        print(NO_CONFIG, file=sys.stderr)  # not a bot's folder, and no dialog named
        return 1
    messages: list[str] = []
    config: Config | None = None
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        messages += exc.messages
    problems: list[Problem] = []
    dialogs: list[Dialog] = []
    if config is not None or args.paths:
        # Without a readable config.yaml, the dialogs named on the command line are still
        # checked, only not against config.yaml.
        paths = args.paths or list(config.dialogs if config else ())
        profiles = config.profile_names() if config is not None else None
        dialogs, problems = read_dialogs(paths, profiles=profiles)
        if config is not None:
            if not args.paths:
                problems = _at_config_lines(problems, config, args.config)
            try:
                bot_synonyms(config, dialogs)
            except DefinitionError as exc:
                problems += exc.problems
    problems = sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line, p.message))
    messages += [str(problem) for problem in problems]
    if messages:
        for message in messages:
            # One line each, whatever a file's names hold (config.yaml's keys are quoted as
            # they are written).
            print(one_line(message), file=sys.stderr)
        print(f"{len(messages)} problem(s) found.", file=sys.stderr)
        return 1
    print(f"OK: {len(dialogs)} dialog(s) valid.")
    return 0


def _at_config_lines(problems: list[Problem], config: Config, given: Path | None) -> list[Problem]:
    """A dialogs path of config.yaml that does not exist (or holds no dialog) is a problem of
    config.yaml, at the line of that path, rather than of a file that has no lines."""
    file = Path(given) if given is not None else Path(DEFAULT_FILE)
    try:
        tree = Tree(Report(str(file)), os.environ).parse(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, ConfigError):
        return problems
    item = tree.value.get("dialogs") if tree is not None and isinstance(tree.value, dict) else None
    if item is None:
        return problems
    entries = item.value if isinstance(item.value, list) else [item]
    lines = {str(path): entry.line for path, entry in zip(config.dialogs, entries, strict=False)}
    return [
        Problem(str(file), lines[p.file], f"dialogs: {p.file!r}: {p.message}")
        if p.line == NO_LINE and p.file in lines
        else p
        for p in problems
    ]
