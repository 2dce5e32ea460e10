"""The sandbox org as an aiohttp application: OAuth endpoints, the REST API, the Lightning
record pages and, when asked for, the test controls."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from sandbox import authorize, controls, gate, identity, lightning, oauth, query, rest, search
from sandbox.config import SandboxConfig
from sandbox.keys import CONFIG, CONTROLS, ISSUER, LOCATORS, ORG
from sandbox.org import Org
from sandbox.responses import json_response
from sandbox.store import Store
from sandbox.tokens import TokenIssuer
from sandbox.versions import versions_list

_V = "/services/data/{version}"
_SLASH = "{slash:/?}"


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
