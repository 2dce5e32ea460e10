"""Helpers for the web chat's browser tests (`tests/channels/test_web_chat_*.py`), and, in
`package.json`, the npm packages they inject into the page (axe-core)."""
