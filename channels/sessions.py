"""`POST /api/sessions`: an identity for a browser or any WebSocket client.

Body: nothing, `{}`, or `{"token": TOKEN}` to keep the user of a still-valid token. Answer:
`{"user_id", "token"}` (a fresh token, so an active user's expiry moves on), and the same token
in an HttpOnly cookie for the OAuth callback. A browser `Origin` that is not allowed gets 403; a
body that is not a JSON object, or a `token` that is not a string or holds a NUL or a lone
surrogate, 400 `bad_request`. A token that is merely not valid (forged, expired) gets a new user.
"""

from __future__ import annotations

import json

from aiohttp import web

from channels.identity import COOKIE, UserTokens, new_user_id
from channels.origins import Origins
from channels.responses import json_error
from runtime.engine.text_input import malformed


class Sessions:
    def __init__(self, *, tokens: UserTokens, origins: Origins, secure_cookie: bool) -> None:
        self.tokens = tokens
        self.origins = origins
        self.secure_cookie = secure_cookie

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/api/sessions", self.create)

    async def create(self, request: web.Request) -> web.Response:
        if not self.origins.allows(request.headers.get("Origin")):
            return json_error(403, "forbidden", "This origin may not ask for an identity.")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return json_error(413, "too_long", "The body is too large for a session request.")
        previous = None
        if body.strip():
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
                return json_error(400, "bad_request", "The body must be a JSON object.")
            if not isinstance(data, dict):
                return json_error(400, "bad_request", "The body must be a JSON object.")
            previous = data.get("token")
            if previous is not None and (not isinstance(previous, str) or malformed(previous)):
                return json_error(400, "bad_request", "`token` must be a token string.")
        user_id = self.tokens.user_or_none(previous) if previous else None
        user_id = user_id or new_user_id()
        token = self.tokens.issue(user_id)
        response = web.json_response({"user_id": user_id, "token": token})
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(self.tokens.ttl),
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure_cookie,
        )
        return response
