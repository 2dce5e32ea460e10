"""Parley's HTTP client is httpx2, and authlib uses it too: importing the OAuth client warns of
nothing (authlib 1.8+ warns on import when it has to fall back to the deprecated httpx)."""

from __future__ import annotations

import subprocess
import sys

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client


def _import_in_fresh_process(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_importing_the_oauth_client_shows_no_deprecation_warning():
    done = _import_in_fresh_process("import runtime.auth.oauth, runtime.bot")
    # authlib sets its own warnings to "always", which outranks -W error: so stderr is read too.
    assert done.returncode == 0, done.stderr
    assert "Deprecat" not in done.stderr and "deprecat" not in done.stderr, done.stderr
    assert done.stderr == ""


def test_an_authlib_deprecation_would_be_seen():
    """The check above can see authlib's warnings: they reach stderr despite -W error."""
    done = _import_in_fresh_process(
        "from authlib.deprecate import deprecate; deprecate('the httpx module is deprecated')"
    )
    assert "AuthlibDeprecationWarning: the httpx module is deprecated" in done.stderr


def test_authlib_builds_its_client_on_httpx2():
    """So the transport that tests and the bot inject (an httpx2 one) fits authlib's client."""
    assert issubclass(AsyncOAuth2Client, httpx2.AsyncClient)
