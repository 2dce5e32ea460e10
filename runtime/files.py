"""Finding the files a command works on: given files, or folders searched recursively."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from runtime.errors import Problem

NO_LINE = 0


def find_files(
    paths: Iterable[str | Path],
    suffix: str,
    problems: list[Problem],
    *,
    skip: tuple[str, ...] = (),
    kind: str = "",
) -> list[Path]:
    """Files ending in `suffix` under `paths` (hidden folders and files skipped, as are names
    ending in one of `skip`), sorted per folder, each once. A path that holds none, or does not
    exist, adds a problem."""
    files: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        try:
            found = _found(path, suffix, skip)
        except OSError as exc:  # a name too long, a folder that cannot be listed
            reason = exc.strerror or str(exc)
            problems.append(Problem(str(path), NO_LINE, f"cannot be read: {reason}"))
            continue
        if found is None:
            problems.append(Problem(str(path), NO_LINE, "no such file or folder"))
            found = []
        elif not found:
            what = f"*{suffix} {kind} files" if kind else f"*{suffix} files"
            problems.append(Problem(str(path), NO_LINE, f"no {what} in this folder"))
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files


def _found(path: Path, suffix: str, skip: tuple[str, ...]) -> list[Path] | None:
    """The files `path` names (itself, or those under it); None when it does not exist."""
    if path.is_dir():
        return [
            p
            for p in sorted(path.rglob(f"*{suffix}"))
            if p.is_file()
            and not p.name.endswith(skip)
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
    if path.is_file():
        return [path]
    return None
