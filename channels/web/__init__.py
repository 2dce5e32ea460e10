"""The web chat's page, style and script, and the OAuth callback page: package data served by
`channels.pages`, no Python."""

__all__: list[str] = []
