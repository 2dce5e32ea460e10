"""A message node's `cards`: one card per element of a list, and the same list as plain text
for channels that show text only (channels.md, `cards`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runtime.dialogs.compiler import CompiledCards
from runtime.engine.messages import Link, Outbound, button_wire
from runtime.errors import TemplateError

MAX_CARDS = 20  # a chat is not a report: more than this is said in the text, not drawn


def render_cards(
    cards: CompiledCards,
    ctx: Mapping[str, Any],
    *,
    heading: str,
    buttons: tuple[tuple[str, str], ...],
) -> Outbound:
    """The `cards` message for the list `cards.items` gives in `ctx`; a plain message with
    `heading` alone when the list is empty."""
    items = _items(cards, ctx)
    if not items:
        return Outbound(type="message", text=heading, buttons=buttons)
    shown = [_card(cards, {**ctx, "item": item}) for item in items[:MAX_CARDS]]
    if len(items) > MAX_CARDS:
        more = f"The first {MAX_CARDS} of {len(items)} are shown."
        heading = f"{heading} {more}".strip()
    return Outbound(
        type="cards",
        text=_plain(heading, shown),
        heading=heading,
        cards=tuple(shown),
        buttons=buttons,
    )


def _items(cards: CompiledCards, ctx: Mapping[str, Any]) -> Sequence[Any]:
    value = cards.items.evaluate(ctx)
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return value
    raise TemplateError(
        f"`cards.items` ({cards.items.source}) gave {type(value).__name__}, not a list",
        dialog=cards.items.dialog,
        node=cards.items.node,
    )


def _card(cards: CompiledCards, ctx: Mapping[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = {"title": cards.title.render(ctx).strip()}
    if cards.subtitle is not None and (subtitle := cards.subtitle.render(ctx).strip()):
        card["subtitle"] = subtitle
    fields = [
        {"label": label, "value": value}
        for label, template in cards.fields
        if (value := template.render(ctx).strip())
    ]
    if fields:
        card["fields"] = fields
    buttons = [
        button_wire(
            Link(label.render(ctx), url.render(ctx))
            if url is not None
            else (label.render(ctx), value.render(ctx) if value is not None else "")
        )
        for label, value, url in cards.buttons
    ]
    if buttons:
        card["buttons"] = buttons
    return card


def _plain(heading: str, cards: Sequence[dict[str, Any]]) -> str:
    """The list as text: the heading, then each card on its own numbered line, its fields
    after it ("1. Pat O'Brien, Smith & Sons (UK). Email: pat@example.com")."""
    lines = [heading] if heading else []
    for number, card in enumerate(cards, 1):
        line = f"{number}. {card['title']}"
        if "subtitle" in card:
            line += f", {card['subtitle']}"
        facts = "; ".join(f"{f['label']}: {f['value']}" for f in card.get("fields", ()))
        lines.append(f"{line}. {facts}" if facts else line)
    return "\n".join(lines)
