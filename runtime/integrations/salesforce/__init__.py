"""The Salesforce CRM integration: its auth profile, edition check and dialog templates."""
