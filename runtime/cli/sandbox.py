"""`parley sandbox`: run the local Salesforce-compatible org alone.

Its options are the sandbox's own (`sandbox.cli`), registered on this command, so that
`parley sandbox --help` lists them and `python -m sandbox` takes the same ones.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from sandbox.cli import DESCRIPTION, add_options

    parser = sub.add_parser(
        "sandbox",
        help="run the local Salesforce-compatible sandbox org",
        description=DESCRIPTION,
    )
    add_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sandbox.cli import run

    return run(args)
