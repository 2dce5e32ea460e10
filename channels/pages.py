"""The HTML the server renders: the web chat page and the OAuth callback page.

Templates live in `channels/web/` beside the CSS, JS and icon they use; jinja2 escapes every
value. `GET /static/NAME` serves those files by name (`STATIC`) and nothing else of the folder:
a name is looked up, never joined to a path (aiohttp's directory handler answered 500 to a name
longer than the file system allows, and served the templates and `__init__.py`).
`GET /favicon.ico`, which browsers ask for on their own, redirects to the SVG icon, so it is
never a 404 in the console.
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


STATIC = frozenset({"chat.css", "chat.js", "favicon.svg"})
FAVICON = "/static/favicon.svg"


class Pages:
    def __init__(self, bot_name: str) -> None:
        self.bot_name = bot_name
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(WEB_DIR),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    def add_routes(self, app: web.Application) -> None:
        """The web chat's routes: its page, its static files and the icon."""
        app.router.add_get("/", self.chat)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/favicon.ico", self.favicon)

    async def chat(self, request: web.Request) -> web.Response:
        """`GET /`: the web chat page."""
        return self._page("index.html", 200)

    async def static(self, request: web.Request) -> web.StreamResponse:
        """`GET /static/NAME`: the web chat's CSS or JS; 404 for any other name."""
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        return web.FileResponse(WEB_DIR / name)

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        """`GET /favicon.ico`: a permanent redirect to the SVG icon (browsers follow it and
        cache it; every current browser draws an SVG icon)."""
        raise web.HTTPMovedPermanently(FAVICON)

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
