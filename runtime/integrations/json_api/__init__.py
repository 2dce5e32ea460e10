"""The JSON API integration: any REST API that answers JSON behind an OAuth 2.0 app, configured
under ``integrations.json_api``, called by dialogs as ``auth: json_api`` with URLs built on
``auth.json_api.base_url``. It uses nothing but the plug-in interface (`runtime.plugins`)."""

from typing import TYPE_CHECKING

from runtime.exports import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "runtime.integrations.json_api.integration": ["JsonApi"],
    },
)

if TYPE_CHECKING:
    # for type checkers, which do not run __getattr__
    from runtime.integrations.json_api.integration import JsonApi as JsonApi
