"""Installing an integration's dialog templates as ordinary dialog files.

The installer writes ``dialogs/INTEGRATION/TEMPLATE.yaml`` and records a SHA-256 of what it
wrote in ``.parley-installed.json`` beside them, so it knows a file the author changed (or made
themselves) and never overwrites it unless forced. A file still as the installer wrote it is
brought up to date when a newer Parley ships a newer template; a changed one is kept, and named
with the command that would replace it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from runtime.dialogs.loader import load_dialogs
from runtime.errors import ParleyError
from runtime.plugins import integrations

MANIFEST = ".parley-installed.json"


class InstallState(StrEnum):
    NOT_INSTALLED = "not installed"
    INSTALLED = "installed"
    CHANGED = "changed by you"  # installed, then edited
    FOREIGN = "a file of yours"  # present, but not written by the installer
    OUTDATED = "installed, a newer template exists"


# What `Installer.install` did with each template.
INSTALLED, UPDATED, REPLACED, ALREADY, KEPT = (
    "installed",  # there was no file
    "updated",  # the file was an unchanged older template
    "replaced",  # the author's file, overwritten with --force
    "already installed",
    "kept",  # the author's file, left alone: "kept, changed by you"
)


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    description: str
    source: Path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def template_folders() -> dict[str, Path]:
    """Each installed integration's templates folder, by name (those that ship templates)."""
    return {i.name: i.templates for i in integrations() if i.templates is not None}


def templates(integration: str) -> list[Template]:
    folders = template_folders()
    folder = folders.get(integration)
    if folder is None:
        known = ", ".join(sorted(folders))
        raise ParleyError(f"There is no integration {integration!r}. Integrations: {known}.")
    found = []
    for dialog in load_dialogs([folder]):
        found.append(Template(dialog.id, dialog.description, Path(dialog.file)))
    return sorted(found, key=lambda t: t.name)


def kept(done: list[tuple[str, str]]) -> list[str]:
    """The templates `Installer.install` left alone because the author's file was there."""
    return [name for name, what in done if what.startswith(KEPT)]


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

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.yaml"

    def _template_digest(self, name: str) -> str:
        return _digest(self.available[name].source.read_bytes())

    def state(self, name: str) -> InstallState:
        target = self.path(name)
        if not target.exists():
            return InstallState.NOT_INSTALLED
        current = _digest(target.read_bytes())
        if current == self._template_digest(name):  # whoever wrote it, it is the template
            return InstallState.INSTALLED
        written = self._manifest().get(name)
        if written is None:
            return InstallState.FOREIGN
        if written != current:
            return InstallState.CHANGED
        return InstallState.OUTDATED

    def newer_template(self, name: str) -> bool:
        """The template changed since the installer last wrote `name`'s file."""
        written = self._manifest().get(name)
        return written is not None and written != self._template_digest(name)

    def pending(self) -> list[str]:
        """The templates an install without --force would write or record: not installed,
        outdated, or a copy of the template that the manifest does not know yet."""
        manifest = self._manifest()

        def wanted(name: str) -> bool:
            state = self.state(name)
            if state == InstallState.INSTALLED:
                return manifest.get(name) != self._template_digest(name)
            return state in (InstallState.NOT_INSTALLED, InstallState.OUTDATED)

        return [name for name in sorted(self.available) if wanted(name)]

    def install(self, names: list[str], *, force: bool = False) -> list[tuple[str, str]]:
        """Install `names`; returns (name, what happened) per template, in the order given.

        A file the author changed, or made, is kept ("kept, changed by you") unless `force`;
        an unchanged older template is updated. Raises ParleyError for an unknown template
        (nothing is written then) and DefinitionError if a written template does not load."""
        unknown = [n for n in names if n not in self.available]
        if unknown:
            known = ", ".join(sorted(self.available))
            raise ParleyError(
                f"Unknown template(s) {', '.join(unknown)} for {self.integration}. "
                f"Templates: {known}."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = self._manifest()
        done = []
        for name in names:
            before = self.state(name)
            data = self.available[name].source.read_bytes()
            if before == InstallState.INSTALLED:
                manifest[name] = _digest(data)  # a copy made by hand is the installer's now
                done.append((name, ALREADY))
                continue
            if before in (InstallState.CHANGED, InstallState.FOREIGN) and not force:
                done.append((name, f"{KEPT}, {before}"))
                continue
            self.path(name).write_bytes(data)
            manifest[name] = _digest(data)
            what = {InstallState.NOT_INSTALLED: INSTALLED, InstallState.OUTDATED: UPDATED}
            done.append((name, what.get(before, REPLACED)))
        (self.folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        left = set(kept(done))
        written = [self.path(name) for name in dict.fromkeys(names) if name not in left]
        if written:
            load_dialogs(written)  # validate what was written
        return done

    def kept_note(self, names: list[str]) -> str:
        """One sentence naming the kept files and the command that would replace them."""
        if not names:
            return ""
        described = []
        for name in names:
            state = self.state(name)
            newer = ", a newer template exists" if self.newer_template(name) else ""
            described.append(f"{self.path(name)} ({state}{newer})")
        files = ", ".join(described[:-1]) + " and " + described[-1] if names[1:] else described[0]
        it, template = ("them", "the templates") if names[1:] else ("it", "the template")
        return (
            f"Kept {files}: not overwritten. To replace {it} with {template}, losing your "
            f"changes: parley integrations install {self.integration} {' '.join(names)} --force"
        )
