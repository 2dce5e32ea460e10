"""The OAuth 2.0 authorization-code flow with PKCE (S256), through authlib's async client.

One authlib client per profile, made on first use and closed with the bot. Errors from the
identity provider or the network become `OAuthFailure` with the provider's error code and a
sentence that never contains a secret.
"""

from __future__ import annotations

from typing import Any

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

from runtime.auth.profiles import Profile
from runtime.errors import AuthError
from runtime.outbound import HTTP_TIMEOUT


class OAuthFailure(AuthError):
    """A token call that did not give a token. `transient`: the endpoint could not say (5xx,
    429, a timeout, a dropped connection, an answer that is no token response), so the grant
    may well still be good; otherwise it refused (`invalid_grant`, 400/401...)."""

    def __init__(self, code: str, message: str, *, transient: bool = False) -> None:
        self.code = code
        self.transient = transient
        super().__init__(message)


class OAuthClient:
    def __init__(
        self, *, transport: httpx2.AsyncBaseTransport | None = None, timeout: float = HTTP_TIMEOUT
    ) -> None:
        self._transport = transport
        self._timeout = timeout
        self._clients: dict[str, AsyncOAuth2Client] = {}

    def _client(self, profile: Profile) -> AsyncOAuth2Client:
        client = self._clients.get(profile.name)
        if client is None:
            kwargs: dict[str, Any] = {"timeout": self._timeout}
            if self._transport is not None:
                kwargs["transport"] = self._transport
            client = AsyncOAuth2Client(
                client_id=profile.client_id,
                client_secret=profile.client_secret,
                scope=profile.scope or None,
                redirect_uri=profile.callback_url,
                code_challenge_method="S256",
                token_endpoint_auth_method="client_secret_post",
                **kwargs,
            )
            self._clients[profile.name] = client
        return client

    def authorization_url(self, profile: Profile, state: str, verifier: str) -> str:
        url, _ = self._client(profile).create_authorization_url(
            profile.authorization_url,
            state=state,
            code_verifier=verifier,
            **dict(profile.extra_params),
        )
        return url

    async def exchange(self, profile: Profile, code: str, verifier: str) -> dict[str, Any]:
        return await self._token_call(
            profile,
            "exchange",
            self._client(profile).fetch_token(
                profile.token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
                redirect_uri=profile.callback_url,
            ),
        )

    async def refresh(self, profile: Profile, refresh_token: str) -> dict[str, Any]:
        return await self._token_call(
            profile,
            "refresh",
            self._client(profile).refresh_token(
                profile.refresh_endpoint, refresh_token=refresh_token
            ),
        )

    async def _token_call(self, profile: Profile, what: str, call: Any) -> dict[str, Any]:
        try:
            token = await call
        except OAuthError as exc:
            code = exc.error or "oauth_error"
            raise OAuthFailure(
                code, f"{profile.provider} refused the token {what}: {code}"
            ) from exc
        except httpx2.TransportError as exc:
            raise OAuthFailure(
                "unreachable",
                f"{profile.provider}'s token endpoint could not be reached ({type(exc).__name__})",
                transient=True,
            ) from exc
        except httpx2.HTTPStatusError as exc:
            status = exc.response.status_code
            raise OAuthFailure(
                f"http_{status}",
                f"{profile.provider}'s token endpoint answered {status}",
                transient=status >= 500 or status == 429,
            ) from exc
        except ValueError as exc:  # no JSON: a proxy's error page, say; nothing was refused
            raise OAuthFailure(
                "bad_response",
                f"{profile.provider}'s token endpoint answered badly: {exc}",
                transient=True,
            ) from exc
        return dict(token)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
