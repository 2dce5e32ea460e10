"""Who a token belongs to: `/services/oauth2/userinfo` (OpenID Connect names), the identity URL
`/id/{orgId}/{userId}` (Salesforce's older names) and the id-token keys `/id/keys`.

A missing token gets 403 `Missing_OAuth_Token`, a bad one 403 `Bad_OAuth_Token`, as plain text.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.errors import PlainTextError
from sandbox.keys import ISSUER, ORG
from sandbox.org import Org
from sandbox.responses import json_response
from sandbox.store import User
from sandbox.versions import LATEST


def _forbidden(text: str) -> PlainTextError:
    return PlainTextError(403, text)


def bearer_token(request: web.Request) -> str | None:
    """The token of an `Authorization: Bearer` (or legacy `OAuth`) header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None


def _token_user(request: web.Request) -> User:
    token = bearer_token(request) or request.query.get("oauth_token")
    if not token:
        raise _forbidden("Missing_OAuth_Token")
    session = request.app[ISSUER].session(token)
    user = request.app[ORG].store.users.get(session.user_id) if session else None
    if user is None:
        raise _forbidden("Bad_OAuth_Token")
    return user


def _urls(org: Org, user: User, version: str) -> dict[str, str]:
    base = org.base_url
    data = f"{base}/services/data/v{version}"
    soap = f"{base}/services/Soap"
    return {
        "enterprise": f"{soap}/c/{version}/{org.org_id}",
        "metadata": f"{soap}/m/{version}/{org.org_id}",
        "partner": f"{soap}/u/{version}/{org.org_id}",
        "rest": f"{data}/",
        "sobjects": f"{data}/sobjects/",
        "search": f"{data}/search/",
        "query": f"{data}/query/",
        "recent": f"{data}/recent/",
        "tooling_soap": f"{soap}/T/{version}/{org.org_id}",
        "tooling_rest": f"{data}/tooling/",
        "profile": f"{base}/{user.id}",
        "feeds": f"{data}/chatter/feeds",
        "groups": f"{data}/chatter/groups",
        "users": f"{data}/chatter/users",
        "feed_items": f"{data}/chatter/feed-items",
        "feed_elements": f"{data}/chatter/feed-elements",
        "custom_domain": base,
    }


def _photos(org: Org, user: User) -> dict[str, str]:
    return {
        "picture": f"{org.base_url}/profilephoto/005/F",
        "thumbnail": f"{org.base_url}/profilephoto/005/T",
    }


async def userinfo(request: web.Request) -> web.Response:
    org = request.app[ORG]
    user = _token_user(request)
    body: dict[str, Any] = {
        "sub": org.identity_url(user),
        "user_id": user.id,
        "organization_id": org.org_id,
        "preferred_username": user.username,
        "nickname": user.username.split("@")[0],
        "name": user.name,
        "email": user.email,
        "email_verified": True,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": "America/Los_Angeles",
        "photos": _photos(org, user),
        "profile": f"{org.base_url}/{user.id}",
        "picture": _photos(org, user)["picture"],
        "address": {},
        "is_salesforce_integration_user": False,
        "urls": _urls(org, user, "{version}"),
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "updated_at": user.created[:19] + "Z",
        "is_app_installed": True,
    }
    return json_response(request, body)


async def identity(request: web.Request) -> web.Response:
    org = request.app[ORG]
    user = _token_user(request)
    org_part, user_part = request.match_info["org_id"], request.match_info["user_id"]
    if org_part[:15] != org.org_id15 or user_part[:15] != user.id[:15]:
        raise _forbidden("Bad_Id")
    version = request.query.get("version", "{version}").removesuffix(".0")
    if version == "latest":
        version = LATEST
    elif version != "{version}":
        version = f"{version}.0"
    body: dict[str, Any] = {
        "id": org.identity_url(user),
        "asserted_user": True,
        "user_id": user.id,
        "organization_id": org.org_id,
        "username": user.username,
        "nick_name": user.username.split("@")[0],
        "display_name": user.name,
        "email": user.email,
        "email_verified": True,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": "America/Los_Angeles",
        "photos": _photos(org, user),
        "addr_street": None,
        "addr_city": None,
        "addr_state": None,
        "addr_country": "US",
        "addr_zip": None,
        "mobile_phone": None,
        "mobile_phone_verified": False,
        "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None},
        "urls": _urls(org, user, version),
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "last_modified_date": user.created,
        "is_app_installed": True,
    }
    return json_response(request, body)


async def keys(request: web.Request) -> web.Response:
    """The public keys id tokens are signed with (JWKS)."""
    return json_response(request, request.app[ISSUER].jwks())
