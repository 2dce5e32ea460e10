"""`/services/oauth2/token` (authorization_code, refresh_token, password) and
`/services/oauth2/revoke`. Every error is 400 with `{"error", "error_description"}`."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import time
from collections.abc import Mapping
from urllib.parse import unquote, urlencode

from aiohttp import web

from sandbox.errors import OAuthError
from sandbox.keys import ISSUER, ORG
from sandbox.org import Org
from sandbox.responses import json_response
from sandbox.store import ConnectedApp, digest
from sandbox.tokens import parse_scopes, pkce_challenge, scopes_allowed

_FORM = "application/x-www-form-urlencoded"
_GRANT_TYPES = ("authorization_code", "refresh_token", "password")
_CALLBACK = re.compile(r"[A-Za-z_$][\w$.]{0,63}")
_NO_STORE = {"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"}


def unsupported_grant() -> OAuthError:
    return OAuthError("unsupported_grant_type", "grant type not supported")


def _client_credentials(request: web.Request, form: Mapping[str, str]) -> tuple[str, str | None]:
    """client_id and client_secret from the body, or from HTTP Basic authentication."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "invalid client credentials") from None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret")


def _authenticate_client(org: Org, client_id: str, secret: str | None) -> ConnectedApp:
    app = org.store.apps.get(client_id)
    if app is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if secret is None or not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
        raise OAuthError("invalid_client", "invalid client credentials")
    return app


def _wants_urlencoded(request: web.Request, form: Mapping[str, str]) -> bool:
    chosen = form.get("format") or request.query.get("format")
    if chosen:
        return chosen == "urlencoded"
    return request.headers.get("Accept", "").startswith(_FORM)


async def read_form(request: web.Request, error: OAuthError) -> dict[str, str]:
    """The form-encoded body, or `error` when it cannot be decoded."""
    try:
        return {k: str(v) for k, v in (await request.post()).items()}
    except ValueError:
        raise error from None


async def token(request: web.Request) -> web.Response:
    """Exchange a code, a refresh token or a password for an access token."""
    org = request.app[ORG]
    if request.content_type != _FORM:
        raise unsupported_grant()
    form = await read_form(request, unsupported_grant())
    grant_type = form.get("grant_type", "")
    if grant_type not in _GRANT_TYPES:
        raise unsupported_grant()
    app = _authenticate_client(org, *_client_credentials(request, form))
    if grant_type == "authorization_code":
        body = await _from_code(request, org, app, form)
    elif grant_type == "refresh_token":
        body = await _from_refresh(request, org, app, form)
    else:
        body = await _from_password(request, org, app, form)
    if _wants_urlencoded(request, form):
        return web.Response(
            text=urlencode(body), content_type=_FORM, charset="UTF-8", headers=_NO_STORE
        )
    return json_response(request, body, headers=_NO_STORE)


async def _from_code(
    request: web.Request, org: Org, app: ConnectedApp, form: Mapping[str, str]
) -> dict[str, object]:
    grant = org.store.take_code(form.get("code", ""))
    if grant is None or grant.expires_at <= time.time() or grant.client_id != app.client_id:
        raise OAuthError("invalid_grant", "expired authorization code")
    if form.get("redirect_uri", "") != grant.redirect_uri:
        raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
    if grant.code_challenge is not None:
        verifier = form.get("code_verifier")
        if not verifier:
            raise OAuthError("invalid_grant", "invalid code verifier")
        if not 43 <= len(verifier) <= 128 or not hmac.compare_digest(
            pkce_challenge(verifier), grant.code_challenge
        ):
            raise OAuthError("invalid_request", "invalid code verifier")
    user = org.store.users.get(grant.user_id)
    if user is None:
        raise OAuthError("inactive_user", "user is inactive")
    return await request.app[ISSUER].issue(
        app, user, grant.scopes, new_refresh=True, nonce=grant.nonce
    )


async def _from_refresh(
    request: web.Request, org: Org, app: ConnectedApp, form: Mapping[str, str]
) -> dict[str, object]:
    refresh = form.get("refresh_token", "")
    grant = org.store.refresh_grant(refresh)
    if grant is None or grant.revoked or grant.client_id != app.client_id:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    user = org.store.users.get(grant.user_id)
    if user is None:
        raise OAuthError("inactive_user", "user is inactive")
    issuer = request.app[ISSUER]
    if app.rotate_refresh_tokens:
        await org.store.revoke_refresh([digest(refresh)])
        return await issuer.issue(app, user, grant.scopes, new_refresh=True)
    return await issuer.issue(
        app, user, grant.scopes, refresh_digest=digest(refresh), new_refresh=False
    )


async def _from_password(
    request: web.Request, org: Org, app: ConnectedApp, form: Mapping[str, str]
) -> dict[str, object]:
    user = org.authenticate(form.get("username", ""), form.get("password", ""))
    if user is None:
        raise OAuthError("invalid_grant", "authentication failure")
    scopes = parse_scopes(form.get("scope")) or list(app.scopes)
    if not scopes_allowed(app, scopes):
        raise OAuthError("invalid_scope", "the requested scope is invalid, unknown, or malformed")
    return await request.app[ISSUER].issue(app, user, tuple(scopes), new_refresh=True)


async def revoke(request: web.Request) -> web.Response:
    """Revoke an access token, or a refresh token and every access token issued from it."""
    org = request.app[ORG]
    params = dict(request.query)
    if request.method == "POST":
        if request.content_type != _FORM:
            raise OAuthError("unsupported_token_type", "Token type not supported")
        params.update(await read_form(request, OAuthError("invalid_token", "Token was invalid")))
    callback = params.get("callback")
    value = params.get("token", "")
    key = digest(value)
    store = org.store
    ok = False
    if key in store.sessions and not store.sessions[key].revoked:
        await store.update_sessions([key], revoked=True)
        ok = True
    elif key in store.refresh_grants and not store.refresh_grants[key].revoked:
        await store.revoke_refresh([key])
        ok = True
    if callback:
        if not _CALLBACK.fullmatch(callback):
            raise OAuthError("invalid_request", "invalid callback")
        result = {} if ok else {"error": "invalid_token"}
        return web.Response(
            text=f"{callback}({json.dumps(result)})", content_type="application/javascript"
        )
    if not ok:
        raise OAuthError("invalid_token", "Token was invalid")
    return web.Response(status=200, headers=_NO_STORE)
