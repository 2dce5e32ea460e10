"""Which nodes and branches of the bot's dialogs the replayed transcripts went through.

A node counts as visited when a conversation entered it; a branch (a `next` entry, or a failure
route: `on_failure`, `on_error`, `on_auth_failure`) when a conversation moved from its node to
its target. Two branches of one node with the same target are told apart by nothing the
executor reports, so a move along one counts for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from runtime.dialogs.model import Dialog, EntityNode, Node, ServiceNode

FAILURE_ROUTES = {
    EntityNode: ("on_failure",),
    ServiceNode: ("on_error", "on_auth_failure"),
}


@dataclass(frozen=True, slots=True)
class Exit:
    """A way out of a node, as a coverage line item."""

    node: str
    to: str
    line: int
    label: str  # "next" (with its condition), or the failure route's key


def exits(node: Node) -> list[Exit]:
    out = [
        Exit(node.id, b.to, b.line, f"next when {b.when}" if b.when else "next") for b in node.next
    ]
    for kind, keys in FAILURE_ROUTES.items():
        if isinstance(node, kind):
            for key in keys:
                target = getattr(node, key)
                if target:
                    out.append(Exit(node.id, target, node.line_of(key), key))
    return out


@dataclass(frozen=True, slots=True)
class DialogCoverage:
    dialog: Dialog
    missed_nodes: tuple[Node, ...]
    missed_exits: tuple[Exit, ...]
    total: int  # nodes and exits

    @property
    def covered(self) -> int:
        return self.total - len(self.missed_nodes) - len(self.missed_exits)


class Coverage:
    """Collects visits and moves (hook `visit` and `move` into the executor) and reports."""

    def __init__(self, dialogs: Mapping[str, Dialog]) -> None:
        self.dialogs = dialogs
        self.nodes: set[tuple[str, str]] = set()
        self.moves: set[tuple[str, str, str]] = set()

    def visit(self, dialog: str, node: str) -> None:
        self.nodes.add((dialog, node))

    def move(self, dialog: str, source: str, dest: str) -> None:
        self.moves.add((dialog, source, dest))
        self.nodes.add((dialog, dest))

    def by_dialog(self) -> list[DialogCoverage]:
        out = []
        for dialog_id, dialog in sorted(self.dialogs.items()):
            all_exits = [e for node in dialog.nodes for e in exits(node)]
            out.append(
                DialogCoverage(
                    dialog,
                    tuple(n for n in dialog.nodes if (dialog_id, n.id) not in self.nodes),
                    tuple(e for e in all_exits if (dialog_id, e.node, e.to) not in self.moves),
                    len(dialog.nodes) + len(all_exits),
                )
            )
        return out

    def render(self) -> str:
        return render_coverage(self.by_dialog())


def render_coverage(dialogs: Iterable[DialogCoverage]) -> str:
    lines = ["Coverage (nodes and branches no transcript visited):"]
    covered = total = 0
    for d in dialogs:
        covered, total = covered + d.covered, total + d.total
        file = _shown(d.dialog.file)
        lines.append(
            f"  {d.dialog.id} ({file}): {d.covered}/{d.total} {_percent(d.covered, d.total)}"
        )
        for node in d.missed_nodes:
            lines.append(f"    {file}:{node.line}: node {node.id!r}")
        for e in d.missed_exits:
            lines.append(f"    {file}:{e.line}: branch {e.node!r} -> {e.to!r} ({e.label})")
    lines.append(f"Total coverage: {_percent(covered, total)} ({covered}/{total})")
    return "\n".join(lines)


def _shown(file: str) -> str:
    """`file` relative to the current folder when it is inside it."""
    path = Path(file)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "100.0%"
