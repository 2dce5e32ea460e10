"""`/services/oauth2/authorize`: the web server flow's login and consent page.

GET validates the request and shows the page (or, with auto-approve on, redirects at once).
The page's form posts back to the same URL with `username`, `password` and `action=allow` or
`action=deny`, so a test can drive it with plain HTTP as easily as a browser.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import jinja2
from aiohttp import web

from sandbox.keys import ORG
from sandbox.org import Org
from sandbox.store import AuthCode, ConnectedApp, User
from sandbox.tokens import new_code, parse_scopes, scopes_allowed

_PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("sandbox", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)
_LOGIN_FAILED = (
    "Please check your username and password. If you still can't log in, contact your "
    "Salesforce administrator."
)
_SCOPE_TEXT = {
    "api": "Access and manage your data",
    "full": "Full access to your data",
    "refresh_token": "Access your data at any time (refresh token)",
    "offline_access": "Access your data at any time (offline access)",
    "id": "Access your basic information",
    "profile": "Access your basic information",
    "email": "Access your email address",
    "openid": "Know who you are (OpenID Connect)",
    "web": "Provide access to your data via the Web",
}


class ErrorPage(Exception):
    """An error with no trusted callback: shown as a plain page, never redirected."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(error)
        self.error = error
        self.description = description

    def response(self) -> web.Response:
        text = f"error={self.error}&error_description={quote(self.description)}"
        return web.Response(status=400, text=text, content_type="text/html")


@dataclass(frozen=True)
class AuthorizeRequest:
    app: ConnectedApp
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str | None
    nonce: str | None
    login_hint: str
    immediate: bool


class Redirect(Exception):
    """Send the browser to `location` (the app's callback)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location

    def response(self) -> web.Response:
        return web.Response(status=302, headers={"Location": self.location})


def redirect_to(uri: str, params: dict[str, str | None]) -> Redirect:
    """A redirect to `uri` with `params` added to its query string."""
    parts = urlsplit(uri)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return Redirect(urlunsplit(parts._replace(query=query)))


def _error_redirect(uri: str, error: str, description: str, state: str | None) -> Redirect:
    return redirect_to(uri, {"error": error, "error_description": description, "state": state})


def parse_request(org: Org, params: dict[str, str]) -> AuthorizeRequest:
    """Check the authorize parameters; errors without a trusted callback raise ErrorPage,
    the others raise the redirect that carries them."""
    app = org.store.apps.get(params.get("client_id", ""))
    if app is None:
        raise ErrorPage("invalid_client_id", "client identifier invalid")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise ErrorPage("redirect_uri_missing", "redirect_uri not provided")
    if not app.accepts_callback(redirect_uri):
        raise ErrorPage("redirect_uri_mismatch", "redirect_uri must match configuration")
    state = params.get("state")
    if params.get("response_type") != "code":
        raise _error_redirect(
            redirect_uri, "unsupported_response_type", "response type not supported", state
        )
    scopes = parse_scopes(params.get("scope")) or list(app.scopes)
    if not scopes_allowed(app, scopes):
        raise _error_redirect(
            redirect_uri,
            "invalid_scope",
            "the requested scope is invalid, unknown, or malformed",
            state,
        )
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method")
    if method not in (None, "", "S256"):
        raise _error_redirect(
            redirect_uri, "invalid_request", "unsupported code challenge method", state
        )
    if challenge is not None and not _PKCE_CHALLENGE.fullmatch(challenge):
        raise _error_redirect(redirect_uri, "invalid_request", "invalid code challenge", state)
    return AuthorizeRequest(
        app=app,
        redirect_uri=redirect_uri,
        scopes=tuple(scopes),
        state=state,
        code_challenge=challenge,
        nonce=params.get("nonce") or None,
        login_hint=params.get("login_hint", ""),
        immediate=params.get("immediate", "").lower() == "true",
    )


def grant_code(org: Org, req: AuthorizeRequest, user: User) -> Redirect:
    """Store a single-use code for `user` and redirect to the callback with it."""
    code = new_code()
    org.store.add_code(
        code,
        AuthCode(
            client_id=req.app.client_id,
            user_id=user.id,
            redirect_uri=req.redirect_uri,
            scopes=req.scopes,
            code_challenge=req.code_challenge,
            expires_at=time.time() + org.config.code_ttl,
            nonce=req.nonce,
        ),
    )
    return redirect_to(req.redirect_uri, {"code": code, "state": req.state})


def _page(org: Org, req: AuthorizeRequest, action: str, username: str, error: str) -> web.Response:
    scopes = [_SCOPE_TEXT.get(s, f"Use the {s} scope") for s in req.scopes]
    html = _TEMPLATES.get_template("authorize.html").render(
        org_name=org.config.org_name,
        app_name=req.app.name,
        action=action,
        username=username,
        error=error,
        scopes=list(dict.fromkeys(scopes)),
    )
    return web.Response(
        text=html,
        content_type="text/html",
        headers={"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"},
    )


async def authorize(request: web.Request) -> web.StreamResponse:
    """GET shows the page; POST handles its Allow / Deny buttons."""
    try:
        return await _authorize(request)
    except Redirect as redirect:
        return redirect.response()
    except ErrorPage as page:
        return page.response()


async def _authorize(request: web.Request) -> web.StreamResponse:
    org = request.app[ORG]
    params: dict[str, str] = {}
    form: dict[str, str] = {}
    if request.method == "POST":
        try:
            form = {k: str(v) for k, v in (await request.post()).items()}
        except ValueError:
            raise ErrorPage("invalid_request", "malformed request body") from None
        params.update(form)
    params.update(request.query)
    req = parse_request(org, params)
    if request.method == "GET":
        hinted = org.store.user_by_name(req.login_hint) if req.login_hint else None
        if org.auto_approve:
            raise grant_code(org, req, hinted or org.demo_user)
        if req.immediate:
            raise _error_redirect(
                req.redirect_uri, "immediate_unsuccessful", "immediate unsuccessful", req.state
            )
        return _page(org, req, request.path_qs, req.login_hint, "")
    if form.get("action") == "deny":
        raise _error_redirect(
            req.redirect_uri, "access_denied", "end-user denied authorization", req.state
        )
    if form.get("action") != "allow":
        return _page(org, req, request.path_qs, form.get("username", ""), "Choose Allow or Deny.")
    user = org.authenticate(form.get("username", ""), form.get("password", ""))
    if user is None:
        return _page(org, req, request.path_qs, form.get("username", ""), _LOGIN_FAILED)
    raise grant_code(org, req, user)
