"""`parley`: the command line. Errors are one or two plain sentences on stderr; --debug (before
or after the command) adds the traceback.

Output cut short by its reader (`parley ... | head -1`) ends the command quietly with status 0,
as it does for the usual Unix tools.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from runtime.errors import ParleyError

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    from runtime.cli import (
        chat,
        demo,
        graph,
        init,
        integrations,
        sandbox,
        schema,
        serve,
        test,
        validate,
    )

    parser = argparse.ArgumentParser(prog="parley", description="Run and test Parley bots.")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (init, serve, demo, chat, test, validate, graph, integrations, sandbox, schema):
        module.register(sub)
    _debug_after_commands(parser)
    return parser


DEBUG_HELP = "show tracebacks and debug logs"


def _debug_after_commands(parser: argparse.ArgumentParser) -> None:
    """Accept --debug after every command and subcommand too (`parley serve --debug`). Their
    default is to leave the attribute alone, so a --debug given before the command stands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in dict.fromkeys(action.choices.values()):
                if not any("--debug" in a.option_strings for a in command._actions):
                    command.add_argument(
                        "--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP
                    )
                _debug_after_commands(command)


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
    except BrokenPipeError:
        # The reader of our output went away (`| head`): nothing is wrong. Standard output
        # goes to /dev/null so that Python's own flush at exit does not fail on it again.
        _quiet_stdout()
        return 0
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


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind sys.stdout: nothing to flush
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
