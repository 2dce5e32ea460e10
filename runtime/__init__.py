"""Parley: a runtime for conversational bots that act on business systems."""

__version__ = "0.1.0"

__all__ = ["__version__"]  # the parts live in the subpackages, each with its own __all__
