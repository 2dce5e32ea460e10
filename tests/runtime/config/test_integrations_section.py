"""`integrations`: every installed integration reads its own section; config keeps each one's
settings by name, readable as `config.integrations.NAME` and copied like the rest."""

from __future__ import annotations

import copy
import dataclasses

from runtime.config import IntegrationsConfig, load_config
from runtime.plugins import integrations


def test_every_installed_integration_has_settings_even_without_a_section(tmp_path):
    (tmp_path / "config.yaml").write_text("bot: {name: x}\n")
    config = load_config(tmp_path / "config.yaml", env={})
    assert set(config.integrations) == {i.name for i in integrations()}
    assert config.integrations.salesforce is config.integrations["salesforce"]
    assert config.profile_names() == frozenset({"salesforce"})  # json_api is off without one


def test_settings_are_replaced_by_name_and_copied_with_the_config(tmp_path):
    (tmp_path / "config.yaml").write_text("integrations: {salesforce: {enabled: false}}\n")
    config = load_config(tmp_path / "config.yaml", env={})
    on = dataclasses.replace(config.integrations.salesforce, enabled=True)
    changed = config.integrations.replace("salesforce", on)
    assert isinstance(changed, IntegrationsConfig) and changed.salesforce.enabled
    assert config.integrations.salesforce.enabled is False  # the original is left alone
    assert copy.deepcopy(config) == config
