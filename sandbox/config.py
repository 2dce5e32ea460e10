"""How a sandbox org is started: where it keeps its data, its edition, limits and test controls."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class Edition(enum.Enum):
    """The editions the sandbox can pretend to be."""

    DEVELOPER = "developer"
    ENTERPRISE = "enterprise"
    TRIAL = "trial"
    PROFESSIONAL = "professional"

    @property
    def organization_type(self) -> str:
        """`Organization.OrganizationType` as Salesforce reports it."""
        return {
            Edition.DEVELOPER: "Developer Edition",
            Edition.ENTERPRISE: "Enterprise Edition",
            Edition.TRIAL: "Enterprise Edition",
            Edition.PROFESSIONAL: "Professional Edition",
        }[self]

    @property
    def api_enabled(self) -> bool:
        """Professional Edition has no API access unless bought as an add-on."""
        return self is not Edition.PROFESSIONAL

    @property
    def is_trial(self) -> bool:
        return self is Edition.TRIAL

    @classmethod
    def parse(cls, value: str) -> Edition:
        """The edition named `value` (case-insensitive), or ValueError listing the choices."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(e.value for e in cls)
            raise ValueError(f"unknown edition {value!r}: expected one of {choices}") from None


TRIAL_DAYS = 30
DEFAULT_API_LIMIT = 15000
DEFAULT_TOKEN_TTL = 7200.0
CODE_TTL = 15 * 60.0
DEMO_USERNAME = "demo@parley.sandbox"
DEMO_PASSWORD = "parley-demo-1"


@dataclass(frozen=True)
class SandboxConfig:
    """Everything `create_app` needs.

    `db` is the SQLite file (None keeps everything in memory). `base_url` is what the org calls
    itself in `instance_url`, identity URLs and login redirects; the server fills it in once the
    port is known. `client_id`/`client_secret` fix the demo connected app's credentials instead of
    the ones generated when the database is created.
    """

    db: Path | None = None
    base_url: str = "http://127.0.0.1:8000"
    controls: bool = False
    edition: Edition = Edition.DEVELOPER
    token_ttl: float = DEFAULT_TOKEN_TTL
    api_limit: int = DEFAULT_API_LIMIT
    code_ttl: float = CODE_TTL
    org_name: str = "Parley Sandbox"
    username: str = DEMO_USERNAME
    password: str = DEMO_PASSWORD
    client_id: str | None = None
    client_secret: str | None = None
    auto_approve: bool = False
