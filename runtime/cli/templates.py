"""`parley integrations templates NAME` and `parley integrations install NAME [TEMPLATE ...]`.

`install` writes what it may: missing templates, and older ones the author did not change, are
(re)written; a file the author changed is kept and named with the command that replaces it
(`--force`). Kept files make `install` fail only when they were asked for by name.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.cli.common import add_config_option, config_from
from runtime.config import Config
from runtime.errors import ParleyError
from runtime.integrations.installer import Installer, kept
from runtime.schemas import ensure_schemas


def register(actions: argparse._SubParsersAction) -> None:
    listing = actions.add_parser("templates", help="an integration's templates and their state")
    listing.add_argument("name", help="the integration, e.g. salesforce")
    add_config_option(listing)
    listing.set_defaults(func=run_templates)
    install = actions.add_parser("install", help="write an integration's templates into dialogs/")
    install.add_argument("name", help="the integration, e.g. salesforce")
    install.add_argument("templates", nargs="*", metavar="TEMPLATE", help="which ones")
    install.add_argument("--all", action="store_true", help="every template")
    install.add_argument("--force", action="store_true", help="replace files you changed")
    add_config_option(install)
    install.set_defaults(func=run_install)


def dialogs_dir(config: Config) -> Path:
    return config.dialogs[0] if config.dialogs else config.root / "dialogs"


def run_templates(args: argparse.Namespace) -> int:
    installer = Installer(args.name, dialogs_dir(config_from(args)))
    width = max(len(name) for name in installer.available)
    for name, template in installer.available.items():
        state = installer.state(name)
        print(f"{name.ljust(width)}  {str(state).ljust(34)}  {template.description}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    config = config_from(args)
    installer = Installer(args.name, dialogs_dir(config))
    names = sorted(installer.available) if args.all else list(args.templates)
    if not names:
        raise ParleyError(
            "Name the templates to install, or use --all. "
            f"See them with: parley integrations templates {args.name}"
        )
    done = installer.install(names, force=args.force)
    ensure_schemas(config.root)  # what the templates' first line points editors at
    for name, what in done:
        print(f"{name}: {what} ({installer.path(name)})")
    note = installer.kept_note(kept(done))
    if note and not args.all:
        raise ParleyError(note)
    if note:
        print(note)
    return 0
