"""Message nodes, and the buttons of message and entity nodes."""

from __future__ import annotations

from typing import Any

from runtime.dialogs.model import Button, Cards, MessageNode, NodeKind
from runtime.dialogs.reading.keys import BUTTON_KEYS, CARDS_KEYS
from runtime.dialogs.reading.values import Reader
from runtime.dialogs.reading.wording import describe
from runtime.yaml_lines import YamlMap, YamlSeq


def read_message(r: Reader, raw: YamlMap, base: dict[str, Any], where: str) -> MessageNode:
    texts: tuple[str, ...] = ()
    if "text" in raw and "messages" in raw:
        r.problem(raw.line_of("messages"), f"{where} has both `text` and `messages`; use one")
        r.text(raw, "text", where, required=True)  # each still checked
        texts = r.texts(raw, "messages", where, single_ok=False)
    elif "text" in raw:
        text = r.text(raw, "text", where, required=True)
        texts = (text,) if text is not None else ()
    elif "messages" in raw:
        texts = r.texts(raw, "messages", where, single_ok=False)
    elif "cards" not in raw:
        r.problem(raw.line, f"{where} needs `text` (or `messages`, a list of texts, or `cards`)")
    return MessageNode(
        **base,
        kind=NodeKind.MESSAGE,
        texts=texts,
        buttons=read_buttons(r, raw, where),
        cards=read_cards(r, raw, where),
    )


def read_cards(r: Reader, raw: YamlMap, where: str) -> Cards | None:
    """`cards: {items: EXPR, title: T, subtitle: T, fields: {LABEL: T}, buttons: [...]}`."""
    if "cards" not in raw:
        return None
    cards = raw["cards"]
    what = f"`cards` of {where}"
    if not isinstance(cards, YamlMap):
        r.problem(
            raw.line_of("cards"),
            f"{what} must be a mapping with items, title and optionally subtitle, fields and "
            f"buttons, got {describe(cards)}",
        )
        return None
    r.check_keys(cards, CARDS_KEYS, what)
    items = None
    if "items" not in cards:
        r.problem(
            raw.line_of("cards"), f"{what} needs `items`, the expression giving the list to show"
        )
    else:
        items = r.expression(cards["items"], cards.line_of("items"), f"`items` of {what}")
        items = _unbraced(items) if items is not None else None
    title = r.text(cards, "title", what, required=True)
    subtitle = r.text(cards, "subtitle", what)
    fields = _fields(r, cards, what)
    buttons = read_buttons(r, cards, what)
    # Kept even when `items` or `title` is missing (reported above, so the dialog is never
    # compiled), so that validation still checks the templates that are there.
    return Cards(items or "", title or "", subtitle, fields, buttons)


def _fields(r: Reader, cards: YamlMap, what: str) -> tuple[tuple[str, str], ...]:
    if "fields" not in cards:
        return ()
    fields = cards["fields"]
    if not isinstance(fields, YamlMap):
        r.problem(
            cards.line_of("fields"),
            f"`fields` in {what} must be a mapping of labels to texts, such as "
            f'Email: "{{{{ item.Email }}}}", got {describe(fields)}',
        )
        return ()
    out = []
    for label, value in fields.items():
        line = fields.line_of(label)
        if not isinstance(label, str) or not label.strip():
            r.problem(line, f"a label of `fields` in {what} must be text, got {describe(label)}")
            continue
        text = r.as_text(value, line, f"field {label!r}", what)
        if text is not None:
            out.append((label, text))
    return tuple(out)


def read_buttons(r: Reader, raw: YamlMap, where: str) -> tuple[Button, ...]:
    """`buttons`: texts (each its own value), `{label, value}` or `{label, url}` (a link)."""
    if "buttons" not in raw:
        return ()
    seq = raw["buttons"]
    if not isinstance(seq, YamlSeq):
        r.problem(
            raw.line_of("buttons"),
            f"`buttons` in {where} must be a list of texts, {{label, value}} or {{label, url}}, "
            f"got {describe(seq)}",
        )
        return ()
    out = []
    for index, item in enumerate(seq):
        label = f"button #{index + 1} of {where}"
        if isinstance(item, YamlMap):
            button = _button(r, item, label)
        else:
            text = r.as_text(item, seq.line_of(index), label, where)
            button = Button(text, text) if text is not None else None
        # A button that cannot be read stays as an inert placeholder ("" is never checked
        # again), so that the button indexes keep matching the YAML for later line look-ups.
        out.append(button or _UNREAD)
    return tuple(out)


def _button(r: Reader, item: YamlMap, label: str) -> Button | None:
    r.check_keys(item, BUTTON_KEYS, label)
    text = r.text(item, "label", label, required=True)
    if "value" in item and "url" in item:
        r.problem(
            item.line_of("url"),
            f"{label} has both `value` and `url`; a button either sends a value or opens a "
            "link: keep one",
        )
        r.text(item, "value", label)  # each still checked
        r.text(item, "url", label)
        return None
    if "url" in item:
        url = r.text(item, "url", label)
        return Button(text, url=url) if text is not None and url is not None else None
    value = r.text(item, "value", label) if "value" in item else text
    return Button(text, value) if text is not None and value is not None else None


_UNREAD = Button("")


def _unbraced(source: str) -> str:
    """`{{ expr }}` as `expr`: `items` is an expression, but authors write it either way."""
    inner = source.strip()
    if inner.startswith("{{") and inner.endswith("}}") and inner.count("{{") == 1:
        return inner[2:-2].strip()
    return source
