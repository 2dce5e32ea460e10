"""The JSON API integration, through the plug-in interface only: its entry point, its config
section with config.yaml lines, its profile, its filters, and the example bot's transcripts
replayed by `parley test` against a real OAuth 2.0 + JSON server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shutil
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from runtime.auth.bot_profiles import profiles_from_config
from runtime.config import load_config
from runtime.errors import ConfigError, ParleyError
from runtime.integrations.json_api.filters import api_error, path_segment
from runtime.integrations.json_api.integration import JsonApi
from runtime.plugins import GROUP, integration
from runtime.templating import Templates
from tests.integrations.json_api.server import ExampleApi
from tests.runtime.cli.test_cli import PARLEY

BOT = Path(__file__).parent / "bot"
SECTION = """\
integrations:
  json_api:
    provider: Example API
    base_url: https://api.example.com/v1/
    authorization_url: https://auth.example.com/authorize
    token_url: https://auth.example.com/token
    client_id: the-id
    client_secret: ${API_SECRET}
    scope: items.read
"""


def load(folder: Path, text: str, env: dict[str, str] | None = None):
    (folder / "config.yaml").write_text(textwrap.dedent(text))
    return load_config(folder / "config.yaml", env=env or {"API_SECRET": "s3cr3t"})


def test_both_integrations_load_through_the_entry_point():
    names = {point.name for point in entry_points(group=GROUP)}
    assert {"json_api", "salesforce"} <= names
    assert isinstance(integration("json_api"), JsonApi)
    with pytest.raises(ParleyError, match=r"no integration 'json_apx' \(did you mean 'json_api'"):
        integration("json_apx")


def test_without_its_section_it_is_off(tmp_path):
    config = load(tmp_path, "bot: {name: x}\n")
    assert config.integrations.json_api.enabled is False
    assert "json_api" not in config.profile_names()
    assert "json_api" not in profiles_from_config(config, env={})


def test_its_section_makes_a_profile_whose_tokens_show_the_base_url(tmp_path):
    config = load(tmp_path, SECTION)
    settings = config.integrations["json_api"]
    assert settings.base_url == "https://api.example.com/v1"
    assert settings.refresh_url == ""  # not written: refresh at the token URL
    assert settings.callback_url == "http://127.0.0.1:8080/oauth/callback"
    assert "s3cr3t" not in repr(settings)
    assert "json_api" in config.profile_names()
    profile = profiles_from_config(config, env={})["json_api"]
    assert (profile.provider, profile.client_id, profile.client_secret) == (
        "Example API",
        "the-id",
        "s3cr3t",
    )
    assert profile.missing() == [] and profile.verify is not None
    assert profile.facts is not None
    assert profile.facts({"access_token": "t", "scope": "items.read"}) == {
        "base_url": "https://api.example.com/v1",
        "scope": "items.read",
    }


def test_its_mistakes_name_the_line_of_config_yaml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "integrations:\n"
        "  json_api:\n"
        "    base_url: ftp://api.example.com\n"
        "    token_url: https://auth.example.com/token\n"
        "    client_id: x\n"
        "    client_secret: y\n"
        "    mode: everyone\n"
        "    scopes: a b\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml", env={})
    assert caught.value.messages == [
        "config.yaml:2: integrations.json_api.authorization_url: required",
        "config.yaml:3: integrations.json_api.base_url: expected an http:// or https:// URL, "
        "got 'ftp://api.example.com'",
        "config.yaml:7: integrations.json_api.mode: expected one of per_user, pre_authorized, "
        "got 'everyone'",
        "config.yaml:8: integrations.json_api.scopes: unknown key (did you mean 'scope'?)",
    ]


def test_an_integration_nobody_installed_is_an_unknown_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("integrations:\n  json_apii: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml", env={})
    assert caught.value.messages == [
        "config.yaml:2: integrations.json_apii: unknown key (did you mean 'json_api'?)"
    ]


def test_its_filters_are_in_every_bots_templates():
    assert path_segment("a/b c?") == "a%2Fb%20c%3F" and path_segment(None) == ""
    assert api_error({"status": 404, "body": {"error": {"message": "no item 'x'"}}}) == (
        "The API answered 404: no item 'x'"
    )
    assert api_error({"status": 500, "body": None}, "Notes") == "Notes answered 500."
    assert api_error(None) == "The API did not answer."
    text = Templates().text("{{ id | path_segment }}", dialog="d", node="n")
    assert text.render({"id": "../admin"}) == "..%2Fadmin"


async def parley(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *PARLEY, *args, cwd=cwd, env={**os.environ, **env}, stdout=-1, stderr=-1
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_the_example_bots_transcripts_pass_against_the_api(api: ExampleApi, tmp_path):
    bot = tmp_path / "bot"
    shutil.copytree(BOT, bot)
    code, out, err = await parley(
        "integrations", "install", "json_api", "--all", cwd=bot, env=api.env()
    )
    assert code == 0, err
    assert sorted(p.name for p in (bot / "dialogs" / "json_api").glob("*.yaml")) == [
        "create_item.yaml",
        "get_item.yaml",
    ]
    code, out, err = await parley("test", cwd=bot, env=api.env())
    assert code == 0, out + err
    assert out.splitlines()[-1] == "3 passed, 0 failed"
    # Every call carried a token the server issued through the code + PKCE exchange, and the
    # id "a/b" stayed one path segment.
    assert {(method, path) for method, path, _ in api.calls} == {
        ("POST", "/api/items"),
        ("GET", "/api/items/welcome"),
        ("GET", "/api/items/a%2Fb"),
    }
    assert all(token for _, _, token in api.calls)


async def test_the_example_bots_transcripts_fail_without_the_api(api: ExampleApi, tmp_path):
    """The transcripts do reach the server: pointed at a port nobody listens on, they fail."""
    bot = tmp_path / "bot"
    shutil.copytree(BOT, bot)
    code, _, err = await parley(
        "integrations", "install", "json_api", "--all", cwd=bot, env=api.env()
    )
    assert code == 0, err
    gone = api.env() | {"EXAMPLE_API_URL": "http://127.0.0.1:9"}
    code, out, _ = await parley("test", cwd=bot, env=gone)
    assert code == 1
    assert out.splitlines()[-1] == "0 passed, 3 failed"
