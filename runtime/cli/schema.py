"""`parley schema dialog|config`: the JSON Schema of dialog files or config.yaml, for editors;
`parley schema --write` (re)writes both into the bot's `.parley/` folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.cli.common import config_path
from runtime.errors import ParleyError
from runtime.schemas import FOLDER, KINDS, render, write_schemas


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("schema", help="print the JSON Schema of dialogs or config.yaml")
    parser.add_argument("kind", nargs="?", choices=KINDS, help="dialog or config")
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"write both into the bot's {FOLDER}/ folder (beside config.yaml)",
    )
    parser.add_argument(
        "--config", "-c", type=Path, default=None, help="the bot's config.yaml, for --write"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.write:
        for path in write_schemas(config_path(args).resolve().parent):
            print(f"wrote {path}")
        return 0
    if args.kind is None:
        raise ParleyError(
            "Name the schema: parley schema dialog, or parley schema config "
            f"(or --write to write both into {FOLDER}/)"
        )
    sys.stdout.write(render(args.kind))
    return 0
