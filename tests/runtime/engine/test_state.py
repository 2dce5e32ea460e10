"""The stored form of a conversation, and reading its status alone (for /metrics)."""

from __future__ import annotations

import pytest

from runtime.engine.state import (
    ConversationState,
    Status,
    UnreadableState,
    decode,
    encode,
    status_of,
)


@pytest.mark.parametrize("status", list(Status))
def test_the_status_alone_reads_as_the_whole_state_does(status: Status) -> None:
    state = ConversationState(status=status, dialog="d", node="n", entities={"name": "Ada"})
    raw = encode(state)
    assert status_of(raw) == decode(raw).status == status


def test_an_idle_state_leaves_its_status_out_and_still_reads_idle() -> None:
    raw = encode(ConversationState())
    assert b'"t"' not in raw
    assert status_of(raw) == Status.IDLE


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'{"t": "dancing"}'])
def test_bytes_that_hold_no_state_are_unreadable(raw: bytes) -> None:
    with pytest.raises(UnreadableState):
        status_of(raw)
