"""What several commands share: finding and loading config.yaml."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.config import DEFAULT_FILE, Config, load_config
from runtime.errors import ParleyError

NO_CONFIG = f"no {DEFAULT_FILE} here: cd into a bot's folder, or name its config with --config FILE"


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        "-c",
        type=Path,
        default=None,
        help="the bot's config.yaml (default: ./config.yaml)",
    )


def config_path(args: argparse.Namespace) -> Path:
    """The config.yaml a command that needs a bot reads: `--config`, else ./config.yaml; a
    ParleyError when neither is given nor here (a folder that is not a bot's)."""
    if args.config is not None:
        return Path(args.config)
    if not Path(DEFAULT_FILE).is_file():
        raise ParleyError(NO_CONFIG)
    return Path(DEFAULT_FILE)


def config_from(args: argparse.Namespace) -> Config:
    return load_config(config_path(args))
