"""`parley integrations`: what is available, configured and authorized; pre-authorizing.

`authorize NAME` prints the identity provider's link, receives the callback (on the running
server, or on a temporary listener at the callback URL when none runs), stores the bot's token
and says who is connected.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import html
import socket
import time
from urllib.parse import urlsplit

from aiohttp import web

from channels.listening import cannot_listen
from runtime.auth.authorizer import PAGE_TEXT, Outcome, Verdict
from runtime.auth.profiles import BOT_SUBJECT, PRE_AUTHORIZED, Profile
from runtime.bot import Bot
from runtime.cli.common import add_config_option, config_from
from runtime.errors import ParleyError
from runtime.outbound import HTTP_TIMEOUT
from runtime.plugins import Listing, integrations

WAIT_SECONDS = 600.0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("integrations", help="list and authorize integrations")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="each integration and auth profile, and its state")
    add_config_option(listing)
    listing.set_defaults(func=run_list)
    authorize = actions.add_parser("authorize", help="connect the bot itself (pre_authorized)")
    authorize.add_argument("name", help="an auth profile or integration, e.g. salesforce")
    authorize.add_argument("--timeout", type=float, default=WAIT_SECONDS, help=argparse.SUPPRESS)
    add_config_option(authorize)
    authorize.set_defaults(func=run_authorize)
    try:
        from runtime.cli import templates

        templates.register(actions)
    except ImportError:  # pragma: no cover - the templates commands arrive with the integration
        pass


def run_list(args: argparse.Namespace) -> int:
    return asyncio.run(_list(args))


async def _list(args: argparse.Namespace) -> int:
    config = config_from(args)
    bot = await Bot.open(config)
    try:
        authorizer = bot.authorizer
        rows = [("name", "available", "configured", "authorized", "app", "mode")]
        owner: dict[
            str, Listing
        ] = {}  # profile name -> the integration's listing, for the profiles they add
        for integration in integrations():
            settings = config.integrations.get(integration.name)
            if settings is None:
                continue
            listing = integration.listing(settings)
            owned = settings.profile_names()
            owner |= dict.fromkeys(owned, listing)
            if not owned:
                row = (integration.name, "yes", "no (disabled)", "-", listing.app, listing.mode)
                rows.append(row)
        for name in sorted(authorizer.profiles):
            profile = authorizer.profiles[name]
            listing = owner.get(name, Listing())
            configured = (
                "yes" if not profile.missing() else "missing " + ", ".join(profile.missing())
            )
            if profile.missing() and listing.unset:
                configured = listing.unset
            if profile.mode == PRE_AUTHORIZED:
                token = await authorizer.tokens.get(name, BOT_SUBJECT)
                authorized = "yes" if token else "no"
            else:
                authorized = "per user"
            rows.append((name, "yes", configured, authorized, listing.app, profile.mode))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    finally:
        await bot.close()
    return 0


def run_authorize(args: argparse.Namespace) -> int:
    return asyncio.run(_authorize(args))


async def _authorize(args: argparse.Namespace) -> int:
    config = config_from(args)
    bot = await Bot.open(config)
    try:
        authorizer = bot.authorizer
        profile = authorizer.profiles.get(args.name)
        if profile is None:
            known = ", ".join(sorted(authorizer.profiles)) or "none"
            raise ParleyError(f"There is no auth profile {args.name!r}. Profiles: {known}.")
        if profile.mode != PRE_AUTHORIZED:
            raise ParleyError(
                f"Profile {profile.name!r} is per_user: each user authorizes in the conversation. "
                "Set its mode to pre_authorized to connect the bot itself."
            )
        link = await authorizer.link(
            profile, user_id=BOT_SUBJECT, channel="cli", session="cli", node=""
        )
        print(f"Open this link in a browser and approve access to {profile.provider}:")
        print(link, flush=True)
        verdict = await _receive(bot, profile, args.timeout)
        if not verdict.ok:
            detail = verdict.detail or PAGE_TEXT[verdict.outcome]
            raise ParleyError(f"{profile.provider} was not connected: {detail}")
        print(await _who(bot, profile))
    finally:
        await bot.close()
    return 0


def _callback_address(profile: Profile) -> tuple[str, int, str]:
    parts = urlsplit(profile.callback_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "127.0.0.1", port, parts.path or "/"


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


async def _receive(bot: Bot, profile: Profile, timeout: float) -> Verdict:
    host, port, path = _callback_address(profile)
    try:
        free = _port_is_free(host, port)
    except OSError as exc:
        raise ParleyError(cannot_listen(host, port, exc, None)) from exc
    if not free:
        print(f"Waiting for the callback on the server running at {host}:{port}…", flush=True)
        return await _poll_for_token(bot, profile, timeout)
    print(f"Waiting for the callback on a temporary listener at {host}:{port}…", flush=True)
    done: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()

    async def callback(request: web.Request) -> web.Response:
        query = request.query
        verdict = await bot.authorizer.redeem(
            state=query.get("state", ""), code=query.get("code"), error=query.get("error")
        )
        if not done.done():
            done.set_result(verdict)
        text = verdict.detail or PAGE_TEXT[verdict.outcome]
        body = f"<!doctype html><title>Parley</title><p>{html.escape(text)}</p>"
        return web.Response(text=body, content_type="text/html")

    app = web.Application()
    app.router.add_get(path, callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ParleyError(cannot_listen(host, port, exc, None)) from exc
    try:
        return await asyncio.wait_for(done, timeout)
    except TimeoutError:
        return Verdict(Outcome.EXPIRED)
    finally:
        await runner.cleanup()


async def _poll_for_token(bot: Bot, profile: Profile, timeout: float) -> Verdict:
    tokens = bot.authorizer.tokens
    before = await tokens.get(profile.name, BOT_SUBJECT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        record = await tokens.get(profile.name, BOT_SUBJECT)
        if record is not None and (before is None or record.access_token != before.access_token):
            return Verdict(Outcome.CONNECTED)
    return Verdict(Outcome.EXPIRED)


async def _who(bot: Bot, profile: Profile) -> str:
    record = await bot.authorizer.tokens.get(profile.name, BOT_SUBJECT)
    facts = record.facts if record else {}
    identity = facts.get("id")
    name = ""
    if identity and record:
        try:
            response = await bot.http.get(
                identity,
                headers={"Authorization": f"Bearer {record.access_token}"},
                timeout=HTTP_TIMEOUT,
            )
            if response.is_success:
                data = response.json()
                name = data.get("username") or data.get("preferred_username") or ""
        except Exception:  # the identity lookup is a courtesy; the token is stored already
            name = ""
    where = f" (org {facts['org_id']})" if facts.get("org_id") else ""
    who = f" as {name}" if name else ""
    return f"Connected to {profile.provider}{who}{where}. The bot's token is stored."
