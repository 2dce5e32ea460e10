"""The Salesforce CRM integration: its config section, auth profile, edition check, template
filters, dialog templates and sandbox test org, plugged in as `integration.Salesforce`."""

from typing import TYPE_CHECKING

from runtime.exports import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "runtime.integrations.salesforce.integration": ["Salesforce"],
    },
)

if TYPE_CHECKING:
    # for type checkers, which do not run __getattr__
    from runtime.integrations.salesforce.integration import Salesforce as Salesforce
