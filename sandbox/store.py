"""The org's state: records, users, connected apps, authorization codes and tokens.

Everything lives in memory for fast, synchronous reads (the SOQL engine reads rows through a
plain callable) and every change is written through to SQLite before the request answers, so a
sandbox restarted on the same file finds its records, apps and tokens again. Tokens and codes
are kept as SHA-256 digests, never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiosqlite

from sandbox.ids import make_id
from sandbox.schema import SCHEMA

_TABLES = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sequences (prefix TEXT PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, sobject TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (client_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS grants (digest TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL);
"""

DEMO_APP_NAME = "Parley Demo"
DEMO_APP_SCOPES = ("full", "refresh_token", "offline_access", "openid")


def digest(secret: str) -> str:
    """The SHA-256 hex digest a token or code is stored under."""
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 4096)
    return f"{salt}${derived.hex()}"


def check_password(password: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(hash_password(password, salt), stored)


@dataclass(frozen=True)
class ConnectedApp:
    """A connected app: its consumer key and secret, callback URLs and the scopes it may grant."""

    client_id: str
    client_secret: str
    name: str
    callback_urls: tuple[str, ...] = ()
    loopback_callbacks: bool = False
    scopes: tuple[str, ...] = DEMO_APP_SCOPES
    rotate_refresh_tokens: bool = False

    def accepts_callback(self, url: str) -> bool:
        """Registered URLs match exactly; a loopback app also takes any local http callback."""
        if url in self.callback_urls:
            return True
        if not self.loopback_callbacks:
            return False
        try:
            parts = urlsplit(url)
            _ = parts.port
        except ValueError:
            return False
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class User:
    """A user who can log in on the authorize page."""

    id: str
    username: str
    password_hash: str
    first_name: str
    last_name: str
    email: str
    created: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def record(self) -> dict[str, Any]:
        """The User row as SOQL sees it."""
        return {
            "Id": self.id,
            "Username": self.username,
            "LastName": self.last_name,
            "FirstName": self.first_name,
            "Name": self.name,
            "CompanyName": None,
            "Title": None,
            "Email": self.email,
            "Alias": (self.first_name[:1] + self.last_name[:4]).lower() or "user",
            "IsActive": True,
            "TimeZoneSidKey": "America/Los_Angeles",
            "LocaleSidKey": "en_US",
            "LanguageLocaleKey": "en_US",
            "UserType": "Standard",
            "CreatedDate": self.created,
            "CreatedById": self.id,
            "LastModifiedDate": self.created,
            "LastModifiedById": self.id,
            "SystemModstamp": self.created,
        }


@dataclass(frozen=True)
class AuthCode:
    client_id: str
    user_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    expires_at: float
    nonce: str | None = None


@dataclass(frozen=True)
class RefreshGrant:
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass(frozen=True)
class Session:
    """What an access token stands for."""

    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    expires_at: float
    refresh_digest: str | None = None
    revoked: bool = False

    def valid(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at

    @property
    def api_allowed(self) -> bool:
        return "api" in self.scopes or "full" in self.scopes


def now_iso(moment: float | None = None) -> str:
    """A Salesforce datetime: milliseconds and a +0000 offset."""
    moment = time.time() if moment is None else moment
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment))
    return f"{whole}.{int(moment * 1000) % 1000:03d}+0000"


