"""Parley: a runtime for conversational bots that act on business systems."""

__version__ = "0.1.0"
