"""Salesforce as a plug-in: registered as ``salesforce`` under the entry point group
``parley.integrations`` (pyproject.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx2

from runtime.auth.profiles import Profile
from runtime.config import Config
from runtime.config.section import Section
from runtime.integrations.salesforce.config import (
    NAME,
    SalesforceApp,
    SalesforceConfig,
    read_salesforce,
)
from runtime.integrations.salesforce.edition import check_edition
from runtime.integrations.salesforce.filters import FILTERS
from runtime.integrations.salesforce.profile import salesforce_facts, salesforce_profile
from runtime.integrations.salesforce.sandbox_org import sandbox_org
from runtime.plugins import ConfigContext, FactsReader, Integration, Listing, TestOrg


class Salesforce(Integration):
    name = NAME
    filters = FILTERS
    templates = Path(__file__).parent / "templates"
    test_org_note = "no Salesforce org configured: using a local sandbox org"

    def token_facts(self) -> FactsReader:
        return salesforce_facts

    def read_config(self, section: Section, context: ConfigContext) -> SalesforceConfig:
        return read_salesforce(section, context)

    def profiles(
        self,
        settings: SalesforceConfig,
        config: Config,
        configured: Mapping[str, Profile],
        env: Mapping[str, str],
    ) -> Mapping[str, Profile]:
        profile = salesforce_profile(settings, config, configured, env)
        return {} if profile is None else {NAME: profile}

    async def check_authorization(
        self,
        settings: SalesforceConfig,
        profile: Profile,
        facts: dict[str, Any],
        access_token: str,
        http: httpx2.AsyncClient,
    ) -> str | None:
        """Trial orgs and editions without API access are refused (`edition`)."""
        return await check_edition(
            profile, facts, access_token, http, api_version=settings.api_version
        )

    def listing(self, settings: SalesforceConfig) -> Listing:
        # The built-in app's client comes from the environment, not from config.yaml.
        system = settings.app == SalesforceApp.SYSTEM
        unset = "no: set PARLEY_SALESFORCE_CLIENT_ID and _SECRET" if system else ""
        return Listing(app=str(settings.app), mode=str(settings.mode), unset=unset)

    def test_org(
        self, settings: SalesforceConfig, folder: Path
    ) -> AbstractAsyncContextManager[TestOrg]:
        return sandbox_org(settings, folder)
