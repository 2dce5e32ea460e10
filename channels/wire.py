"""The WebSocket's wire format: a client frame in, bot messages out (spec/channels.md)."""

from __future__ import annotations

from typing import Any

import msgspec

from runtime.engine.messages import Outbound, error
from runtime.engine.text_input import MALFORMED, malformed
from runtime.errors import ChannelError

MAX_ID_CHARS = 200


class Inbound(msgspec.Struct, frozen=True):
    """`{"type": "message", "id": "c-1", "text": "..."}`; the engine judges the text itself.
    Or `{"type": "history"}` (`kind` "history", no text): the last messages, asked for."""

    id: str | None
    text: str
    kind: str = "message"


class FrameError(ChannelError):
    """A frame that cannot be processed; `reply_to` is its id when one could be read."""

    def __init__(self, code: str, message: str, reply_to: str | None = None) -> None:
        super().__init__(code, message)
        self.reply_to = reply_to


def parse_frame(data: bytes | str, *, max_bytes: int) -> Inbound:
    """Read one text frame, as its UTF-8 bytes (the socket does not decode them, so that text
    that is not UTF-8 is refused here, and the socket stays open) or as text; raise FrameError
    (`too_long` or `bad_request`)."""
    if isinstance(data, bytes):
        size = len(data)
    else:  # at most 4 bytes a character: encode only when that could pass the limit
        size = len(data.encode("utf-8", "surrogatepass")) if len(data) * 4 > max_bytes else 0
    if size > max_bytes:
        raise FrameError("too_long", f"A frame may hold at most {max_bytes:,} bytes.")
    try:
        body = _decode(data)  # checks that bytes are UTF-8, and refuses lone surrogates
    except (msgspec.DecodeError, RecursionError):
        raise FrameError(
            "bad_request", "A frame must be a JSON object in UTF-8, without lone surrogates."
        ) from None
    if not isinstance(body, dict):
        raise FrameError("bad_request", "A frame must be a JSON object.")
    message_id = body.get("id")
    if message_id is not None and (
        not isinstance(message_id, str)
        or not 0 < len(message_id) <= MAX_ID_CHARS
        or malformed(message_id)
    ):
        raise FrameError(
            "bad_request",
            f"`id` must be text of 1 to {MAX_ID_CHARS} characters, without a NUL.",
        )
    kind = body.get("type")
    if kind == "history":
        return Inbound(message_id, "", kind="history")
    if kind != "message":
        raise FrameError("bad_request", '`type` must be "message" (or "history").', message_id)
    text = body.get("text")
    if not isinstance(text, str):
        raise FrameError("bad_request", "`text` must be a string.", message_id)
    if malformed(text):
        raise FrameError("bad_request", MALFORMED, message_id)
    return Inbound(message_id, text)


def history_message(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "history", "messages": messages}


def error_message(code: str, message: str, reply_to: str | None = None) -> Outbound:
    return msgspec.structs.replace(error(code, message), reply_to=reply_to)


# msgspec rather than the json module: a few times faster in each direction, on every frame.
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


def to_json(value: Any) -> bytes:
    """Compact UTF-8 JSON (no escapes for non-ASCII text)."""
    return _encode(value)


def encode(message: Outbound) -> bytes:
    """A bot message as the UTF-8 JSON text of a frame."""
    return _encode(message.to_wire())
