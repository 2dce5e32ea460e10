"""The edition check that follows every Salesforce authorization.

Right after the code exchange the runtime reads the org's `Organization` record. A trial org,
or an edition without API access, is refused with a clear sentence, and its token is revoked
and not kept, as the platform Parley replaces does. Developer Edition orgs are accepted even
when they carry a TrialExpirationDate (newer ones do).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx2

from runtime.auth.profiles import Profile
from runtime.outbound import HTTP_TIMEOUT

log = logging.getLogger("parley.salesforce")

EDITION_QUERY = "SELECT Id, Name, OrganizationType, TrialExpirationDate FROM Organization"
WITHOUT_API = frozenset(
    {"Team Edition", "Personal Edition", "Contact Manager Edition", "Base Edition"}
)


def _refusal(org: dict[str, Any]) -> str | None:
    edition = str(org.get("OrganizationType") or "")
    if edition in WITHOUT_API:
        return f"Your Salesforce org is a {edition}, which has no API access, so I can't use it."
    if org.get("TrialExpirationDate") and edition != "Developer Edition":
        return (
            "Your Salesforce org is a trial, which this bot can't connect to. "
            "Please connect a licensed org."
        )
    return None


async def check_edition(
    profile: Profile,
    facts: dict[str, Any],
    access_token: str,
    http: httpx2.AsyncClient,
    *,
    api_version: str = "60.0",
) -> str | None:
    """A sentence refusing the org, or None when it may be used."""
    instance = str(facts.get("instance_url", "")).rstrip("/")
    if not instance:
        return "Salesforce did not say where the org lives (no instance_url), so I can't use it."
    try:
        response = await http.get(
            f"{instance}/services/data/v{api_version}/query",
            params={"q": EDITION_QUERY},
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=HTTP_TIMEOUT,
        )
    except httpx2.TransportError as exc:
        log.warning("edition check: %s could not be reached (%s)", instance, type(exc).__name__)
        return "I couldn't reach your Salesforce org to check its edition. Please try again."
    body: Any = response.json() if response.content else None
    refusal: str | None
    if response.status_code == 403 and _code(body) == "API_DISABLED_FOR_ORG":
        refusal = "API access is not enabled for your Salesforce org, so I can't use it."
    elif not response.is_success:
        log.warning("edition check: the Organization query answered %s", response.status_code)
        refusal = "I couldn't check your Salesforce org's edition. Please try again."
    else:
        records = body.get("records") if isinstance(body, dict) else None
        refusal = _refusal(records[0]) if records else None
    if refusal:
        await _revoke(profile, access_token, http)
    return refusal


def _code(body: Any) -> str:
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode", ""))
    return ""


async def _revoke(profile: Profile, access_token: str, http: httpx2.AsyncClient) -> None:
    """Best effort: the token of a refused org is of no use to anyone."""
    url = profile.token_url.rsplit("/", 1)[0] + "/revoke"
    try:
        await http.post(url, data={"token": access_token}, timeout=HTTP_TIMEOUT)
    except httpx2.TransportError:
        log.info("could not revoke the token of a refused org at %s", url)
