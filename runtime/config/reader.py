"""The whole file: every section read in turn into one Config, or every problem raised at once."""

from __future__ import annotations

from pathlib import Path

from runtime.config.auth import read_auth_profiles
from runtime.config.basics import read_bot, read_channels, read_secrets, read_server, read_store
from runtime.config.conversation import read_conversation
from runtime.config.integrations import read_integrations
from runtime.config.model import Config
from runtime.config.section import section
from runtime.config.synonyms import read_synonyms
from runtime.config.yaml_tree import Item, Report, plain


def read_config(tree: Item | None, root: Path, report: Report) -> Config:
    """`tree` (None: an empty file) as a Config; raises ConfigError when a problem was found."""
    with section(report, tree, "", 1) as top:
        bot = read_bot(top)
        dialogs = tuple(root / Path(p).expanduser() for p in top.texts("dialogs", ("dialogs",)))
        server = read_server(top)
        store = read_store(top)
        secrets = read_secrets(top)
        channels = read_channels(top)
        profiles = read_auth_profiles(top, server)
        integrations = read_integrations(top, profiles, server)
        globals_ = {key: plain(value) for key, value in top.mapping("globals").items()}
        conversation = read_conversation(top)
        synonyms = read_synonyms(top)
    report.raise_if_any()
    return Config(
        root=root,
        bot=bot,
        dialogs=dialogs,
        server=server,
        store=store,
        secrets=secrets,
        channels=channels,
        integrations=integrations,
        auth_profiles=profiles,
        globals=globals_,
        conversation=conversation,
        synonyms=synonyms,
    )
