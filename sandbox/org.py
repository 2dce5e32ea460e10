"""The org as a whole: its identity, edition and API usage, its demo user and connected app, and
the rows the query engines read."""

from __future__ import annotations

import calendar
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.config import TRIAL_DAYS, Edition, SandboxConfig
from sandbox.ids import to18
from sandbox.schema import SCHEMA, lookup_object
from sandbox.store import (
    DEMO_APP_NAME,
    ConnectedApp,
    Store,
    User,
    check_password,
    new_client_id,
    new_client_secret,
    now_iso,
)


@dataclass
class Limits:
    """The daily API request allowance and how much of it is used."""

    used: int
    max: int

    @property
    def header(self) -> str:
        return f"api-usage={self.used}/{self.max}"


class Org:
    """One sandbox org. `bootstrap` must run once before use."""

    def __init__(self, config: SandboxConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.base_url = config.base_url.rstrip("/")
        self.edition = config.edition
        self.limits = Limits(0, config.api_limit)
        self.token_ttl = config.token_ttl
        self.auto_approve = config.auto_approve
        self.org_id = ""
        self.created = ""
        self.demo_user: User
        self.demo_app: ConnectedApp

    async def bootstrap(self) -> None:
        """Create the org's identity, demo user and demo app on a new database, or load them."""
        settings = self.store.settings
        if "org_id" not in settings:
            await self.store.set_setting("org_id", to18("00D" + "gS" + secrets.token_hex(5)[:10]))
            await self.store.set_setting("created", now_iso())
        self.org_id = settings["org_id"]
        self.created = settings["created"]
        self.limits.used = int(settings.get("api_usage", "0"))
        user = self.store.user_by_name(self.config.username)
        if user is None:
            user = await self.store.add_user(
                self.config.username, self.config.password, "Demo", "User", self.config.username
            )
        elif not check_password(self.config.password, user.password_hash):
            user = await self.store.set_password(user, self.config.password)
        self.demo_user = user
        app_id = settings.get("demo_app")
        app = self.store.apps.get(app_id) if app_id else None
        wanted_id = self.config.client_id or (app.client_id if app else new_client_id())
        wanted_secret = self.config.client_secret or (
            app.client_secret if app else new_client_secret()
        )
        if app is None or (app.client_id, app.client_secret) != (wanted_id, wanted_secret):
            app = await self.store.save_app(
                ConnectedApp(
                    client_id=wanted_id,
                    client_secret=wanted_secret,
                    name=DEMO_APP_NAME,
                    loopback_callbacks=True,
                )
            )
            await self.store.set_setting("demo_app", app.client_id)
        self.demo_app = app

    async def save_usage(self) -> None:
        """API usage is counted in memory; this keeps it across restarts."""
        await self.store.set_setting("api_usage", str(self.limits.used))

    async def reset(self) -> None:
        """Back to a new org: no records or tokens, the configured edition and limits.
        The org id, the demo user's login and the demo app's credentials stay the same."""
        kept = {k: self.store.settings[k] for k in ("org_id", "created")}
        app = self.demo_app
        await self.store.wipe()
        for key, value in kept.items():
            await self.store.set_setting(key, value)
        await self.store.save_app(app)
        await self.store.set_setting("demo_app", app.client_id)
        self.edition = self.config.edition
        self.limits = Limits(0, self.config.api_limit)
        self.token_ttl = self.config.token_ttl
        self.auto_approve = self.config.auto_approve
        await self.bootstrap()

    # identity ---------------------------------------------------------------------------

    @property
    def org_id15(self) -> str:
        return self.org_id[:15]

    def identity_url(self, user: User) -> str:
        return f"{self.base_url}/id/{self.org_id}/{user.id}"

    def set_edition(self, edition: Edition) -> None:
        self.edition = edition

    def organization_row(self) -> dict[str, Any]:
        """The one Organization record, reflecting the current edition."""
        trial = None
        if self.edition.is_trial:
            trial = now_iso(_parse_epoch(self.created) + TRIAL_DAYS * 86400)
        return {
            "Id": self.org_id,
            "Name": self.config.org_name,
            "Division": None,
            "Street": None,
            "City": None,
            "State": None,
            "PostalCode": None,
            "Country": "US",
            "Phone": None,
            "PrimaryContact": self.demo_user.name,
            "DefaultLocaleSidKey": "en_US",
            "TimeZoneSidKey": "America/Los_Angeles",
            "LanguageLocaleKey": "en_US",
            "OrganizationType": self.edition.organization_type,
            "InstanceName": "LOCAL",
            "IsSandbox": False,
            "TrialExpirationDate": trial,
            "NamespacePrefix": None,
            "CreatedDate": self.created,
            "CreatedById": self.demo_user.id,
            "LastModifiedDate": self.created,
            "LastModifiedById": self.demo_user.id,
            "SystemModstamp": self.created,
        }

    def rows_of(self, sobject: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """Every row of `sobject` (any case) for the SOQL and SOSL engines."""
        obj = lookup_object(SCHEMA, sobject)
        if obj is None:
            return iter(())
        if obj.name == "Organization":
            return iter([self.organization_row()])
        if obj.name == "User":
            return (user.record() for user in self.store.users.values())
        return self.store.rows(obj.name, include_deleted=include_deleted)

    def authenticate(self, username: str, password: str) -> User | None:
        user = self.store.user_by_name(username)
        if user and check_password(password, user.password_hash):
            return user
        return None


def _parse_epoch(stamp: str) -> float:
    return calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
