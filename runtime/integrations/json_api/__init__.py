"""The JSON API integration: any REST API that answers JSON behind an OAuth 2.0 app, configured
under ``integrations.json_api``, called by dialogs as ``auth: json_api`` with URLs built on
``auth.json_api.base_url``. It uses nothing but the plug-in interface (`runtime.plugins`)."""
