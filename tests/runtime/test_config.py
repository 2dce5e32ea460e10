"""config.yaml: defaults, ${NAME} interpolation, every problem by key path, secrets kept out."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from runtime.auth.bot_profiles import profiles_from_config
from runtime.config import (
    AuthMode,
    ConversationConfig,
    WebhookMode,
    load_config,
)
from runtime.errors import ConfigError
from runtime.integrations.salesforce.config import SalesforceApp
from runtime.intents.small_talk import default_small_talk
from runtime.yaml_lines import YamlError, parse_yaml

REPOSITORY = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-Value-42"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, so messages name the file as `config.yaml:LINE:`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "config.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def problems(text: str, env: dict[str, str] | None = None) -> list[str]:
    """Every message load_config reports for `text`, written to ./config.yaml."""
    write(Path("."), text)
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml", env=env or {})
    return caught.value.messages


# defaults and the repository's own file


def test_without_a_file_every_default_applies(in_tmp: Path) -> None:
    config = load_config(env={})
    assert config.root == in_tmp
    assert config.dialogs == (in_tmp / "dialogs",)
    assert (config.bot.locale, config.bot.timezone, config.bot.currency) == ("en-US", "UTC", "USD")
    assert (config.server.host, config.server.port) == ("127.0.0.1", 8080)
    assert config.server.public_url == "http://127.0.0.1:8080"
    assert config.store.url == "sqlite:///var/parley.db"
    assert config.secrets.key == ""
    assert config.channels.websocket.enabled and config.channels.websocket.allowed_origins == ()
    assert config.channels.webhook.mode is WebhookMode.SYNC
    assert config.channels.web.enabled
    salesforce = config.integrations.salesforce
    assert salesforce.enabled and salesforce.app is SalesforceApp.SYSTEM
    assert salesforce.mode is AuthMode.PER_USER
    assert salesforce.login_url == "https://login.salesforce.com"
    assert salesforce.api_version == "60.0"
    assert config.auth_profiles == {} and config.globals == {}
    assert config.conversation == ConversationConfig()
    assert config.conversation.cancel_words == ("cancel", "stop", "quit")
    assert config.conversation.restart_words == ("restart", "start over")
    assert config.conversation.intent_threshold == 35
    assert config.conversation.max_message_chars == 4000
    assert config.conversation.state_ttl_days == 30
    assert config.conversation.small_talk == default_small_talk()
    assert config.synonyms == ()


def test_without_a_path_the_current_folders_config_yaml_is_read(in_tmp: Path) -> None:
    write(in_tmp, "bot: {name: Here}\n")
    assert load_config(env={}).bot.name == "Here"


def test_the_repositorys_config_yaml_loads_with_an_empty_environment() -> None:
    config = load_config(REPOSITORY / "config.yaml", env={})
    assert config.root == REPOSITORY
    assert config.bot.name == "Parley demo"
    assert config.dialogs == (REPOSITORY / "dialogs",)
    assert config.store.url == "sqlite:///var/parley.db"
    assert config.secrets.key == "" and config.channels.webhook.secret == ""
    assert config.integrations.salesforce.app is SalesforceApp.SYSTEM
    assert config.integrations.salesforce.mode is AuthMode.PER_USER
    assert config.auth_profiles == {}


def test_dialog_paths_are_relative_to_the_config_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = tmp_path / "bot"
    bot.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(bot, f"dialogs: [dialogs/, more/x.yaml, {tmp_path}/shared]\n")
    config = load_config(path, env={})
    assert config.root == bot
    assert config.dialogs == (bot / "dialogs", bot / "more" / "x.yaml", tmp_path / "shared")


def test_public_url_follows_host_and_port_and_loses_a_trailing_slash(in_tmp: Path) -> None:
    write(in_tmp, "server: {host: 0.0.0.0, port: 9000}\n")
    assert load_config("config.yaml", env={}).server.public_url == "http://0.0.0.0:9000"
    write(in_tmp, "server: {public_url: 'https://bot.example.com/'}\n")
    assert load_config("config.yaml", env={}).server.public_url == "https://bot.example.com"


def test_config_is_frozen(in_tmp: Path) -> None:
    config = load_config(env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.server.port = 1  # type: ignore[misc]


def test_an_empty_file_means_every_default(in_tmp: Path) -> None:
    write(in_tmp, "# nothing yet\n")
    assert load_config("config.yaml", env={}).server.port == 8080


# ${NAME} interpolation


def test_variables_are_replaced_from_the_environment(in_tmp: Path) -> None:
    write(
        in_tmp,
        """\
        bot:
          name: ${BOT_NAME}
          timezone: ${TZ_NAME:-Europe/Paris}
          currency: ${CURRENCY:-EUR}
        server:
          host: ${HOST:-127.0.0.1}
          port: ${PORT}
          public_url: https://${HOST:-x}.example.com:${PORT}/
        channels:
          web: {enabled: "${WEB:-false}"}
        globals:
          support: ${SUPPORT:-help@example.com}
          literal: $${NOT_A_VARIABLE}
        """,
    )
    env = {"BOT_NAME": "Acme", "PORT": "8181", "CURRENCY": "", "HOST": "bots"}
    config = load_config("config.yaml", env=env)
    assert config.bot.name == "Acme"
    assert config.bot.timezone == "Europe/Paris"
    assert config.bot.currency == "EUR"  # an empty variable takes the default, as in a shell
    assert config.server.host == "bots"
    assert config.server.port == 8181
    assert config.server.public_url == "https://bots.example.com:8181"
    assert config.channels.web.enabled is False
    assert config.globals == {"support": "help@example.com", "literal": "${NOT_A_VARIABLE}"}


def test_load_config_reads_os_environ_by_default(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_TEST_BOT_NAME", "From environ")
    write(in_tmp, "bot: {name: '${PARLEY_TEST_BOT_NAME}'}\n")
    assert load_config("config.yaml").bot.name == "From environ"


def test_an_unset_variable_without_default_names_the_key_and_the_variable(in_tmp: Path) -> None:
    found = problems(
        """\
        auth_profiles:
          crm:
            client_id: ${SF_CLIENT_ID}
            client_secret: x
            authorization_url: https://login.example.com/authorize
            token_url: https://login.example.com/token
        """
    )
    assert found == [
        "config.yaml:3: auth_profiles.crm.client_id: environment variable SF_CLIENT_ID is not "
        "set (write ${SF_CLIENT_ID:-default} to give a default)"
    ]


def test_a_malformed_reference_is_reported(in_tmp: Path) -> None:
    found = problems("bot:\n  name: ${9LIVES}\n  locale: ${OPEN\n")
    assert [m.split(": bad")[0] for m in found] == [
        "config.yaml:2: bot.name",
        "config.yaml:3: bot.locale",
    ]
    assert all("${NAME:-default}" in m for m in found)


# every problem, with file, line and key path


def test_every_problem_is_reported_at_once_with_line_and_key_path(in_tmp: Path) -> None:
    found = problems(
        """\
        bot:
          lcoale: fr-FR
          timezone: Mars/Olympus
          currency: dollars
        server:
          port: abc
        store:
          url: mongodb://db
        channels:
          webhook: {mode: asinc}
          telegram: {enabled: true}
        conversation:
          intent_threshold: 170
          max_message_chars: 0
        auth_profiles:
          crm:
            client_id: abc
        """
    )
    assert found[0] == "config.yaml:2: bot.lcoale: unknown key (did you mean 'locale'?)"
    assert found[1] == (
        "config.yaml:3: bot.timezone: unknown time zone 'Mars/Olympus' (an IANA name such as UTC)"
    )
    assert found[2].startswith("config.yaml:4: bot.currency: expected an ISO 4217 code")
    assert found[3] == "config.yaml:6: server.port: expected a whole number, got 'abc'"
    assert found[4].startswith("config.yaml:8: store.url: unknown store scheme 'mongodb'")
    assert found[5] == (
        "config.yaml:10: channels.webhook.mode: expected one of sync, async, got 'asinc' "
        "(did you mean 'async'?)"
    )
    assert found[6].startswith("config.yaml:11: channels.telegram: unknown key (known: websocket")
    assert found[7] == (
        "config.yaml:13: conversation.intent_threshold: expected a number from 0 to 100, got 170"
    )
    assert found[8] == (
        "config.yaml:14: conversation.max_message_chars: expected a whole number of at least 1, "
        "got 0"
    )
    assert found[9:] == [
        "config.yaml:16: auth_profiles.crm.client_secret: required",
        "config.yaml:16: auth_profiles.crm.authorization_url: required",
        "config.yaml:16: auth_profiles.crm.token_url: required",
    ]


def test_the_message_names_the_file_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "server:\n  port: abc\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value) == f"{path}:2: server.port: expected a whole number, got 'abc'"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bot: [a, b]\n", "config.yaml:1: bot: expected a mapping, got a list"),
        ("bot: {name: {first: a}}\n", "config.yaml:1: bot.name: expected a string, got a mapping"),
        (
            "server: {port: 70000}\n",
            "config.yaml:1: server.port: expected a whole number from 0 to 65535, got 70000",
        ),
        (
            "server: {port: 80.5}\n",
            "config.yaml:1: server.port: expected a whole number, got '80.5'",
        ),
        (
            "channels:\n  web: {enabled: maybe}\n",
            "config.yaml:2: channels.web.enabled: expected true or false, got 'maybe'",
        ),
        ("dialogs: {a: b}\n", "config.yaml:1: dialogs: expected a list of strings, got a mapping"),
        (
            "dialogs: [ok, [nested]]\n",
            "config.yaml:1: dialogs[1]: expected a non-empty string, got a list",
        ),
        ("globals: [1, 2]\n", "config.yaml:1: globals: expected a mapping, got a list"),
        ("auth_profiles: crm\n", "config.yaml:1: auth_profiles: expected a mapping, got a string"),
        (
            "server:\n  public_url: ftp://x\n",
            "config.yaml:2: server.public_url: expected an http:// or https:// URL, got 'ftp://x'",
        ),
        (
            "integrations:\n  salesforce:\n    api_version: v61\n",
            "config.yaml:3: "
            "integrations.salesforce.api_version: expected a version such as 60.0, got 'v61'",
        ),
        (
            "integrations:\n  hubspot: {}\n",
            "config.yaml:2: integrations.hubspot: unknown key (known: json_api, salesforce)",
        ),
        (
            "bot: {locale: English}\n",
            "config.yaml:1: bot.locale: expected a language and region "
            "such as en-US, got 'English'",
        ),
        (
            "conversation: {state_ttl_days: -1}\n",
            "config.yaml:1: conversation.state_ttl_days: "
            "expected a whole number of at least 0, got -1",
        ),
        (
            "server: {port: 1}\nserver: {port: 2}\n",
            "config.yaml:2: server: duplicate key (first at line 1)",
        ),
        ("- just\n- a list\n", "config.yaml:1: expected a mapping, got a list"),
    ],
)
def test_each_kind_of_problem_names_its_key_path(in_tmp: Path, text: str, message: str) -> None:
    assert problems(text) == [message]


def test_a_missing_required_key_is_reported_at_its_section(in_tmp: Path) -> None:
    found = problems(
        """\
        auth_profiles:
          crm:
            client_id: id
            client_secret: secret
            authorization_url: https://login.example.com/authorize
        """
    )
    assert found == ["config.yaml:2: auth_profiles.crm.token_url: required"]


def test_malformed_yaml_is_a_config_error_with_its_line(in_tmp: Path) -> None:
    found = problems("bot:\n  name: [unclosed\nserver:\n  port: 1\n")
    assert len(found) == 1
    assert found == [
        "config.yaml:3: could not parse YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence at line 2)"
    ]


def test_config_and_dialogs_read_yaml_alike(in_tmp: Path) -> None:
    # One reader (runtime/yaml_lines.py): YAML 1.2's core schema, so `no` stays a word, and
    # the same message for the same mistake as in a dialog file.
    write(in_tmp, "conversation: {greeting: no}\nchannels: {web: {enabled: off}}\n")
    config = load_config("config.yaml", env={})
    assert config.conversation.greeting == "no"
    assert config.channels.web.enabled is False  # `off` is still read as false where a flag is
    text = "a: 1\nb: Note: late\n"
    with pytest.raises(YamlError) as dialog_error:
        parse_yaml(text)
    assert problems(text) == [
        f"config.yaml:{dialog_error.value.line}: {dialog_error.value.message}"
    ]


def test_unsupported_yaml_tags_are_reported(in_tmp: Path) -> None:
    assert problems("bot: {name: !env NAME}\n") == [
        "config.yaml:1: bot.name: unsupported YAML value (tag !env)"
    ]


def test_a_missing_file_is_a_config_error(in_tmp: Path) -> None:
    with pytest.raises(ConfigError, match=r"^nope\.yaml: no such file$"):
        load_config("nope.yaml", env={})


def test_a_folder_is_not_a_config_file(in_tmp: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(in_tmp, env={})


def test_a_file_that_is_not_utf8_is_a_config_error(in_tmp: Path) -> None:
    (in_tmp / "config.yaml").write_bytes(b"bot:\n  name: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config("config.yaml", env={})


# values that are normalised


def test_values_are_normalised(in_tmp: Path) -> None:
    write(
        in_tmp,
        """\
        bot: {locale: en_GB, currency: eur, timezone: Europe/London}
        integrations:
          salesforce: {api_version: 61, login_url: "https://test.salesforce.com/"}
        conversation:
          cancel_words: ["  Cancel ", Never Mind]
          restart_words: Again
          intent_threshold: 82.5
        channels:
          websocket: {allowed_origins: [https://shop.example.com]}
        """,
    )
    config = load_config("config.yaml", env={})
    assert (config.bot.locale, config.bot.currency) == ("en-GB", "EUR")
    assert config.integrations.salesforce.api_version == "61.0"
    assert config.integrations.salesforce.login_url == "https://test.salesforce.com"
    assert config.conversation.cancel_words == ("cancel", "never mind")
    assert config.conversation.restart_words == ("again",)
    assert config.conversation.intent_threshold == 82.5
    assert config.channels.websocket.allowed_origins == ("https://shop.example.com",)


def test_a_version_written_as_a_yaml_number_keeps_its_digits(in_tmp: Path) -> None:
    write(in_tmp, "integrations:\n  salesforce: {api_version: 60.10}\n")
    assert load_config("config.yaml", env={}).integrations.salesforce.api_version == "60.10"


def test_globals_keep_their_structure(in_tmp: Path) -> None:
    write(
        in_tmp,
        """\
        globals:
          company: {name: Acme, phones: ["+1 415 555 0100"]}
          limit: 5
          region: ${REGION:-emea}
        """,
    )
    assert load_config("config.yaml", env={}).globals == {
        "company": {"name": "Acme", "phones": ["+1 415 555 0100"]},
        "limit": 5,
        "region": "emea",
    }


# auth profiles and the Salesforce integration

PROFILE = """\
auth_profiles:
  crm:
    identity_provider: Salesforce
    client_id: ${SF_CLIENT_ID:-the-id}
    client_secret: ${SF_CLIENT_SECRET}
    authorization_url: https://login.salesforce.com/services/oauth2/authorize
    token_url: https://login.salesforce.com/services/oauth2/token
    scope: full refresh_token offline_access
"""


def test_a_custom_profile_gets_its_defaults(in_tmp: Path) -> None:
    write(
        in_tmp,
        PROFILE
        + "integrations:\n  salesforce: {app: custom, auth_profile: crm}\n"
        + "server: {public_url: 'https://bot.example.com'}\n",
    )
    config = load_config("config.yaml", env={"SF_CLIENT_SECRET": SECRET})
    profile = config.auth_profiles["crm"]
    assert profile.name == "crm" and profile.type == "oauth2"
    assert profile.client_id == "the-id" and profile.client_secret == SECRET
    assert profile.refresh_url == ""  # not written: refresh at the token URL
    assert profile.callback_url == "https://bot.example.com/oauth/callback"
    for auth in profiles_from_config(config, env={}).values():  # crm, and salesforce on it
        assert auth.refresh_endpoint == "https://login.salesforce.com/services/oauth2/token"
    assert profile.mode is AuthMode.PER_USER
    assert profile.extra_params == {}
    assert config.integrations.salesforce.app is SalesforceApp.CUSTOM
    assert config.integrations.salesforce.auth_profile == "crm"


def test_a_profile_keeps_what_is_written(in_tmp: Path) -> None:
    write(
        in_tmp,
        PROFILE
        + "    refresh_url: https://login.salesforce.com/refresh\n"
        + "    callback_url: http://127.0.0.1:9000/cb\n"
        + "    mode: pre_authorized\n"
        + "    extra_params: {prompt: consent, max_age: 60}\n",
    )
    profile = load_config("config.yaml", env={"SF_CLIENT_SECRET": "x"}).auth_profiles["crm"]
    assert profile.refresh_url == "https://login.salesforce.com/refresh"
    assert profile.callback_url == "http://127.0.0.1:9000/cb"
    assert profile.mode is AuthMode.PRE_AUTHORIZED
    assert profile.extra_params == {"prompt": "consent", "max_age": "60"}


def test_a_custom_app_needs_an_existing_profile(in_tmp: Path) -> None:
    assert problems("integrations:\n  salesforce: {app: custom}\n") == [
        "config.yaml:2: integrations.salesforce.auth_profile: required when app is custom"
    ]
    found = problems(
        PROFILE + "integrations:\n  salesforce: {app: custom, auth_profile: cmr}\n",
        env={"SF_CLIENT_SECRET": "x"},
    )
    assert found == [
        "config.yaml:10: integrations.salesforce.auth_profile: auth_profiles has no profile "
        "'cmr' (did you mean 'crm'?)"
    ]


def test_a_disabled_integration_needs_no_profile(in_tmp: Path) -> None:
    write(in_tmp, "integrations:\n  salesforce: {enabled: false, app: custom}\n")
    assert load_config("config.yaml", env={}).integrations.salesforce.enabled is False


def test_the_system_app_reports_misplaced_profile_settings(in_tmp: Path) -> None:
    text = PROFILE.replace("  crm:", "  salesforce:") + (
        "integrations:\n  salesforce: {app: system, auth_profile: salesforce}\n"
    )
    found = problems(text, env={"SF_CLIENT_SECRET": "x"})
    assert sorted(found) == [
        "config.yaml:10: integrations.salesforce.app: auth_profiles.salesforce clashes with the "
        "built-in Salesforce profile; rename it, or use it with app: custom and "
        "auth_profile: salesforce",
        "config.yaml:10: integrations.salesforce.auth_profile: only used with app: custom",
    ]


def test_a_profile_name_must_fit_dialogs(in_tmp: Path) -> None:
    text = PROFILE.replace("  crm:", "  my-crm:")
    assert problems(text, env={"SF_CLIENT_SECRET": "x"}) == [
        "config.yaml:2: auth_profiles.my-crm: a profile name is letters, digits and _ "
        "(dialogs use auth.NAME)"
    ]


def test_async_webhooks_need_a_callback_url(in_tmp: Path) -> None:
    assert problems("channels:\n  webhook: {mode: async}\n") == [
        "config.yaml:2: channels.webhook.callback_url: required when mode is async"
    ]
    write(in_tmp, "channels:\n  webhook: {mode: async, callback_url: 'http://127.0.0.1:9/cb'}\n")
    webhook = load_config("config.yaml", env={}).channels.webhook
    assert webhook.mode is WebhookMode.ASYNC and webhook.callback_url == "http://127.0.0.1:9/cb"


# secrets stay secret


def test_secrets_are_hidden_from_repr(in_tmp: Path) -> None:
    write(
        in_tmp,
        PROFILE + "secrets: {key: '${KEY}'}\n" + "channels:\n  webhook: {secret: '${HOOK}'}\n",
    )
    env = {"SF_CLIENT_SECRET": SECRET, "KEY": SECRET + "k", "HOOK": SECRET + "h"}
    config = load_config("config.yaml", env=env)
    assert config.secrets.key == SECRET + "k"
    assert config.channels.webhook.secret == SECRET + "h"
    assert config.auth_profiles["crm"].client_secret == SECRET
    assert SECRET not in repr(config)


@pytest.mark.parametrize(
    "text",
    [
        f"secrets:\n  key: [{SECRET}]\n",
        f"channels:\n  webhook:\n    secret: {{value: {SECRET}}}\n",
        f"secrets: {SECRET}\n",
        f"secrets:\n  key: {SECRET}: more\n",
        PROFILE.replace("${SF_CLIENT_SECRET}", f"[{SECRET}]"),
    ],
)
def test_secrets_never_appear_in_error_messages(in_tmp: Path, text: str) -> None:
    found = problems(text)
    assert found, "a problem should be reported"
    assert all(SECRET not in message for message in found)
    assert all("config.yaml:" in message for message in found)


def test_a_wrongly_typed_secret_says_what_was_expected(in_tmp: Path) -> None:
    assert problems(f"secrets:\n  key: [{SECRET}]\n") == [
        "config.yaml:2: secrets.key: expected a string"
    ]
