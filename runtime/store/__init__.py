"""Where conversations and their companions (OAuth states, tokens, outboxes) are kept."""

from runtime.store.base import Store

__all__ = ["Store"]
