"""Record ids: the 18-character checksum, verified against ids recorded from real orgs."""

from __future__ import annotations

import pytest

from sandbox.ids import make_id, normalize, to18


@pytest.mark.parametrize(
    "full",
    ["a00B000000FSkcvIAD", "0017Q00000EZlbyQAD", "00DgK000000OMLxUAO", "005gK000000TSnJQAW"],
)
def test_checksum_matches_real_ids(full: str) -> None:
    assert to18(full[:15]) == full
    assert normalize(full[:15]) == full
    assert normalize(full) == full


def test_reference_examples() -> None:
    assert to18("a0RE000000IJmcN") == "a0RE000000IJmcNMAT"
    assert to18("AbCdEfGhIjKlMnO").endswith("VKV")
    assert to18("aBcDEfgHIJKLMNO").endswith("025")


@pytest.mark.parametrize(
    "bad", ["001i000000xxxxxx", "00Q", "00QgS0000000001UAB", "00QgS00000-0001", ""]
)
def test_malformed_ids_are_refused(bad: str) -> None:
    assert normalize(bad) is None


def test_made_ids_carry_prefix_and_checksum() -> None:
    made = make_id("00Q", 62**2 + 1)
    assert made.startswith("00QgS") and len(made) == 18
    assert normalize(made[:15]) == made
    assert make_id("00Q", 1) != make_id("00Q", 2)
