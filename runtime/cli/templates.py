"""`parley integrations templates NAME` and `parley integrations install NAME [TEMPLATE ...]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.cli.common import add_config_option, config_from
from runtime.config import Config
from runtime.errors import ParleyError
from runtime.integrations.installer import Installer


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
    installer = Installer(args.name, dialogs_dir(config_from(args)))
    names = sorted(installer.available) if args.all else list(args.templates)
    if not names:
        raise ParleyError(
            "Name the templates to install, or use --all. "
            f"See them with: parley integrations templates {args.name}"
        )
    for name, what in installer.install(names, force=args.force):
        print(f"{name}: {what} ({installer.folder / (name + '.yaml')})")
    return 0
