"""Integrations as plug-ins: the interface (`integration`) and the installed ones (`registry`).

The runtime reaches every integration through here, never by importing one."""

from runtime.plugins.integration import (
    ConfigContext,
    FactsReader,
    Integration,
    IntegrationSettings,
    Listing,
    TestOrg,
)
from runtime.plugins.registry import GROUP, integration, integrations, template_filters

__all__ = [
    "GROUP",
    "ConfigContext",
    "FactsReader",
    "Integration",
    "IntegrationSettings",
    "Listing",
    "TestOrg",
    "integration",
    "integrations",
    "template_filters",
]
