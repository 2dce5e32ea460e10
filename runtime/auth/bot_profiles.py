"""A bot's auth profiles: config.yaml's auth_profiles, then those its integrations contribute.

An integration's profile without token facts or a post-authorization check of its own gets the
integration's (`Integration.token_facts`, `Integration.check_authorization`); a config.yaml
profile whose identity_provider names an integration reads its tokens' facts as that
integration does.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping

from runtime.auth.profiles import Profile
from runtime.config import AuthProfile, Config
from runtime.plugins import Integration, integrations


def profiles_from_config(
    config: Config, env: Mapping[str, str] | None = None
) -> dict[str, Profile]:
    env = os.environ if env is None else env
    installed = {i.name: i for i in integrations()}
    profiles = {name: _configured(p, installed) for name, p in config.auth_profiles.items()}
    for integration in installed.values():
        settings = config.integrations.get(integration.name)
        if settings is None:
            continue
        contributed = integration.profiles(settings, config, dict(profiles), env)
        for name, profile in contributed.items():
            profiles[name] = _completed(profile, integration, settings)
    return profiles


def _configured(p: AuthProfile, installed: Mapping[str, Integration]) -> Profile:
    provider = installed.get(p.identity_provider.lower())
    return Profile(
        name=p.name,
        provider=p.identity_provider or p.name,
        client_id=p.client_id,
        client_secret=p.client_secret,
        authorization_url=p.authorization_url,
        token_url=p.token_url,
        refresh_url=p.refresh_url,
        scope=p.scope,
        callback_url=p.callback_url,
        mode=p.mode,
        extra_params=dict(p.extra_params),
        facts=provider.token_facts() if provider is not None else None,
    )


def _completed(profile: Profile, integration: Integration, settings: object) -> Profile:
    return dataclasses.replace(
        profile,
        facts=profile.facts or integration.token_facts(),
        verify=profile.verify or functools.partial(integration.check_authorization, settings),
    )
