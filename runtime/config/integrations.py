"""``integrations``: one section per installed integration, each read by the integration itself.

An integration's section is read even when config.yaml does not have it (its defaults apply:
Salesforce is on unless turned off); a key naming no installed integration is reported as
unknown, with the closest installed name.
"""

from __future__ import annotations

from runtime.config.model import AuthProfile, IntegrationsConfig, ServerConfig
from runtime.config.section import Section
from runtime.plugins import ConfigContext, integrations


def read_integrations(
    top: Section, profiles: dict[str, AuthProfile], server: ServerConfig
) -> IntegrationsConfig:
    context = ConfigContext(auth_profiles=profiles, server=server)
    settings = {}
    with top.section("integrations") as section:
        for integration in integrations():
            with section.section(integration.name) as own:
                settings[integration.name] = integration.read_config(own, context)
    return IntegrationsConfig(settings)
