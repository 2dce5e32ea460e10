"""The Salesforce test org: a sandbox org (`sandbox.server`) on a free port of 127.0.0.1,
the built-in app pointed at it with the sandbox's client id and secret and test user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from runtime.integrations.salesforce.config import SalesforceConfig
from runtime.integrations.salesforce.profile import CLIENT_ID_ENV, CLIENT_SECRET_ENV, pointed_at
from runtime.plugins import TestOrg


@asynccontextmanager
async def sandbox_org(settings: SalesforceConfig, folder: Path) -> AsyncIterator[TestOrg]:
    from sandbox.server import run_sandbox  # the sandbox's server is only needed here

    async with run_sandbox(port=0, db=folder / "org.db") as sandbox:
        yield TestOrg(
            settings=pointed_at(settings, sandbox.url),
            env={CLIENT_ID_ENV: sandbox.client_id, CLIENT_SECRET_ENV: sandbox.client_secret},
            username=sandbox.username,
            password=sandbox.password,
        )
