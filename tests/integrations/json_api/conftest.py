"""The example JSON API server for these tests; the example bot's transcripts are replayed by
the tests here (against that server), not collected as the repository bot's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integrations.json_api.server import ExampleApi, run_example_api

collect_ignore = ["bot"]


@pytest.fixture
async def api() -> AsyncIterator[ExampleApi]:
    async with run_example_api() as running:
        yield running
