"""JSON Schemas of dialog files and config.yaml, for editors: made from the definitions that the
loaders check with (`dialog`, `config`), shipped as files beside this module, printed by
`parley schema dialog|config` and written into a bot's `.parley/` folder.

The files that `parley init` writes, and the templates that integrations install, start with
``# yaml-language-server: $schema=`` and the relative path of the file's schema in `.parley/`,
which VS Code's YAML extension (and any editor built on yaml-language-server) reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "FOLDER",
    "KINDS",
    "ensure_schemas",
    "file_name",
    "generate",
    "render",
    "shipped",
    "write_schemas",
]

KINDS = ("dialog", "config")
FOLDER = ".parley"  # in a bot's folder, beside config.yaml
SHIPPED = Path(__file__).parent


def generate(kind: str) -> dict[str, Any]:
    """The schema of `kind` ("dialog" or "config"), made now."""
    from runtime.schemas.config import config_schema
    from runtime.schemas.dialog import dialog_schema

    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "dialog": dialog_schema,
        "config": config_schema,
    }
    return makers[kind]()


def render(kind: str) -> str:
    """The schema of `kind` as the JSON text of its file."""
    return json.dumps(generate(kind), indent=2, ensure_ascii=False) + "\n"


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def shipped(kind: str) -> Path:
    """The schema's file in the package."""
    return SHIPPED / file_name(kind)


def ensure_schemas(bot: Path) -> list[Path]:
    """Write the schemas into `bot`/.parley/ when they are missing (installed templates point
    at them); the paths written."""
    if all((bot / FOLDER / file_name(kind)).is_file() for kind in KINDS):
        return []
    return write_schemas(bot)


def write_schemas(bot: Path) -> list[Path]:
    """Write both schemas into `bot`/.parley/ (made if missing); the paths written."""
    folder = bot / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = folder / file_name(kind)
        path.write_text(render(kind))
        written.append(path)
    return written
