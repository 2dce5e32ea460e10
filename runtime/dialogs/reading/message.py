"""Message nodes, and the buttons of message and entity nodes."""

from __future__ import annotations

from typing import Any

from runtime.dialogs.model import Button, MessageNode, NodeKind
from runtime.dialogs.reading.keys import BUTTON_KEYS
from runtime.dialogs.reading.values import Reader
from runtime.dialogs.reading.wording import describe
from runtime.dialogs.yaml_lines import YamlMap, YamlSeq


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
    else:
        r.problem(raw.line, f"{where} needs `text` (or `messages`, a list of texts)")
    return MessageNode(
        **base, kind=NodeKind.MESSAGE, texts=texts, buttons=read_buttons(r, raw, where)
    )


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
