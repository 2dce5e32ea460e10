"""`parley demo`: the sandbox org and the bot together on 127.0.0.1, ready to chat.

Starts the local Salesforce-compatible org, installs the Salesforce templates into the bot's
dialogs (updating older ones you did not change, leaving files you changed alone), points the
built-in Salesforce profile at the sandbox, serves the bot with SQLite state, and prints the web
chat's URL and the sandbox login.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
from pathlib import Path
from typing import Any

from aiohttp import web

from channels.listening import ANY_PORT, cannot_listen, port_number
from runtime.cli.common import add_config_option, config_from
from runtime.cli.loop import add_loop_option
from runtime.cli.loop import run as run_loop
from runtime.cli.serve import free_port
from runtime.cli.templates import dialogs_dir
from runtime.config import Config
from runtime.errors import ParleyError
from runtime.integrations.installer import INSTALLED, UPDATED, Installer, InstallState
from runtime.integrations.salesforce import profile as salesforce
from runtime.integrations.salesforce.profile import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from runtime.schemas import ensure_schemas

SANDBOX_PORT = 8900


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="run the sandbox org and the bot, print the chat's URL")
    add_config_option(parser)
    parser.add_argument(
        "--port", type=port_number, default=None, help="the bot's port (default: server.port)"
    )
    parser.add_argument(
        "--sandbox-port",
        type=port_number,
        default=SANDBOX_PORT,
        help=f"the sandbox org's port (default {SANDBOX_PORT})",
    )
    add_loop_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_loop(_demo(args), args.loop)


@dataclasses.dataclass(frozen=True, slots=True)
class DemoTemplates:
    """What `parley demo` did with the Salesforce templates on start."""

    installed: list[str]  # there was no file
    updated: list[str]  # an older template the author had not changed
    note: str = ""  # the changed files a newer template exists for, and how to replace them


def install_templates(config: Config) -> DemoTemplates:
    """Install every Salesforce template not yet there and update every older one the author
    did not change; files the author changed are kept, and named when a newer template exists."""
    installer = Installer("salesforce", dialogs_dir(config))
    pending = installer.pending()
    done = installer.install(pending) if pending else []
    ensure_schemas(config.root)  # what the templates' first line points editors at
    stale = [
        name
        for name in sorted(installer.available)
        if installer.state(name) == InstallState.CHANGED and installer.newer_template(name)
    ]
    return DemoTemplates(
        installed=[name for name, what in done if what == INSTALLED],
        updated=[name for name, what in done if what == UPDATED],
        note=installer.kept_note(stale),
    )


def pointed_at(config: Config, sandbox_url: str, port: int | None) -> Config:
    # The demo is Salesforce's: the command line may name an integration, the runtime may not.
    sandbox = salesforce.pointed_at(config.integrations.salesforce, sandbox_url)
    integrations = config.integrations.replace(salesforce.NAME, sandbox)
    channels = config.channels
    if not channels.webhook.secret:  # the demo chats on the web page; no webhook without a secret
        channels = dataclasses.replace(
            channels, webhook=dataclasses.replace(channels.webhook, enabled=False)
        )
    server = config.server
    if port is not None:
        public = server.public_url
        if public == f"http://{server.host}:{server.port}":
            public = f"http://{server.host}:{port}"
        server = dataclasses.replace(server, port=port, public_url=public)
    return dataclasses.replace(config, integrations=integrations, server=server, channels=channels)


async def _demo(args: argparse.Namespace) -> int:
    from channels.server import create_app, open_bot, wait_for_signal
    from channels.settings import ChannelSettings
    from sandbox.server import run_sandbox

    config = config_from(args)
    port = free_port(config.server.host) if args.port == ANY_PORT else args.port
    templates = install_templates(config)
    async with contextlib.AsyncExitStack() as stack:
        try:
            sandbox = await stack.enter_async_context(
                run_sandbox(port=args.sandbox_port, db=config.root / "var" / "sandbox.db")
            )
        except OSError as exc:
            raise ParleyError(
                cannot_listen("127.0.0.1", args.sandbox_port, exc, "--sandbox-port")
            ) from exc
        demo = pointed_at(config, sandbox.url, port)
        env = {
            **os.environ,
            CLIENT_ID_ENV: sandbox.client_id,
            CLIENT_SECRET_ENV: sandbox.client_secret,
        }
        settings = ChannelSettings()
        bot, metrics = await open_bot(demo, settings, env=env)
        stack.push_async_callback(bot.close)
        runner = web.AppRunner(create_app(bot, settings, metrics=metrics), handle_signals=False)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        try:
            await web.TCPSite(runner, demo.server.host, demo.server.port).start()
        except OSError as exc:
            raise ParleyError(cannot_listen(demo.server.host, demo.server.port, exc)) from exc
        _announce(demo, sandbox, templates, dialogs_dir(config))
        await wait_for_signal()
    return 0


def _announce(config: Config, sandbox: Any, templates: DemoTemplates, folder: Path) -> None:
    if templates.installed:
        print(
            f"Installed Salesforce templates into {folder / 'salesforce'}: "
            f"{', '.join(templates.installed)}"
        )
    if templates.updated:
        print(
            f"Updated Salesforce templates in {folder / 'salesforce'} to this release's: "
            f"{', '.join(templates.updated)}"
        )
    if templates.note:
        print(templates.note)
    print(f"Sandbox org:  {sandbox.url}  (login {sandbox.username} / {sandbox.password})")
    print(f"Web chat:     {config.server.public_url}/")
    print("Try: create a lead, search leads, show all leads. Ctrl-C stops both.", flush=True)