class Store:
    """The org's state in memory, written through to SQLite."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._sequences: dict[str, int] = {}
        self._by_type: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in SCHEMA}
        self.users: dict[str, User] = {}
        self.apps: dict[str, ConnectedApp] = {}
        self.codes: dict[str, AuthCode] = {}
        self.refresh_grants: dict[str, RefreshGrant] = {}
        self.sessions: dict[str, Session] = {}
        self.settings: dict[str, str] = {}

    @classmethod
    async def open(cls, path: Path | None) -> Store:
        """Open (creating if needed) the SQLite file at `path`, or an in-memory database.
        Raises sqlite3.Error when the file cannot be a database."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Checked first without a worker thread: aiosqlite's thread outlives a failed
            # connect and then reports into a closed event loop.
            sqlite3.connect(path).close()
        db = await aiosqlite.connect(str(path) if path else ":memory:")
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.executescript(_TABLES)
        await db.commit()
        store = cls(db)
        await store._load()
        return store

    async def close(self) -> None:
        await self._db.close()

    async def _load(self) -> None:
        async with self._db.execute("SELECT key, value FROM settings") as cur:
            self.settings = {k: v async for k, v in cur}
        async with self._db.execute("SELECT prefix, next FROM sequences") as cur:
            self._sequences = {k: v async for k, v in cur}
        async with self._db.execute("SELECT sobject, data FROM records ORDER BY rowid") as cur:
            async for sobject, data in cur:
                row = json.loads(data)
                self._by_type.setdefault(sobject, {})[row["Id"]] = row
        async with self._db.execute("SELECT data FROM users") as cur:
            async for (data,) in cur:
                user = User(**json.loads(data))
                self.users[user.id] = user
        async with self._db.execute("SELECT data FROM apps") as cur:
            async for (data,) in cur:
                raw = json.loads(data)
                raw["callback_urls"] = tuple(raw["callback_urls"])
                raw["scopes"] = tuple(raw["scopes"])
                app = ConnectedApp(**raw)
                self.apps[app.client_id] = app
        async with self._db.execute("SELECT digest, kind, data FROM grants") as cur:
            async for key, kind, data in cur:
                raw = json.loads(data)
                raw["scopes"] = tuple(raw["scopes"])
                if kind == "refresh":
                    self.refresh_grants[key] = RefreshGrant(**raw)
                else:
                    self.sessions[key] = Session(**raw)

    # settings -----------------------------------------------------------------------------

    async def set_setting(self, key: str, value: str) -> None:
        self.settings[key] = value
        await self._db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        await self._db.commit()

    async def next_id(self, prefix: str) -> str:
        """A new 18-character id with this key prefix."""
        sequence = self._sequences.get(prefix, 1)
        self._sequences[prefix] = sequence + 1
        await self._db.execute(
            "INSERT INTO sequences (prefix, next) VALUES (?, ?) "
            "ON CONFLICT(prefix) DO UPDATE SET next = excluded.next",
            (prefix, sequence + 1),
        )
        return make_id(prefix, sequence)

    # records ------------------------------------------------------------------------------

    def rows(self, sobject: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """The stored rows of one object type, oldest first."""
        for row in self._by_type.get(sobject, {}).values():
            if include_deleted or not row.get("IsDeleted"):
                yield row

    def record(self, sobject: str, record_id: str) -> dict[str, Any] | None:
        return self._by_type.get(sobject, {}).get(record_id)

    def count(self, sobject: str) -> int:
        return len(self._by_type.get(sobject, {}))

    async def save_record(self, sobject: str, row: dict[str, Any]) -> None:
        """Insert or replace a record (by its Id)."""
        self._by_type.setdefault(sobject, {})[row["Id"]] = row
        await self._db.execute(
            "INSERT INTO records (id, sobject, data) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            (row["Id"], sobject, json.dumps(row)),
        )
        await self._db.commit()

    async def save_records(self, sobject: str, rows: list[dict[str, Any]]) -> None:
        """Insert many records in one transaction (seeding, controls)."""
        table = self._by_type.setdefault(sobject, {})
        for row in rows:
            table[row["Id"]] = row
        await self._db.executemany(
            "INSERT INTO records (id, sobject, data) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            [(row["Id"], sobject, json.dumps(row)) for row in rows],
        )
        await self._db.commit()

    # users and apps -----------------------------------------------------------------------

    def user_by_name(self, username: str) -> User | None:
        lowered = username.strip().lower()
        return next((u for u in self.users.values() if u.username.lower() == lowered), None)

    async def add_user(
        self, username: str, password: str, first_name: str, last_name: str, email: str
    ) -> User:
        user = User(
            id=await self.next_id("005"),
            username=username,
            password_hash=hash_password(password),
            first_name=first_name,
            last_name=last_name,
            email=email,
            created=now_iso(),
        )
        self.users[user.id] = user
        await self._db.execute(
            "INSERT INTO users (id, data) VALUES (?, ?)", (user.id, json.dumps(asdict(user)))
        )
        await self._db.commit()
        return user

    async def set_password(self, user: User, password: str) -> User:
        updated = replace(user, password_hash=hash_password(password))
        self.users[user.id] = updated
        await self._db.execute(
            "UPDATE users SET data = ? WHERE id = ?", (json.dumps(asdict(updated)), user.id)
        )
        await self._db.commit()
        return updated

    async def save_app(self, app: ConnectedApp) -> ConnectedApp:
        self.apps[app.client_id] = app
        await self._db.execute(
            "INSERT INTO apps (client_id, data) VALUES (?, ?) "
            "ON CONFLICT(client_id) DO UPDATE SET data = excluded.data",
            (app.client_id, json.dumps(asdict(app))),
        )
        await self._db.commit()
        return app

    # codes and tokens ---------------------------------------------------------------------

    def add_code(self, code: str, grant: AuthCode) -> None:
        """Codes live 15 minutes: memory is enough, a restart simply expires them."""
        self.codes[digest(code)] = grant

    def take_code(self, code: str) -> AuthCode | None:
        """The code's grant, consumed: a second call gets None."""
        return self.codes.pop(digest(code), None)

    def session(self, token: str) -> Session | None:
        return self.sessions.get(digest(token))

    def refresh_grant(self, token: str) -> RefreshGrant | None:
        return self.refresh_grants.get(digest(token))

    async def add_session(self, token: str, session: Session) -> None:
        key = digest(token)
        self.sessions[key] = session
        await self._write_grant(key, "access", asdict(session))

    async def add_refresh_grant(self, token: str, grant: RefreshGrant) -> None:
        key = digest(token)
        self.refresh_grants[key] = grant
        await self._write_grant(key, "refresh", asdict(grant))

    async def _write_grant(self, key: str, kind: str, data: dict[str, Any]) -> None:
        await self._db.execute(
            "INSERT INTO grants (digest, kind, data) VALUES (?, ?, ?) "
            "ON CONFLICT(digest) DO UPDATE SET data = excluded.data",
            (key, kind, json.dumps(data)),
        )
        await self._db.commit()

    async def update_sessions(self, keys: list[str], **changes: Any) -> int:
        """Apply `changes` (revoked=True, expires_at=...) to the sessions stored under `keys`."""
        for key in keys:
            self.sessions[key] = replace(self.sessions[key], **changes)
        await self._db.executemany(
            "UPDATE grants SET data = ? WHERE digest = ?",
            [(json.dumps(asdict(self.sessions[key])), key) for key in keys],
        )
        await self._db.commit()
        return len(keys)

    async def revoke_refresh(self, keys: list[str]) -> int:
        """Revoke refresh grants and every access token issued from them."""
        for key in keys:
            self.refresh_grants[key] = replace(self.refresh_grants[key], revoked=True)
        await self._db.executemany(
            "UPDATE grants SET data = ? WHERE digest = ?",
            [(json.dumps(asdict(self.refresh_grants[key])), key) for key in keys],
        )
        children = [k for k, s in self.sessions.items() if s.refresh_digest in set(keys)]
        await self.update_sessions(children, revoked=True)
        return len(keys)

    # reset --------------------------------------------------------------------------------

    async def wipe(self) -> None:
        """Forget records, tokens, codes, settings and every user and app."""
        for table in ("settings", "sequences", "records", "users", "apps", "grants"):
            await self._db.execute(f"DELETE FROM {table}")
        await self._db.commit()
        self._sequences.clear()
        self._by_type = {name: {} for name in SCHEMA}
        self.users.clear()
        self.apps.clear()
        self.codes.clear()
        self.refresh_grants.clear()
        self.sessions.clear()
        self.settings.clear()


def new_client_id() -> str:
    """A consumer key in Salesforce's style: 3MVG9 then 80 url-safe characters."""
    return "3MVG9" + secrets.token_urlsafe(60).replace("-", ".")[:80]


def new_client_secret() -> str:
    return secrets.token_hex(32).upper()
