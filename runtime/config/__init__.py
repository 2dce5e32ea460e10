"""config.yaml: read it, fill ``${NAME}`` from the environment, check it, freeze it.

``load_config`` reports every problem of the file at once, in one ``ConfigError``, each line
naming the file, the YAML line and the key path (``config.yaml:12: server.port: expected a
whole number, got 'abc'``). Secret values never appear in those messages nor in ``repr()``.

Interpolation happens in string scalars before any type check: ``${NAME}`` must be set,
``${NAME:-default}`` falls back when the variable is unset or empty, ``$${`` writes a literal
``${``. Values that come from the environment are strings; numeric and boolean keys accept
``"8080"`` or ``"true"`` for that reason.

The package, in reading order:

    model          the frozen dataclasses and enums load_config returns
    yaml_tree      YAML text to a tree of Items that keep their lines; Report collects problems
    section        Section: one mapping's keys read by type, unknown keys reported
    basics         bot, server, store, secrets, channels
    auth           auth_profiles
    integrations   integrations.NAME, each read by its (plug-in) integration
    conversation   conversation, with its small_talk answers
    synonyms       bot-wide synonyms
    reader         every section in turn into one Config
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from runtime.config.model import (
    AuthMode,
    AuthProfile,
    BotConfig,
    ChannelsConfig,
    Config,
    ConversationConfig,
    IntegrationsConfig,
    RateLimit,
    SecretsConfig,
    ServerConfig,
    StoreConfig,
    WebChannelConfig,
    WebhookChannelConfig,
    WebhookMode,
    WebSocketChannelConfig,
)
from runtime.config.reader import read_config
from runtime.config.yaml_tree import Report, Tree
from runtime.errors import ConfigError

__all__ = [
    "DEFAULT_FILE",
    "AuthMode",
    "AuthProfile",
    "BotConfig",
    "ChannelsConfig",
    "Config",
    "ConversationConfig",
    "IntegrationsConfig",
    "RateLimit",
    "SecretsConfig",
    "ServerConfig",
    "StoreConfig",
    "WebChannelConfig",
    "WebSocketChannelConfig",
    "WebhookChannelConfig",
    "WebhookMode",
    "load_config",
]

DEFAULT_FILE = "config.yaml"


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read and check a config.yaml; raises ConfigError listing every problem found.

    Without `path`, ./config.yaml is read when present, else every default applies (rooted at
    the current folder). `env` replaces os.environ for ``${NAME}`` interpolation.
    """
    env = os.environ if env is None else env
    if path is None:
        if not Path(DEFAULT_FILE).is_file():
            return read_config(None, Path.cwd(), Report(None))
        path = DEFAULT_FILE
    path = Path(path)
    report = Report(str(path))
    text = _read_text(path)
    tree = Tree(report, env).parse(text)
    return read_config(tree, path.resolve().parent, report)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError([f"{path}: no such file"]) from exc
    except IsADirectoryError as exc:
        raise ConfigError([f"{path}: is a folder, not a config file"]) from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        message = f"{path}:{line}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
        raise ConfigError([message]) from exc
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc.strerror}"]) from exc
