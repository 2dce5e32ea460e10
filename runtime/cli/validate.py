"""`parley validate [PATH ...]`: check config.yaml and dialogs; every problem with file and line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.bot import bot_synonyms
from runtime.cli.common import add_config_option
from runtime.config import Config, load_config
from runtime.dialogs.loader import load_dialogs
from runtime.dialogs.model import Dialog
from runtime.errors import ConfigError, DefinitionError, Problem


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="validate config.yaml and dialog files")
    parser.add_argument("paths", nargs="*", type=Path, help="dialog files or folders")
    add_config_option(parser)
    parser.set_defaults(func=run)


def known_profiles(config: Config) -> set[str]:
    names = set(config.auth_profiles)
    if config.integrations.salesforce.enabled:
        names.add("salesforce")
    return names


def profile_problems(dialogs: list[Dialog], config: Config) -> list[Problem]:
    known = known_profiles(config)
    problems = []
    for dialog in dialogs:
        for node in dialog.nodes:
            profile = getattr(node, "auth", None)
            if profile and profile not in known:
                problems.append(
                    Problem(
                        dialog.file,
                        node.line_of("auth"),
                        f"node {node.id!r} uses auth profile {profile!r}, which config.yaml "
                        f"does not define; known profiles: {', '.join(sorted(known)) or 'none'}",
                    )
                )
    return problems


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    paths = args.paths or list(config.dialogs)
    try:
        dialogs = load_dialogs(paths)
    except DefinitionError as exc:
        print(exc, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    problems = profile_problems(dialogs, config)
    try:
        bot_synonyms(config, dialogs)
    except DefinitionError as exc:
        problems += exc.problems
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(f"OK: {len(dialogs)} dialog(s) valid.")
    return 0
