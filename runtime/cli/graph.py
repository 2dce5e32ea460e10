"""`parley graph DIALOG`: a dialog as Mermaid text."""

from __future__ import annotations

import argparse

from runtime.cli.common import add_config_option, config_from
from runtime.dialogs.graph import mermaid
from runtime.dialogs.loader import load_dialogs
from runtime.errors import ParleyError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("graph", help="draw a dialog as a Mermaid diagram")
    parser.add_argument("dialog", help="the dialog's id")
    add_config_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    dialogs = {d.id: d for d in load_dialogs(config.dialogs)}
    if args.dialog not in dialogs:
        known = ", ".join(sorted(dialogs)) or "none"
        raise ParleyError(f"There is no dialog {args.dialog!r}. Dialogs: {known}.")
    print(mermaid(dialogs[args.dialog]), end="")
    return 0
