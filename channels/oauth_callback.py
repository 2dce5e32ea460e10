"""`GET /oauth/callback`: where identity providers send the browser back.

The browser's own session (the signed token in the `parley_session` cookie, set by the web chat)
is the presenter: a link issued to another user is refused. The page says the engine's sentence
(escaped), and what the resumed conversation said goes to the user's channel.
"""

from __future__ import annotations

import logging

from aiohttp import web

from channels.base import Deliveries
from channels.identity import COOKIE, UserTokens
from channels.pages import Pages
from channels.turns import UNAVAILABLE, Turns
from channels.websocket import WebSocketChannel
from runtime.config.model import CALLBACK_PATH
from runtime.engine.authorization import Outcome
from runtime.engine.messages import Outbound
from runtime.engine.turn import Deliver, User
from runtime.errors import ChannelError

log = logging.getLogger("parley.channels")

PATH = CALLBACK_PATH
FAILED = "The authorization could not be completed. Please try again from the chat."
MAX_PARAM_CHARS = 4096


class OAuthCallback:
    def __init__(
        self, *, turns: Turns, tokens: UserTokens, deliveries: Deliveries, pages: Pages
    ) -> None:
        self.turns = turns
        self.tokens = tokens
        self.deliveries = deliveries
        self.pages = pages

    def _deliver_to(self, user: User) -> Deliver:
        """Each message of the resumed conversation goes to the user's channel as it is made."""

        async def deliver(message: Outbound) -> None:
            await self.deliveries.to_user(user, [message])

        return deliver

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        query = request.query
        state, code, error = query.get("state", ""), query.get("code"), query.get("error")
        if any(v and len(v) > MAX_PARAM_CHARS for v in (state, code, error)):
            return self.pages.callback(FAILED, ok=False, status=400)
        presenter = self.tokens.user_or_none(request.cookies.get(COOKIE))
        try:
            result = await self.turns.callback(
                state=state,
                code=code,
                error=error,
                presenter=presenter,
                presenter_channel=WebSocketChannel.name,  # the chat cookie is the web chat's
                deliver_to=self._deliver_to,
            )
        except ChannelError:
            return self.pages.callback(UNAVAILABLE, ok=False, status=503)
        except Exception:
            log.exception("the OAuth callback failed")
            return self.pages.callback(FAILED, ok=False, status=500)
        ok = result.outcome is Outcome.CONNECTED
        return self.pages.callback(result.page, ok=ok, status=200 if ok else 400)
