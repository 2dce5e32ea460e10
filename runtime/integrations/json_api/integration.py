"""The JSON API integration as a plug-in: registered as ``json_api`` under the entry point
group ``parley.integrations`` (pyproject.toml). One auth profile, ``json_api``, whose tokens
show templates the API's ``base_url`` and the granted ``scope``, so a dialog writes
``{{ auth.json_api.base_url }}/items``. It has no test org: its transcripts run against a
server the tests start (tests/integrations/json_api)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.auth.profiles import Profile
from runtime.config import Config
from runtime.config.section import Section
from runtime.integrations.json_api.config import NAME, JsonApiConfig, read_json_api
from runtime.integrations.json_api.filters import FILTERS
from runtime.plugins import ConfigContext, Integration


class JsonApi(Integration):
    name = NAME
    filters = FILTERS
    templates = Path(__file__).parent / "templates"

    def read_config(self, section: Section, context: ConfigContext) -> JsonApiConfig:
        return read_json_api(section, context)

    def profiles(
        self,
        settings: JsonApiConfig,
        config: Config,
        configured: Mapping[str, Profile],
        env: Mapping[str, str],
    ) -> Mapping[str, Profile]:
        if not settings.enabled:
            return {}

        def facts(token: dict[str, Any]) -> dict[str, Any]:
            # Kept with the token and renewed on every refresh, so a changed base_url is seen
            # from the next refresh or authorization on.
            return {"base_url": settings.base_url, "scope": token.get("scope", settings.scope)}

        profile = Profile(
            name=NAME,
            provider=settings.provider,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            authorization_url=settings.authorization_url,
            token_url=settings.token_url,
            refresh_url=settings.refresh_url,
            scope=settings.scope,
            callback_url=settings.callback_url,
            mode=settings.mode,
            facts=facts,
        )
        return {NAME: profile}
