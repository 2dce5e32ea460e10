"""What several commands share: finding and loading config.yaml."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.config import Config, load_config


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        "-c",
        type=Path,
        default=None,
        help="the bot's config.yaml (default: ./config.yaml when present)",
    )


def config_from(args: argparse.Namespace) -> Config:
    return load_config(args.config)
