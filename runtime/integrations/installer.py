"""Installing an integration's dialog templates as ordinary dialog files.

The installer writes ``dialogs/INTEGRATION/TEMPLATE.yaml`` and records a SHA-256 of what it
wrote in ``.parley-installed.json`` beside them, so it knows a file the author changed (or made
themselves) and never overwrites it unless forced.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from runtime.dialogs.loader import load_dialogs
from runtime.errors import ParleyError

MANIFEST = ".parley-installed.json"
TEMPLATE_FOLDERS = {"salesforce": Path(__file__).parent / "salesforce" / "templates"}


class InstallState(StrEnum):
    NOT_INSTALLED = "not installed"
    INSTALLED = "installed"
    CHANGED = "changed by you"  # installed, then edited
    FOREIGN = "a file of yours"  # present, but not written by the installer
    OUTDATED = "installed, a newer template exists"


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    description: str
    source: Path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def templates(integration: str) -> list[Template]:
    folder = TEMPLATE_FOLDERS.get(integration)
    if folder is None:
        known = ", ".join(sorted(TEMPLATE_FOLDERS))
        raise ParleyError(f"There is no integration {integration!r}. Integrations: {known}.")
    found = []
    for dialog in load_dialogs([folder]):
        found.append(Template(dialog.id, dialog.description, Path(dialog.file)))
    return sorted(found, key=lambda t: t.name)


class Installer:
    def __init__(self, integration: str, dialogs_dir: Path) -> None:
        self.integration = integration
        self.folder = dialogs_dir / integration
        self.available = {t.name: t for t in templates(integration)}

    def _manifest(self) -> dict[str, str]:
        path = self.folder / MANIFEST
        if not path.exists():
            return {}
        return json.loads(path.read_text())

    def state(self, name: str) -> InstallState:
        target = self.folder / f"{name}.yaml"
        if not target.exists():
            return InstallState.NOT_INSTALLED
        written = self._manifest().get(name)
        current = _digest(target.read_bytes())
        if written is None:
            return InstallState.FOREIGN
        if written != current:
            return InstallState.CHANGED
        if current != _digest(self.available[name].source.read_bytes()):
            return InstallState.OUTDATED
        return InstallState.INSTALLED

    def install(self, names: list[str], *, force: bool = False) -> list[tuple[str, str]]:
        """Install `names`; returns (name, what happened) per template. Raises ParleyError for
        an unknown template or a file it may not overwrite (nothing is written then)."""
        unknown = [n for n in names if n not in self.available]
        if unknown:
            known = ", ".join(sorted(self.available))
            raise ParleyError(
                f"Unknown template(s) {', '.join(unknown)} for {self.integration}. "
                f"Templates: {known}."
            )
        blocked = [
            (n, s)
            for n in names
            if (s := self.state(n)) in (InstallState.CHANGED, InstallState.FOREIGN)
        ]
        if blocked and not force:
            lines = "; ".join(f"{self.folder / (n + '.yaml')} is {s}" for n, s in blocked)
            raise ParleyError(
                f"Not overwriting: {lines}. Use --force to replace it with the template."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = self._manifest()
        done = []
        for name in names:
            before = self.state(name)
            data = self.available[name].source.read_bytes()
            target = self.folder / f"{name}.yaml"
            if before == InstallState.INSTALLED:
                done.append((name, "already installed"))
                continue
            target.write_bytes(data)
            manifest[name] = _digest(data)
            done.append((name, "replaced" if before != InstallState.NOT_INSTALLED else "installed"))
        (self.folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        load_dialogs([self.folder / f"{name}.yaml" for name in names])  # validate what was written
        return done
