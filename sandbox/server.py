"""Running the sandbox org on a loopback port, for tests, `parley demo` and `parley sandbox`:

async with run_sandbox(port=0, db=tmp_path / "org.db", controls=True) as sb:
    sb.url, sb.client_id, sb.client_secret, sb.username, sb.password, sb.controls_url
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from sandbox.app import create_app
from sandbox.config import (
    CODE_TTL,
    DEFAULT_API_LIMIT,
    DEFAULT_TOKEN_TTL,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    Edition,
    SandboxConfig,
)
from sandbox.keys import ORG
from sandbox.org import Org


@dataclass(frozen=True)
class RunningSandbox:
    """A sandbox org that is up: where it is and how to log in to it."""

    url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    controls_url: str | None
    app: web.Application

    @property
    def org(self) -> Org:
        """The org itself, for tests that look inside."""
        return self.app[ORG]

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/services/oauth2/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.url}/services/oauth2/token"


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def run_sandbox(
    port: int = 0,
    db: Path | str | None = None,
    *,
    controls: bool = False,
    edition: Edition | str = Edition.DEVELOPER,
    token_ttl: float = DEFAULT_TOKEN_TTL,
    api_limit: int = DEFAULT_API_LIMIT,
    auto_approve: bool = False,
    host: str = "127.0.0.1",
    username: str = DEMO_USERNAME,
    password: str = DEMO_PASSWORD,
    client_id: str | None = None,
    client_secret: str | None = None,
    org_name: str = "Parley Sandbox",
    code_ttl: float = CODE_TTL,
) -> AsyncIterator[RunningSandbox]:
    """Serve a sandbox org on `host:port` (0: any free port) until the block ends.

    `db` is its SQLite file (None: in memory). Raises OSError if the port is taken and
    ValueError for an unknown edition.
    """
    chosen = edition if isinstance(edition, Edition) else Edition.parse(edition)
    sock = _bind(host, port)
    base_url = f"http://{host}:{sock.getsockname()[1]}"
    config = SandboxConfig(
        db=Path(db) if db is not None else None,
        base_url=base_url,
        controls=controls,
        edition=chosen,
        token_ttl=token_ttl,
        api_limit=api_limit,
        auto_approve=auto_approve,
        username=username,
        password=password,
        client_id=client_id,
        client_secret=client_secret,
        org_name=org_name,
        code_ttl=code_ttl,
    )
    app = create_app(config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    try:
        await runner.setup()
        await web.SockSite(runner, sock).start()
        org = app[ORG]
        yield RunningSandbox(
            url=base_url,
            client_id=org.demo_app.client_id,
            client_secret=org.demo_app.client_secret,
            username=username,
            password=password,
            controls_url=f"{base_url}/_sandbox" if controls else None,
            app=app,
        )
    finally:
        await runner.cleanup()
        sock.close()
