"""Helpers for tests that drive the sandbox org over plain HTTP, as a browser would.

url = await complete_authorization(authorize_url, username=sb.username, password=sb.password)
# url is the callback URL the browser would be sent to: ...?code=...&state=...
"""

from __future__ import annotations

import base64
import hashlib
import secrets
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
