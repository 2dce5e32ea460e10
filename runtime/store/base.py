"""The store protocol that every backend (SQLite embedded, Redis) implements.

Values are opaque bytes: the engine encodes a conversation's plain-data state itself, so a
backend never sees Python objects. Namespaces keep unrelated records apart (``conv``,
``oauth_state``, ``token``, ``outbox`` ...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable


@runtime_checkable
class Store(Protocol):
    async def open(self) -> None:
        """Connect and create what is missing; called once before any other method."""

    async def close(self) -> None: ...

    async def get(self, ns: str, key: str) -> bytes | None:
        """The value, or None when absent or expired."""

    async def put(self, ns: str, key: str, value: bytes, ttl: float | None = None) -> None:
        """Insert or replace; with `ttl` (seconds) the value disappears after that time."""

    async def put_many(
        self,
        entries: Sequence[tuple[str, str, bytes]],
        ttl: float | None = None,
        *,
        release: bool = False,
    ) -> None:
        """`put` of each (ns, key, value), all with `ttl`, written together: one commit, one
        round trip. Under a lock that was lost, LockLost (as for `put`).

        `release`: these are the last writes of the block of the innermost lock the task
        holds, and the lock may be released with them (Redis does, in the same round trip);
        the block must not write under it afterwards (Redis: LockLost)."""

    async def take(self, ns: str, key: str) -> bytes | None:
        """Get and delete atomically: of two concurrent takers only one gets the value."""

    async def delete(self, ns: str, key: str) -> None: ...

    async def push(self, ns: str, key: str, value: bytes) -> None:
        """Append to the FIFO queue `key`."""

    async def drain(self, ns: str, key: str) -> list[bytes]:
        """Remove and return every queued value in order (each value is returned exactly once)."""

    def lock(
        self, key: str, *, read: Sequence[tuple[str, str]] = ()
    ) -> AbstractAsyncContextManager[list[bytes | None]]:
        """Mutual exclusion for `key` across every process sharing this store.

        `async with store.lock(k, read=[(ns, key), ...]) as values:` gives the block the value
        of each record named (None when absent), read once the lock is held, as `get` would
        give them: Redis reads them in the round trip that takes the lock."""

    def scan(self, ns: str) -> AsyncIterator[tuple[str, bytes]]:
        """Every live (key, value) of a namespace, for listing and metrics."""

    async def publish(self, topic: str, message: bytes) -> None:
        """Tell every subscriber of `topic`, in every process sharing this store."""

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """`async with store.subscribe(t) as messages:` listens from the moment it is entered;
        `messages` yields what is published to `t` until the block is left."""
