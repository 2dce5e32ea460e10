"""The bot's one HTTP server: `create_app(bot)` for tests and embedding, `serve(config)` to run.

    GET  /                   web chat page (channels.web.enabled)
    GET  /static/...         its CSS, JS and icon (/favicon.ico leads there)
    POST /api/sessions       an identity: {"user_id", "token"}
    GET  /ws?token=          WebSocket (channels.websocket.enabled)
    POST /webhook            webhook (channels.webhook.enabled)
    GET  /webhook/messages   messages waiting for a webhook user (sync mode)
    GET  /oauth/callback     OAuth 2.0 redirect target
    GET  /healthz, /metrics  operations

Shutdown (SIGINT or SIGTERM under `serve`): the listening socket closes, new turns are refused,
turns in flight finish and are stored, then every WebSocket is closed with 1001 (going away),
pending webhook callbacks stay stored for the next start, and the store closes last.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any

from aiohttp import WSCloseCode, web

from channels.base import Channel, Deliveries
from channels.callbacks import CallbackPoster
from channels.health import Operations
from channels.heap import HeapKeeper
from channels.hub import SocketHub
from channels.identity import UserTokens
from channels.listening import cannot_listen
from channels.logs import quiet_parse_errors
from channels.metrics import Metrics
from channels.oauth_callback import PATH as CALLBACK
from channels.oauth_callback import OAuthCallback
from channels.origins import Origins
from channels.pages import Pages
from channels.responses import close_after_encoded_body, errors_as_json
from channels.sessions import Sessions
from channels.settings import ChannelSettings
from channels.task_dump import dump_tasks
from channels.turns import Turns
from channels.webhook import WebhookChannel
from channels.websocket import WebSocketChannel
from runtime.auth.crypto import load_or_create_key
from runtime.bot import Bot
from runtime.config import Config, ServerConfig, WebhookMode
from runtime.engine.messages import Outbound
from runtime.engine.turn import Deliver, User
from runtime.errors import ChannelError, ParleyError

log = logging.getLogger("parley.channels")

BOT = web.AppKey("bot", Bot)
SETTINGS = web.AppKey("settings", ChannelSettings)
METRICS = web.AppKey("metrics", Metrics)
TURNS = web.AppKey("turns", Turns)
HUB = web.AppKey("hub", SocketHub)
TOKENS = web.AppKey("tokens", UserTokens)
CHANNELS = web.AppKey("channels", dict[str, Channel])
POSTER = web.AppKey("poster", CallbackPoster)  # present in async webhook mode only
DELIVERIES = web.AppKey("deliveries", Deliveries)


def create_app(
    bot: Bot, settings: ChannelSettings | None = None, *, metrics: Metrics | None = None
) -> web.Application:
    """The server's application for an opened bot; the caller closes the bot after the app.

    `metrics` counts service calls when the bot was opened with its `executor_hooks()` (see
    `open_bot`); without, the app has metrics of its own that count everything else."""
    settings = settings or ChannelSettings()
    config = bot.config
    quiet_parse_errors()
    app = web.Application(middlewares=[errors_as_json], client_max_size=settings.webhook_max_body)
    app.on_response_prepare.append(close_after_encoded_body)
    metrics = metrics or Metrics(sessions_every=settings.sessions_every)
    turns = Turns(bot.engine, metrics)
    hub = SocketHub(bot.store)
    tokens = UserTokens(
        load_or_create_key(config.secrets.key, config.root / "var"), settings.token_ttl
    )
    origins = Origins.from_config(config)
    pages = Pages(config.bot.name)
    app[BOT], app[SETTINGS], app[METRICS], app[TURNS], app[HUB], app[TOKENS] = (
        bot, settings, metrics, turns, hub, tokens
    )  # fmt: skip

    channels: dict[str, Channel] = {}
    if config.channels.websocket.enabled:
        channels["websocket"] = WebSocketChannel(
            hub=hub,
            tokens=tokens,
            origins=origins,
            turns=turns,
            settings=settings,
            rate=settings.rate(config.conversation.rate_limit),
        )
        secure = config.server.public_url.startswith("https:")
        Sessions(tokens=tokens, origins=origins, secure_cookie=secure).add_routes(app)
    webhook = config.channels.webhook
    poster = None
    if webhook.enabled:
        if webhook.mode is WebhookMode.ASYNC and webhook.secret:
            poster = app[POSTER] = CallbackPoster(
                bot.store,
                url=webhook.callback_url,
                secret=webhook.secret,
                timeout=settings.callback_timeout,
                first_delay=settings.retry_first,
                max_delay=settings.retry_max,
            )
        channels["webhook"] = WebhookChannel(
            config=webhook, store=bot.store, turns=turns, settings=settings, poster=poster
        )
    for channel in channels.values():
        channel.add_routes(app)
    metrics.websockets.set_function(lambda: len(hub))
    if poster is not None:
        metrics.webhook_pending.set_function(lambda: len(poster))
    app[CHANNELS] = channels

    if webhook.enabled and not webhook.secret:
        log.warning("channels.webhook has no secret: /webhook answers 503 until one is set")
    app[DELIVERIES] = Deliveries(channels, bot.store)
    OAuthCallback(turns=turns, tokens=tokens, deliveries=app[DELIVERIES], pages=pages).add_routes(
        app
    )
    Operations(bot=bot, turns=turns, metrics=metrics).add_routes(app)
    if config.channels.web.enabled:
        if "websocket" in channels:
            pages.add_routes(app)
        else:
            log.warning("the web chat needs channels.websocket: it is not served")

    app.cleanup_ctx.append(_lifecycle)
    app.on_shutdown.append(_shutdown)
    return app


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    """Hear outbox announcements of other instances; resume and, at the
    end, stop webhook callbacks."""
    listener = asyncio.create_task(app[HUB].listen())
    poster = app.get(POSTER)
    if poster is not None:
        resumed = await poster.start()
        if resumed:
            log.info("resuming %d undelivered webhook callbacks", resumed)
    recovery = asyncio.create_task(_recover(app))
    try:
        yield
    finally:
        for task in (listener, recovery):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if poster is not None:
            await poster.close()
        await app[METRICS].close()


async def _recover(app: web.Application) -> None:
    """Calls a killed process left in flight: find out what became of them (each node's
    `verify`) and tell their users, without waiting for them to write first."""
    deliveries = app[DELIVERIES]

    def deliver_to(user: User) -> Deliver:
        async def deliver(message: Outbound) -> None:
            await deliveries.to_user(user, [message])

        return deliver

    try:
        await app[TURNS].recover(deliver_to)
    except ChannelError:  # shutting down already: the next start finds them again
        pass
    except Exception:
        log.exception(
            "finding out about calls left in flight failed; each user's next message will"
        )


async def _shutdown(app: web.Application) -> None:
    turns = app[TURNS]
    turns.closing = True
    if not await turns.wait_idle(app[SETTINGS].shutdown_grace):
        log.warning(
            "turns still running after %.0f s; closing anyway", app[SETTINGS].shutdown_grace
        )
    await app[HUB].close_all(WSCloseCode.GOING_AWAY, "server shutting down")


async def serve(
    config: Config,
    *,
    host: str | None = None,
    port: int | None = None,
    settings: ChannelSettings | None = None,
) -> None:
    """Run the server until SIGINT or SIGTERM, then shut down gracefully.

    `host` and `port` override `server.host` and `server.port`: the server listens there
    whatever `public_url` says. A `public_url` that was the configured address (the default)
    follows them, and so do callback URLs derived from it; another one (a proxy's, say) stays.
    """
    config = _listening_on(config, host, port)
    settings = settings or ChannelSettings()
    bot, metrics = await open_bot(config, settings)
    try:
        app = create_app(bot, settings, metrics=metrics)
        runner = app_runner(app)
        await runner.setup()
        settle_heap()
        hub = app[HUB]
        keeper = HeapKeeper(open_sockets=hub.__len__, closed_sockets=lambda: hub.closed)
        keeper.start()
        try:
            site = web.TCPSite(runner, config.server.host, config.server.port)
            try:
                await site.start()
            except OSError as exc:
                where = (config.server.host, config.server.port)
                raise ParleyError(cannot_listen(*where, exc)) from exc
            _announce(config, runner)
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGUSR1, dump_tasks)  # what every task waits for
            try:
                await wait_for_signal()
            finally:
                loop.remove_signal_handler(signal.SIGUSR1)
        finally:
            keeper.stop()
            await runner.cleanup()
    finally:
        await bot.close()


async def open_bot(
    config: Config, settings: ChannelSettings, *, env: Mapping[str, str] | None = None
) -> tuple[Bot, Metrics]:
    """The bot, opened with the hooks of the metrics that `create_app` is then given."""
    metrics = Metrics(sessions_every=settings.sessions_every)
    return await Bot.open(config, env=env, hooks=metrics.executor_hooks()), metrics


# aiohttp rounds a timer longer than this many seconds up to a whole second, so the heartbeats
# of every WebSocket opened within one second fired in one go, 30 s later and every 30 s: with
# a thousand connecting a second, a burst of pings that held turns up for 100-200 ms
# (bench/scale). Nothing of ours needs its timers rounded.
TIMER_ROUNDING = 10**9


def app_runner(app: web.Application, **options: Any) -> web.AppRunner:
    """The runner `parley serve` runs `app` with: signals are its own, timers not rounded."""
    return web.AppRunner(
        app, handle_signals=False, timeout_ceil_threshold=TIMER_ROUNDING, **options
    )


def settle_heap() -> None:
    """Leave what start-up loaded (the trained matcher, locale data, compiled dialogs: some
    150,000 objects that live as long as the process) out of the garbage collector's full
    passes, which otherwise walk all of them every few hundred turns."""
    gc.collect()
    gc.freeze()


def _listening_on(config: Config, host: str | None, port: int | None) -> Config:
    old = config.server
    server = replace(
        old,
        host=old.host if host is None else host,
        port=old.port if port is None else port,
    )
    if server == old:
        return config
    if old.public_url != _address(old):
        # public_url is where users reach the bot (a proxy in front of it, say), which the
        # address it listens on does not change.
        return replace(config, server=server)
    server = replace(server, public_url=_address(server))
    old_callback, callback = old.public_url + CALLBACK, server.public_url + CALLBACK
    profiles = {
        name: replace(p, callback_url=callback) if p.callback_url == old_callback else p
        for name, p in config.auth_profiles.items()
    }
    return replace(config, server=server, auth_profiles=profiles)


def _address(server: ServerConfig) -> str:
    host = f"[{server.host}]" if ":" in server.host else server.host
    return f"http://{host}:{server.port}"


def _announce(config: Config, runner: web.AppRunner) -> None:
    bound = runner.addresses[0] if runner.addresses else None
    where = (
        f"http://{bound[0]}:{bound[1]}" if isinstance(bound, tuple) else config.server.public_url
    )
    module = type(asyncio.get_running_loop()).__module__
    loop = "uvloop" if module.startswith("uvloop") else "asyncio"
    print(f"{config.bot.name} is listening on {where} ({loop} event loop)", flush=True)
    if config.channels.web.enabled and config.channels.websocket.enabled:
        print(f"Web chat: {config.server.public_url}/", flush=True)


async def wait_for_signal() -> None:
    """Return once the process gets SIGINT or SIGTERM (their default handlers are restored)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
