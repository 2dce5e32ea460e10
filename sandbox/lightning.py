"""Lightning record pages: what a "View in Salesforce" link opens.

    GET /lightning/r/{Lead|Opportunity}/{id}/view   the record's main fields, as an HTML page
    GET /{id}                                        a 15- or 18-character id: 302 to that page

Salesforce routes the short `/{id}` form by the id's key prefix and always shows the
18-character id in a Lightning address; the sandbox does the same. A malformed id, an id of an
object the sandbox has no page for, of no record or of a deleted one gets a 404 page. Salesforce
asks a browser with no session to log in first; the sandbox listens on loopback for a developer
and the tests, and shows the page to whoever asks. The template escapes every value.
"""

from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

from sandbox.ids import normalize
from sandbox.keys import ORG
from sandbox.org import Org
from sandbox.schema import LEAD, OPPORTUNITY, ObjectSchema, lookup_object

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("sandbox", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)
_NO_CACHE = {"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"}
_WRONG_ADDRESS = "This page isn't available. The address may be wrong."

# The fields each record page shows under the record's name, its owner last.
LAYOUTS: dict[str, tuple[ObjectSchema, tuple[str, ...]]] = {
    "Lead": (LEAD, ("Company", "Title", "Email", "Phone", "Status", "LeadSource")),
    "Opportunity": (
        OPPORTUNITY,
        ("StageName", "Amount", "CloseDate", "Probability", "NextStep"),
    ),
}
_OBJECTS = {name: obj for name, (obj, _) in LAYOUTS.items()}
_BY_PREFIX = {obj.key_prefix: obj for obj in _OBJECTS.values()}


def view_path(sobject: str, record_id: str) -> str:
    """The Lightning address of a record, relative to the org's URL."""
    return f"/lightning/r/{sobject}/{record_id}/view"


def _shown(value: Any, field_type: str) -> str:
    """A field's value as the record page prints it."""
    if value is None:
        return ""
    if field_type == "currency":
        return f"${value:,.2f}"
    if field_type == "percent":
        return f"{value:g}%"
    return str(value)


def _fields(org: Org, obj: ObjectSchema, row: dict[str, Any]) -> list[tuple[str, str]]:
    _, names = LAYOUTS[obj.name]
    shown = [(obj.fields[n].label, _shown(row.get(n), obj.fields[n].type)) for n in names]
    owner = org.store.users.get(row.get("OwnerId") or "")
    return [*shown, (f"{obj.label} Owner", owner.name if owner else "")]


def _page(org: Org, status: int = 200, **values: Any) -> web.Response:
    html = _TEMPLATES.get_template("record.html").render(org_name=org.config.org_name, **values)
    return web.Response(status=status, text=html, content_type="text/html", headers=_NO_CACHE)


async def record_page(request: web.Request) -> web.Response:
    """`GET /lightning/r/{sobject}/{record_id}/view`."""
    org = request.app[ORG]
    obj = lookup_object(_OBJECTS, request.match_info["sobject"])
    record_id = normalize(request.match_info["record_id"])
    if obj is None or record_id is None or record_id[:3] != obj.key_prefix:
        return _page(org, 404, missing=_WRONG_ADDRESS)
    row = org.store.record(obj.name, record_id)
    if row is None:
        return _page(org, 404, missing="The record you're looking for doesn't exist.")
    if row.get("IsDeleted"):
        return _page(org, 404, missing="This record was deleted.")
    return _page(
        org,
        object_label=obj.label,
        name=row.get("Name") or record_id,
        record_id=record_id,
        fields=_fields(org, obj, row),
    )


async def short_link(request: web.Request) -> web.Response:
    """`GET /{record_id}`: Salesforce's short record address, sent on to the Lightning page."""
    record_id = normalize(request.match_info["record_id"])
    obj = _BY_PREFIX.get(record_id[:3]) if record_id else None
    if record_id is None or obj is None:
        return _page(request.app[ORG], 404, missing=_WRONG_ADDRESS)
    return web.Response(status=302, headers={"Location": view_path(obj.name, record_id)})


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/lightning/r/{sobject}/{record_id}/view", record_page)
    router.add_get("/{record_id:[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?}", short_link)
