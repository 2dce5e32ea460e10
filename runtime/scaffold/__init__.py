"""A new bot folder, as `parley init` writes it: config.yaml, an example dialog (an entity, a
service and a message node, against Salesforce), transcripts that pass, a README, and the JSON
Schemas that the files' `# yaml-language-server: $schema=` lines point at.

The files are in `bot/` beside this module, written as they are except for the bot's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runtime.config import DEFAULT_FILE
from runtime.errors import ParleyError
from runtime.schemas import write_schemas

__all__ = ["Created", "FolderTaken", "bot_name", "create", "what_is_there"]

SOURCE = Path(__file__).with_name("bot")
NAME_MARK = "BOT_NAME"

# The files of the new folder, as under bot/ (where .gitignore, a dotfile, is `gitignore`).
FILES = (
    DEFAULT_FILE,
    "dialogs/count_leads.yaml",
    "tests/transcripts/count_leads.transcript.yaml",
    "tests/transcripts/count_leads_stubbed.transcript.yaml",
    "README.md",
    ".gitignore",
)


def _source(target: str) -> Path:
    return SOURCE / target.removeprefix(".")


class FolderTaken(ParleyError):
    """The folder already holds a bot, or a file `parley init` would write."""


@dataclass(frozen=True, slots=True)
class Created:
    folder: Path
    name: str
    files: list[Path]


def bot_name(folder: Path) -> str:
    """A bot's name from its folder's: `coffee-shop` is "Coffee shop"."""
    words = folder.resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize() or "My bot"


def what_is_there(folder: Path) -> list[str]:
    """What in `folder` makes it a bot's, or would be overwritten: empty when init may write."""
    if not folder.exists():
        return []
    if not folder.is_dir():
        return [f"{folder} is a file"]
    found = []
    if (folder / DEFAULT_FILE).exists():
        found.append(DEFAULT_FILE)
    dialogs = folder / "dialogs"
    if dialogs.is_dir():
        found += sorted(
            str(path.relative_to(folder)) for path in dialogs.rglob("*.y*ml") if path.is_file()
        )
    found += [target for target in FILES if (folder / target).exists() and target not in found]
    return found


def create(folder: Path, name: str | None = None) -> Created:
    """Write a new bot into `folder` (made if missing); FolderTaken, writing nothing, when it
    already holds a bot or any file this would write."""
    taken = what_is_there(folder)
    if taken:
        shown = ", ".join(taken[:5]) + (f" and {len(taken) - 5} more" if len(taken) > 5 else "")
        where = "This folder" if folder == Path(".") else str(folder)
        raise FolderTaken(
            f"{where} already holds a bot ({shown}); parley init writes only into an empty or "
            "new folder. Pick another folder, e.g. parley init my-bot"
        )
    name = name or bot_name(folder)
    written = []
    for target in FILES:
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_source(target).read_text().replace(NAME_MARK, name))
        written.append(path)
    written += write_schemas(folder)
    return Created(folder, name, written)
