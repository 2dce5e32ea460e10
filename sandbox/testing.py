"""Helpers for tests and benches that drive the sandbox org over plain HTTP, as a browser would,
or run it as a process of its own.

url = await complete_authorization(authorize_url, username=sb.username, password=sb.password)
# url is the callback URL the browser would be sent to: ...?code=...&state=...

org = SandboxOrg(tmp_path / "org")  # `python -m sandbox` with its test controls, on a free port
await org.start()
...
await org.stop()
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def callback_params(url: str) -> dict[str, str]:
    """The query parameters of a callback URL (code, state, or error and error_description)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class AuthorizationFailed(Exception):
    """The authorize page answered without redirecting (an error page, or a failed login)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"authorize page answered {status} without a redirect: {text[:200]}")
        self.status = status
        self.text = text


async def complete_authorization(
    authorize_url: str,
    *,
    username: str,
    password: str,
    allow: bool = True,
    client: httpx2.AsyncClient | None = None,
) -> str:
    """Open `authorize_url`, log in and press Allow (or Deny); return the redirect URL.

    With auto-approve on, the first GET already redirects and no form is posted. Raises
    AuthorizationFailed when the org shows a page instead of redirecting.
    """
    own = client is None
    http = client or httpx2.AsyncClient()
    try:
        page = await http.get(authorize_url, follow_redirects=False)
        if page.status_code == 302:
            return page.headers["Location"]
        if page.status_code != 200:
            raise AuthorizationFailed(page.status_code, page.text)
        answer = await http.post(
            authorize_url,
            data={
                "username": username,
                "password": password,
                "action": "allow" if allow else "deny",
            },
            follow_redirects=False,
        )
        if answer.status_code != 302:
            raise AuthorizationFailed(answer.status_code, answer.text)
        return answer.headers["Location"]
    finally:
        if own:
            await http.aclose()


# -- the sandbox org as a process ---------------------------------------------------------------


CLIENT_ID = "parley-fleet-client"  # the demo app of a `SandboxOrg`, fixed so bots' env can name it
CLIENT_SECRET = "parley-fleet-secret"
API = "/services/data/v60.0"
LEAD_POSTS = "/services/data/*/sobjects/Lead*"  # a fault glob for create_lead's POST
START_TIMEOUT = 60.0  # seconds for the process to come up: a failsafe


class SandboxFailed(Exception):
    """The sandbox org's process did not start; the message ends with its output."""


def tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of the file at `path`, each on a new indented line."""
    try:
        kept = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "".join(f"\n    {line}" for line in kept)


class SandboxOrg:
    """The sandbox org as a process (``python -m sandbox --controls --auto-approve``) on a free
    port, its records in ``root/org.db``; its REST API and test controls over HTTP. `options`
    are more of ``python -m sandbox``'s (``--api-limit N``, say)."""

    username = "demo@parley.sandbox"
    password = "parley-demo-1"

    def __init__(self, root: Path, options: Sequence[str] = ()) -> None:
        self.root = root
        self.options = tuple(options)
        self.url = ""
        self.process: asyncio.subprocess.Process | None = None
        self.http = httpx2.AsyncClient(timeout=30.0)
        self._token: str | None = None

    @property
    def log(self) -> Path:
        return self.root / "sandbox.log"

    async def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "sandbox", "--port", "0", "--db", "org.db"]
        command += ["--controls", "--auto-approve"]
        command += ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, *self.options]
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command,
                cwd=self.root,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.url:
            found = re.search(r"Sandbox org running at (http://\S+)", self.log.read_text())
            if found:
                self.url = found[1]
            elif self.process.returncode is not None or time.monotonic() > deadline:
                await self.stop()
                raise SandboxFailed(f"the sandbox org did not start:{tail(self.log)}")
            else:
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        await self.http.aclose()

    # -- test controls ---------------------------------------------------------------------

    async def controls(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, f"{self.url}/_sandbox{path}", json=body)
        response.raise_for_status()
        return response.json()

    async def hold_posts(self, *, delay: float, count: int = 1, after_commit: bool = True) -> None:
        """The next `count` POSTs of a Lead are held `delay` seconds: with `after_commit`, the
        lead is created first and only its answer is late; without, nothing is created unless
        the caller still waits when the delay is over."""
        fault = {"method": "POST", "path": LEAD_POSTS, "delay": delay, "count": count}
        await self.controls("POST", "/faults", fault | {"after_commit": after_commit})

    async def faults(self) -> list[dict[str, Any]]:
        return list((await self.controls("GET", "/faults"))["faults"])

    async def clear_faults(self) -> None:
        await self.controls("DELETE", "/faults")

    async def requests(self) -> list[dict[str, Any]]:
        """The request log: method, path, status and what a fault did."""
        return list((await self.controls("GET", "/requests"))["requests"])

    async def cut_posts(self) -> list[dict[str, Any]]:
        """Lead POSTs that were committed but whose answer nobody received (the bot was killed,
        or gave up waiting, while the answer was held)."""
        return [
            r
            for r in await self.requests()
            if r["method"] == "POST"
            and "/sobjects/Lead" in r["path"]
            and r.get("after_commit")
            and r.get("client_gone")
        ]

    # -- the REST API, as the org's own user -------------------------------------------------

    async def api(self, method: str, path: str, **params: str) -> httpx2.Response:
        if self._token is None:
            token = await self.http.post(
                f"{self.url}/services/oauth2/token",
                data={
                    "grant_type": "password",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "username": self.username,
                    "password": self.password,
                },
            )
            token.raise_for_status()
            self._token = token.json()["access_token"]
        return await self.http.request(
            method,
            path if path.startswith("http") else f"{self.url}{API}{path}",
            params=params or None,
            headers={"Authorization": f"Bearer {self._token}"},
        )

    async def query(self, soql: str) -> list[dict[str, Any]]:
        """Every record a SOQL query finds, across pages."""
        response = await self.api("GET", "/query", q=soql)
        records: list[dict[str, Any]] = []
        while True:
            assert response.status_code == 200, response.text
            page = response.json()
            records += page["records"]
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return records
            response = await self.api("GET", f"{self.url}{page['nextRecordsUrl']}")

    async def leads(self) -> list[dict[str, Any]]:
        """Every lead in the org: Id, LastName, Company."""
        return await self.query("SELECT Id, LastName, Company FROM Lead")
