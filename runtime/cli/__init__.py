"""`parley`: the command line. Errors are one or two plain sentences on stderr; --debug adds
the traceback."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence

from runtime.errors import ParleyError

Command = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    from runtime.cli import chat, demo, graph, integrations, sandbox, serve, test, validate

    parser = argparse.ArgumentParser(prog="parley", description="Run and test Parley bots.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (serve, demo, chat, test, validate, graph, integrations, sandbox):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    command: Command = args.func
    try:
        return command(args)
    except KeyboardInterrupt:
        return 130
    except ParleyError as exc:
        print(str(exc), file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return 1
    except OSError as exc:
        print(f"parley: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
