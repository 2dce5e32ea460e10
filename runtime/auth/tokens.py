"""Tokens per (profile, subject), sealed at rest; only their non-secret facts leave this module."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from runtime.auth.crypto import SecretBox
from runtime.store.base import Store

TOKENS = "token"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    token_type: str = "Bearer"
    facts: dict[str, Any] = field(default_factory=dict)  # never a secret: instance_url, ids...


class TokenStore:
    def __init__(self, store: Store, box: SecretBox) -> None:
        self.store = store
        self.box = box

    @staticmethod
    def _key(profile: str, subject: str) -> str:
        return f"{profile}:{subject}"

    async def get(self, profile: str, subject: str) -> TokenRecord | None:
        sealed = await self.store.get(TOKENS, self._key(profile, subject))
        if sealed is None:
            return None
        return TokenRecord(**json.loads(self.box.open(sealed)))

    async def put(self, profile: str, subject: str, record: TokenRecord) -> None:
        plain = json.dumps(
            {
                "access_token": record.access_token,
                "refresh_token": record.refresh_token,
                "token_type": record.token_type,
                "facts": record.facts,
            }
        ).encode()
        await self.store.put(TOKENS, self._key(profile, subject), self.box.seal(plain))

    async def delete(self, profile: str, subject: str) -> None:
        await self.store.delete(TOKENS, self._key(profile, subject))
