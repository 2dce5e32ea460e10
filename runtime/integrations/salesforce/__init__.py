"""The Salesforce CRM integration: its config section, auth profile, edition check, template
filters, dialog templates and sandbox test org, plugged in as `integration.Salesforce`."""
