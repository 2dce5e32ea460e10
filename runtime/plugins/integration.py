"""The one interface an integration implements, seen by the runtime without importing any.

An integration is a class registered under the entry point group ``parley.integrations``
(`runtime.plugins.registry`). The runtime asks it, by name, for:

- its settings, read from ``integrations.NAME`` in config.yaml through a `Section`, so that a
  mistake is reported as ``config.yaml:LINE: integrations.NAME.KEY: ...`` like any other;
- the auth profiles it contributes (dialogs name them in ``auth:``), each with the facts a token
  shows to templates (``auth.PROFILE.*``);
- a check after every authorization of one of its profiles (Salesforce refuses trial orgs);
- template filters, available to every dialog of every bot;
- a folder of dialog templates for ``parley integrations templates/install NAME``;
- a test org: a local stand-in that ``parley test`` starts when a transcript signs in to one of
  its profiles and the bot has no real one configured.

Only the first two are required; the rest default to "none".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import httpx2

from runtime.auth.profiles import Profile

if TYPE_CHECKING:  # only in signatures: reading config.yaml asks the integrations (a cycle)
    from runtime.config.model import AuthProfile, Config, ServerConfig
    from runtime.config.section import Section

Filter = Callable[..., Any]
FactsReader = Callable[[dict[str, Any]], dict[str, Any]]  # a token response to its facts


class IntegrationSettings(Protocol):
    """What an integration's `read_config` returns: its own frozen dataclass, which at least
    says which auth profiles it will contribute (none when turned off), so that dialogs can be
    checked against config.yaml before any profile is built."""

    def profile_names(self) -> frozenset[str]: ...


@dataclass(frozen=True, slots=True)
class ConfigContext:
    """The parts of config.yaml already read that an integration's settings may refer to."""

    auth_profiles: Mapping[str, AuthProfile]
    server: ServerConfig


@dataclass(frozen=True, slots=True)
class TestOrg:
    """A running local stand-in for an integration's service, for replaying transcripts."""

    settings: Any  # the integration's settings, pointed at the stand-in
    env: Mapping[str, str] = field(default_factory=dict)  # what its profiles read: client ids
    username: str = ""  # the test user at its identity provider, if it asks for a login
    password: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Listing:
    """How `parley integrations list` shows an integration's row(s)."""

    app: str = "custom"  # whose OAuth app: "system" (the integration's own) or "custom"
    mode: str = "-"  # per_user or pre_authorized, shown while the integration is turned off
    unset: str = ""  # what to set while its profile has no client ("": the missing fields)


class Integration(ABC):
    """An integration: override `name`, `read_config` and `profiles`; the rest is optional."""

    name: ClassVar[str]  # the key under `integrations:` and the templates' folder in dialogs/
    filters: ClassVar[Mapping[str, Filter]] = {}
    templates: ClassVar[Path | None] = None  # a folder of dialog files
    # What `parley test` says on stderr when it starts the test org without being asked.
    test_org_note: ClassVar[str] = ""

    @abstractmethod
    def read_config(self, section: Section, context: ConfigContext) -> IntegrationSettings:
        """The settings under ``integrations.NAME`` (the section is empty when absent). Report
        problems with `section.problem` and return defaults: every problem of the file is
        raised at once, after every section was read."""

    @abstractmethod
    def profiles(
        self,
        settings: Any,
        config: Config,
        configured: Mapping[str, Profile],
        env: Mapping[str, str],
    ) -> Mapping[str, Profile]:
        """The auth profiles it contributes, by name; `configured` are config.yaml's own (an
        integration may build on one), `env` the environment (client ids and secrets).
        A profile without `facts` or `verify` gets `token_facts` and `check_authorization`."""

    def token_facts(self) -> FactsReader | None:
        """What reads the non-secret facts of a token response that templates see as
        ``auth.PROFILE``, for its profiles and for config.yaml's auth_profiles whose
        identity_provider is `name`; None: the generic ones (scope, instance_url, id)."""
        return None

    async def check_authorization(
        self,
        settings: Any,
        profile: Profile,
        facts: dict[str, Any],
        access_token: str,
        http: httpx2.AsyncClient,
    ) -> str | None:
        """Right after an authorization: a sentence refusing the account (its token is then
        not kept), or None to accept it."""
        return None

    def listing(self, settings: Any) -> Listing:
        """Its app and mode for `parley integrations list`."""
        return Listing()

    def test_org(self, settings: Any, folder: Path) -> AbstractAsyncContextManager[TestOrg] | None:
        """A context that runs a local stand-in and yields it, its data kept under `folder`;
        None when the integration has none."""
        return None
