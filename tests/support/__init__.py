"""Helpers that several test packages share and that are not fixtures."""
