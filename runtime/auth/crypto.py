"""Encryption at rest for tokens and OAuth states, keyed by `secrets.key`.

The configured key may be any string; a Fernet key is derived from it with HKDF-SHA256. When
no key is configured one is generated into ``var/secret.key`` (mode 0600) and reused.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from runtime.errors import AuthError

KEY_FILE = "secret.key"


def load_or_create_key(configured: str, var_dir: Path) -> str:
    if configured:
        return configured
    path = var_dir / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


class SecretBox:
    def __init__(self, key: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"parley-secret-box", info=b"v1"
        ).derive(key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plain: bytes) -> bytes:
        return self._fernet.encrypt(plain)

    def open(self, sealed: bytes) -> bytes:
        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken as exc:
            raise AuthError(
                "A stored secret could not be decrypted: secrets.key changed since it was written."
            ) from exc
