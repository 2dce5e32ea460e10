"""Test orgs: the local stand-ins that integrations offer for replaying transcripts.

`parley test --sandbox` (and the pytest plugin's ``parley_sandbox``) starts every installed
integration's test org; `parley test` alone starts those a transcript needs: it signs in to a
profile of the integration (an ``auth_link`` or ``authorize`` step) and the bot has no complete
profile of that name. An integration stands in for the profiles it contributes and for the one
named as it is (Salesforce's `salesforce`, even when the bot turned Salesforce off).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

from runtime.auth.bot_profiles import profiles_from_config
from runtime.config import Config
from runtime.plugins import Integration, integrations
from runtime.transcripts.identity import Login
from runtime.transcripts.model import Authorize, BotSays, Transcript


@dataclass(slots=True)
class Started:
    """The config and environment with every started test org standing in; `login`, the first
    org's test user that has one."""

    config: Config
    env: dict[str, str]
    login: Login | None = None
    names: list[str] = field(default_factory=list)


async def start_test_orgs(
    stack: AsyncExitStack,
    config: Config,
    env: Mapping[str, str],
    folder: Path,
    wanted: bool | Collection[str],
) -> Started:
    """Start the test orgs of the integrations `wanted` (True: all that have one) on `stack`;
    each keeps its data in a folder of its own under `folder`."""
    started = Started(config, dict(env))
    names = None if wanted is True else set(wanted or ())
    for integration in integrations():
        settings = config.integrations.get(integration.name)
        if settings is None or (names is not None and integration.name not in names):
            continue
        own = folder / integration.name
        context = integration.test_org(settings, own)
        if context is None:
            continue
        own.mkdir(parents=True, exist_ok=True)
        org = await stack.enter_async_context(context)
        started.config = _with(started.config, integration.name, org.settings)
        started.env |= org.env
        if org.username and started.login is None:
            started.login = Login(org.username, org.password)
        started.names.append(integration.name)
    return started


def _with(config: Config, name: str, settings: object) -> Config:
    return dataclasses.replace(config, integrations=config.integrations.replace(name, settings))


def orgs_needed(
    config: Config, items: Sequence[object], env: Mapping[str, str]
) -> list[Integration]:
    """The integrations whose test org the transcripts among `items` need (see above)."""
    signed = {name for t in items if isinstance(t, Transcript) for name in signs_in_to(t)}
    if not signed:
        return []
    profiles = profiles_from_config(config, env)
    needed = []
    for integration in integrations():
        settings = config.integrations.get(integration.name)
        own = {integration.name} | (settings.profile_names() if settings is not None else set())
        if any(p not in profiles or profiles[p].missing() for p in signed & own):
            needed.append(integration)
    return needed


def signs_in_to(transcript: Transcript) -> set[str]:
    """The profiles a transcript signs in to: its ``auth_link`` and ``authorize`` steps'."""
    names = set()
    for step in transcript.steps:
        if isinstance(step, BotSays) and step.auth_link:
            names.add(step.auth_link)
        elif isinstance(step, Authorize):
            names.add(step.profile)
    return names
