"""The schema files in the package are what the generators make now: regenerate them with
`python -m runtime.schemas` after changing a key of dialog files or config.yaml."""

from __future__ import annotations

import json

import pytest

from runtime.schemas import KINDS, generate, render, shipped


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_schema_is_the_generated_one(kind: str):
    assert shipped(kind).is_file()
    assert shipped(kind).read_text() == render(kind), (
        f"{shipped(kind).name} is out of date: run python -m runtime.schemas"
    )
    assert json.loads(shipped(kind).read_text()) == generate(kind)
