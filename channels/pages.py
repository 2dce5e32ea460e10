"""The HTML the server renders: the web chat page and the OAuth callback page.

Templates live in `channels/web/` beside the CSS and JS they use; jinja2 escapes every value.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from aiohttp import web

WEB_DIR = Path(__file__).parent / "web"
# The page's own files only; the socket is same-origin, so 'self' covers it.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class Pages:
    def __init__(self, bot_name: str) -> None:
        self.bot_name = bot_name
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(WEB_DIR),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    async def chat(self, request: web.Request) -> web.Response:
        """`GET /`: the web chat page."""
        return self._page("index.html", 200)

    def callback(self, sentence: str, *, ok: bool, status: int) -> web.Response:
        return self._page("callback.html", status, sentence=sentence, ok=ok)

    def _page(self, name: str, status: int, **values: object) -> web.Response:
        html = self._env.get_template(name).render(bot_name=self.bot_name, **values)
        return web.Response(
            text=html,
            status=status,
            content_type="text/html",
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
        )
