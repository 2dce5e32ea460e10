"""Follow an authorization link as a user would: open the identity provider's page, log in,
press Allow (or Deny), and stop at the redirect to the bot's callback.

Nothing here knows a particular provider. The page is read with the standard library's HTML
parser: its first form is filled in (the password field with the password, the user-name field
with the user name, hidden fields as they are) and submitted with the button that allows or
denies. A provider that approves at once (a 302 on the first GET) needs no form at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2

from runtime.errors import AuthError
from runtime.outbound import HTTP_TIMEOUT

MAX_HOPS = 10
_ALLOW = re.compile(r"allow|approve|authori[sz]e|accept|consent|confirm|continue|log ?in|sign ?in")
_DENY = re.compile(r"deny|reject|decline|cancel|refuse|disallow")
_USER_NAME = re.compile(r"user|login|email|name|account")


@dataclass(frozen=True, slots=True)
class Login:
    """The test user at the identity provider."""

    username: str
    password: str = field(repr=False)


class AuthorizationFailed(AuthError):
    """The identity provider did not send the browser back to the callback; says why."""


@dataclass(slots=True)
class _Control:
    tag: str
    type: str
    name: str
    value: str
    text: str = ""


@dataclass(slots=True)
class _Form:
    action: str
    method: str
    controls: list[_Control] = field(default_factory=list)

    def submitters(self) -> list[_Control]:
        return [
            c
            for c in self.controls
            if (c.tag == "button" and c.type in ("", "submit"))
            or (c.tag == "input" and c.type in ("submit", "image"))
        ]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._button: _Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(_Form(a.get("action", ""), (a.get("method") or "get").upper()))
        elif self.forms and tag in ("input", "button", "textarea", "select"):
            default = "submit" if tag == "button" else "text"
            control = _Control(tag, a.get("type", default).lower(), a.get("name", ""), "")
            control.value = a.get("value", "")
            if tag == "input" and control.type in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1].controls.append(control)
            if tag == "button":
                self._button = control

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.text += data


def _fill(form: _Form, login: Login | None, allow: bool, page: str) -> dict[str, str]:
    data: dict[str, str] = {}
    asks_login = any(c.type == "password" for c in form.controls)
    if asks_login and login is None:
        raise AuthorizationFailed(
            f"the identity provider's page {page} asks for a login, and no test user was given"
        )
    filled_user = False
    for c in form.controls:
        if not c.name or c.tag == "button" or c.type in ("submit", "image", "reset", "button"):
            continue
        if c.type == "password" and login is not None:
            data[c.name] = login.password
        elif (
            login is not None
            and not filled_user
            and c.type in ("text", "email")
            and _USER_NAME.search(c.name.lower())
        ):
            data[c.name] = login.username
            filled_user = True
        else:
            data[c.name] = c.value
    wanted, other = (_ALLOW, _DENY) if allow else (_DENY, _ALLOW)
    words = [(c, f"{c.name} {c.value} {c.text}".lower()) for c in form.submitters()]
    matching = [(c, w) for c, w in words if wanted.search(w)]
    # A button that reads both ways ("consent: deny") is taken only when no other one fits.
    chosen = [c for c, w in matching if not other.search(w)] or [c for c, _ in matching]
    if not chosen:
        word = "allows" if allow else "denies"
        raise AuthorizationFailed(f"the form on {page} has no button that {word} access")
    if chosen[0].name:
        data[chosen[0].name] = chosen[0].value
    return data


def _is_callback(location: str, callback: str) -> bool:
    target, given = urlsplit(location), urlsplit(callback)
    return (target.scheme, target.netloc, target.path) == (given.scheme, given.netloc, given.path)


async def follow_authorization(
    url: str, *, login: Login | None, allow: bool = True, client: httpx2.AsyncClient | None = None
) -> dict[str, str]:
    """The callback's query parameters (`code` and `state`, or `error`) after completing the
    provider's pages at `url`; raises `AuthorizationFailed` saying what went wrong."""
    callback = parse_qs(urlsplit(url).query).get("redirect_uri", [""])[0]
    if not callback:
        raise AuthorizationFailed(f"the authorization link has no redirect_uri: {url}")
    own = client is None
    http = client or httpx2.AsyncClient(follow_redirects=False, timeout=HTTP_TIMEOUT)
    try:
        response = await http.get(url)
        submitted: set[tuple[str, ...]] = set()
        for _ in range(MAX_HOPS):
            page = str(response.url).split("?", 1)[0]
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if _is_callback(location, callback):
                    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
                response = await http.get(location)
                continue
            if response.status_code != 200:
                raise AuthorizationFailed(
                    f"the identity provider answered {response.status_code} at {page}"
                )
            parser = _FormParser()
            parser.feed(response.text)
            if not parser.forms:
                raise AuthorizationFailed(f"the identity provider's page {page} has no form")
            form = parser.forms[0]
            shape = (form.action, *(c.name for c in form.controls))
            if shape in submitted:
                raise AuthorizationFailed(
                    f"the identity provider showed its form at {page} again: "
                    "check the test user's name and password"
                )
            submitted.add(shape)
            data = _fill(form, login, allow, page)
            target = urljoin(str(response.url), form.action or str(response.url))
            if form.method == "POST":
                response = await http.post(target, data=data)
            else:
                response = await http.get(target, params=data)
        raise AuthorizationFailed(f"more than {MAX_HOPS} pages without reaching the callback")
    except httpx2.HTTPError as exc:
        raise AuthorizationFailed(
            f"the identity provider could not be reached ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        if own:
            await http.aclose()
