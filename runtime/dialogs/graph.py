"""Draw a dialog as a Mermaid flowchart."""

from __future__ import annotations

from runtime.dialogs.model import END, Dialog, EntityNode, MessageNode, Node, ServiceNode
from runtime.errors import InternalError


def _label(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace('"', "#quot;")


def _shape(node: Node) -> str:
    if isinstance(node, EntityNode):
        return f'{node.id}[/"{node.id}: {node.entity_type}<br/>{_label(node.prompt)}"/]'
    if isinstance(node, MessageNode):
        return f'{node.id}("{node.id}<br/>{_label(node.texts[0])}")'
    if isinstance(node, ServiceNode):
        auth = f" (auth {node.auth})" if node.auth else ""
        return (
            f'{node.id}[["{node.id}: {node.request.method}{auth}<br/>{_label(node.request.url)}"]]'
        )
    raise InternalError(f"unknown node class {type(node).__name__}")  # pragma: no cover


def mermaid(dialog: Dialog) -> str:
    lines = ["flowchart TD", f'  start_node(("{dialog.id}")) --> {dialog.start}']
    lines += [f"  {_shape(node)}" for node in dialog.nodes]
    uses_end = False
    for node in dialog.nodes:
        edges: list[tuple[str, str | None]] = [(b.to, b.when) for b in node.next]
        if isinstance(node, EntityNode) and node.on_failure:
            edges.append((node.on_failure, "retries used up"))
        if isinstance(node, ServiceNode):
            if node.on_error:
                edges.append((node.on_error, "transport error"))
            if node.on_auth_failure:
                edges.append((node.on_auth_failure, "authorization failed"))
            if node.on_unknown:
                edges.append((node.on_unknown, "outcome unknown"))
        for target, label in edges:
            dest = "end_node" if target == END else target
            uses_end |= target == END
            arrow = f' -->|"{_label(label, 40)}"| ' if label else " --> "
            lines.append(f"  {node.id}{arrow}{dest}")
    if uses_end:
        lines.append("  end_node((end))")
    return "\n".join(lines) + "\n"
