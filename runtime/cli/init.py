"""`parley init [DIR]`: a new bot folder (see runtime/scaffold), ready for `parley test`."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from runtime.scaffold import create


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "init",
        help="write a new bot folder with an example dialog and tests",
    )
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="where to write it, empty or new (default: here)",
    )
    parser.add_argument("--name", help="the bot's name (default: from the folder's name)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    created = create(args.folder, args.name)
    print(f"Created the bot {created.name!r} in {created.folder}:")
    for path in created.files:
        print(f"  {path.relative_to(created.folder)}")
    go = "" if args.folder == Path(".") else f"cd {shlex.quote(str(args.folder))} && "
    print(f"Next: {go}parley test, then parley chat (see README.md)")
    return 0
