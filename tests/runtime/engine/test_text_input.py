"""What the engine reads of a message: control characters dropped, white space folded."""

from __future__ import annotations

import pytest

from runtime.engine.text_input import clean_text
from runtime.errors import ChannelError


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("42", "42"),
        ("  Ada Lovelace ", "Ada Lovelace"),
        ("Ada  Lovelace", "Ada Lovelace"),
        ("Ada\tLovelace", "Ada Lovelace"),
        ("Ada\r\n\r\nLovelace\n", "Ada Lovelace"),
        ("Ada\u200b Love\x07lace", "Ada Lovelace"),  # a format and a control character
        ("Ada\u00a0Lovelace", "Ada\u00a0Lovelace"),  # a no-break space is kept as typed
    ],
)
def test_messages_are_cleaned_and_folded(typed: str, read: str) -> None:
    assert clean_text(typed, max_chars=4000) == read


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", "\x00\x07"])
def test_a_message_with_nothing_left_is_refused(typed: str) -> None:
    with pytest.raises(ChannelError) as refused:
        clean_text(typed, max_chars=4000)
    assert refused.value.code == "bad_request"
