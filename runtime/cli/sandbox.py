"""`parley sandbox`: run the local Salesforce-compatible org alone."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "sandbox",
        help="run the local Salesforce-compatible sandbox org",
        add_help=False,
    )
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sandbox.cli import main

    return main(list(args.rest))
