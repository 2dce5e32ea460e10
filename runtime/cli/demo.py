"""`parley demo`: the sandbox org and the bot together on 127.0.0.1, ready to chat.

Starts the local Salesforce-compatible org, installs the Salesforce templates into the bot's
dialogs (leaving files you changed alone), points the built-in Salesforce profile at the
sandbox, serves the bot with SQLite state, and prints the web chat's URL and the sandbox login.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
from pathlib import Path
from typing import Any

from aiohttp import web

from runtime.cli.common import add_config_option, config_from
from runtime.cli.loop import add_loop_option
from runtime.cli.loop import run as run_loop
from runtime.cli.templates import dialogs_dir
from runtime.config import Config, SalesforceApp
from runtime.errors import ParleyError
from runtime.integrations.installer import Installer, InstallState
from runtime.integrations.salesforce.profile import CLIENT_ID_ENV, CLIENT_SECRET_ENV

SANDBOX_PORT = 8900


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="run the sandbox org and the bot, print the chat's URL")
    add_config_option(parser)
    parser.add_argument("--port", type=int, default=None, help="the bot's port (config's)")
    parser.add_argument(
        "--sandbox-port", type=int, default=SANDBOX_PORT, help="the sandbox org's port"
    )
    add_loop_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_loop(_demo(args), args.loop)


def install_templates(config: Config) -> list[str]:
    """Install every Salesforce template not yet there; files the author changed are kept."""
    installer = Installer("salesforce", dialogs_dir(config))
    missing = [
        name
        for name in installer.available
        if installer.state(name) in (InstallState.NOT_INSTALLED, InstallState.OUTDATED)
    ]
    if missing:
        installer.install(missing)
    return missing


def pointed_at(config: Config, sandbox_url: str, port: int | None) -> Config:
    salesforce = dataclasses.replace(
        config.integrations.salesforce,
        enabled=True,
        app=SalesforceApp.SYSTEM,
        login_url=sandbox_url,
    )
    integrations = dataclasses.replace(config.integrations, salesforce=salesforce)
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
    from channels.server import create_app, wait_for_signal
    from runtime.bot import Bot
    from sandbox.server import run_sandbox

    config = config_from(args)
    installed = install_templates(config)
    async with contextlib.AsyncExitStack() as stack:
        try:
            sandbox = await stack.enter_async_context(
                run_sandbox(port=args.sandbox_port, db=config.root / "var" / "sandbox.db")
            )
        except OSError as exc:
            raise ParleyError(
                f"The sandbox org could not listen on 127.0.0.1:{args.sandbox_port} "
                f"({exc.strerror}). Pick another port with --sandbox-port."
            ) from exc
        demo = pointed_at(config, sandbox.url, args.port)
        env = {
            **os.environ,
            CLIENT_ID_ENV: sandbox.client_id,
            CLIENT_SECRET_ENV: sandbox.client_secret,
        }
        bot = await Bot.open(demo, env=env)
        stack.push_async_callback(bot.close)
        runner = web.AppRunner(create_app(bot), handle_signals=False)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        try:
            await web.TCPSite(runner, demo.server.host, demo.server.port).start()
        except OSError as exc:
            raise ParleyError(
                f"The bot could not listen on {demo.server.host}:{demo.server.port} "
                f"({exc.strerror}). Pick another port with --port."
            ) from exc
        _announce(demo, sandbox, installed, dialogs_dir(config))
        await wait_for_signal()
    return 0


def _announce(config: Config, sandbox: Any, installed: list[str], folder: Path) -> None:
    if installed:
        print(
            f"Installed Salesforce templates into {folder / 'salesforce'}: {', '.join(installed)}"
        )
    print(f"Sandbox org:  {sandbox.url}  (login {sandbox.username} / {sandbox.password})")
    print(f"Web chat:     {config.server.public_url}/")
    print("Try: create a lead, search leads, show all leads. Ctrl-C stops both.", flush=True)
