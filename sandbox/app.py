"""The sandbox org as an aiohttp application: OAuth endpoints, the REST API, the Lightning
record pages and, when asked for, the test controls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from sandbox import authorize, controls, gate, identity, lightning, oauth, query, rest, search
from sandbox.config import SandboxConfig
from sandbox.keys import CONFIG, CONTROLS, ISSUER, LOCATORS, ORG
from sandbox.org import Org
from sandbox.responses import json_response
from sandbox.store import Store
from sandbox.tokens import TokenIssuer
from sandbox.versions import LATEST, versions_list

_V = "/services/data/{version}"
_SLASH = "{slash:/?}"
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("sandbox", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)
_PAGE_HEADERS = {
    "Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
}


async def root(request: web.Request) -> web.Response:
    """`GET /`: what this server is (a local test org, not Salesforce) and where to start.

    The login link is the demo app's authorize URL, coming back to this page, so it opens the
    real login page; when the org's own address is not one the demo app may call back (a
    non-loopback host), the page names the authorize URL instead."""
    org = request.app[ORG]
    base = org.base_url
    home = f"{base}/"
    login_url = None
    if org.demo_app.accepts_callback(home):
        query = {"response_type": "code", "client_id": org.demo_app.client_id, "redirect_uri": home}
        login_url = f"{base}/services/oauth2/authorize?{urlencode(query)}"
    html = _TEMPLATES.get_template("root.html").render(
        org_name=org.config.org_name,
        username=org.config.username,
        login_url=login_url,
        logged_in="code" in request.query,
        authorize_url=f"{base}/services/oauth2/authorize",
        token_url=f"{base}/services/oauth2/token",
        api_url=f"{base}/services/data/v{LATEST}",
        versions_url=f"{base}/services/data/",
        controls_url=f"{base}/_sandbox" if org.config.controls else None,
    )
    return web.Response(text=html, content_type="text/html", headers=_PAGE_HEADERS)


async def versions(request: web.Request) -> web.Response:
    """`GET /services/data/`: public, uncounted, no Sforce-Limit-Info."""
    return json_response(request, versions_list())


async def _open_org(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    store = await Store.open(config.db)
    org = Org(config, store)
    try:
        await org.bootstrap()
        app[ORG] = org
        app[ISSUER] = TokenIssuer(org)
        yield
        await org.save_usage()
    finally:
        await store.close()


def _add_api_routes(router: web.UrlDispatcher) -> None:
    router.add_route("*", f"{_V}{_SLASH}", rest.resources)
    router.add_route("*", f"{_V}/limits{_SLASH}", rest.limits)
    router.add_route("*", f"{_V}/sobjects{_SLASH}", rest.sobjects)
    router.add_route("*", f"{_V}/sobjects/{{sobject}}{_SLASH}", rest.sobject)
    router.add_route("*", f"{_V}/sobjects/{{sobject}}/describe{_SLASH}", rest.describe_object)
    router.add_route("*", f"{_V}/sobjects/{{sobject}}/{{record_id}}{_SLASH}", rest.record)
    router.add_route("*", f"{_V}/query{_SLASH}", query.query)
    router.add_route("*", f"{_V}/queryAll{_SLASH}", query.query_all)
    router.add_route("*", f"{_V}/query/{{locator}}", query.query_more)
    router.add_route("*", f"{_V}/queryAll/{{locator}}", query.query_more)
    router.add_route("*", f"{_V}/search{_SLASH}", search.search)
    router.add_route("*", f"{_V}/parameterizedSearch{_SLASH}", search.parameterized_search)
    router.add_route("*", f"{_V}/{{tail:.*}}", rest.unknown)


def create_app(config: SandboxConfig) -> web.Application:
    """The sandbox org's application; its database opens when the application starts."""
    middlewares = [gate.headers, gate.errors]
    if config.controls:
        middlewares = [
            controls.log_requests,
            *middlewares,
            controls.control_errors,
            controls.inject_faults,
        ]
    app = web.Application(middlewares=[*middlewares, gate.api_gate])
    app[CONFIG] = config
    app[CONTROLS] = controls.Controls()
    app[LOCATORS] = query.Locators()
    app.cleanup_ctx.append(_open_org)
    router = app.router
    router.add_get("/", root)
    router.add_route("*", "/services/oauth2/authorize", authorize.authorize)
    router.add_post("/services/oauth2/token", oauth.token)
    router.add_route("GET", "/services/oauth2/revoke", oauth.revoke)
    router.add_route("POST", "/services/oauth2/revoke", oauth.revoke)
    router.add_route("*", "/services/oauth2/userinfo", identity.userinfo)
    router.add_get("/id/keys", identity.keys)
    router.add_route("*", "/id/{org_id}/{user_id}", identity.identity)
    router.add_get("/services/data{slash:/?}", versions)
    _add_api_routes(router)
    lightning.add_routes(router)
    if config.controls:
        controls.add_routes(app)
    return app
