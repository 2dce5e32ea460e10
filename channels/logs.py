"""What aiohttp's server logs about a request it could not parse: one WARNING line.

aiohttp answers a request it cannot parse (a request line or a header over its limits, a
malformed header, a bad chunk, a bad method) with a 400 before any handler runs, and logs it as
`ERROR aiohttp.server` "Error handling request from ADDRESS" with the parser's exception. That
exception's text holds the raw request line or header, so a client could flood the error log with
tracebacks, and a session token in the query (`/ws?token=...`) or in the `parley_session` cookie
reached the log as it was sent: redaction (`runtime.auth.redaction`) rewrites log messages, not
the texts of exceptions attached to them.

`quiet_parse_errors()` puts a filter on the `aiohttp.server` logger (the logger aiohttp's
`RequestHandler.handle_error` writes to) that rewrites those records, and only those: the level
becomes at most WARNING, the exception and its traceback are dropped, and the message names the
status and the exception's class, never what the client sent:

    WARNING aiohttp.server: Error handling request from 127.0.0.1: refused 400 (LineTooLong:
    a line over 8190 bytes)

A request whose body cannot be read (a Content-Encoding that does not decode, broken chunks)
gets its answer from the handler (400, or 404/405 without reading it), and then aiohttp, draining
what is left of the body, logs the parser's error again as `ERROR aiohttp.server` "Unhandled
exception" (`RequestPayloadError`). That record too becomes one WARNING line:

    WARNING aiohttp.server: Unhandled exception: a request body that could not be read
    (ContentEncodingError); connection closed

Any other record of that logger (a failure of the server itself) is left as it is.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError, LineTooLong
from aiohttp.web_protocol import RequestPayloadError

SERVER_LOGGER = "aiohttp.server"


class ParseErrorsAsWarnings(logging.Filter):
    """Rewrites the records of requests aiohttp could not parse (see the module's text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            what = type(exc).__name__
            if isinstance(exc, LineTooLong) and len(exc.args) > 1:
                what += f": a line over {exc.args[1]} bytes"  # args: (line, limit, actual size)
            outcome = f"refused {exc.code or 400} ({what})"
        elif isinstance(exc, RequestPayloadError):
            cause = type(exc.__cause__ or exc).__name__  # the parser's error, its text unsaid
            outcome = f"a request body that could not be read ({cause}); connection closed"
        else:
            return True
        try:
            said = record.getMessage()
        except Exception:  # a broken format string: say only what happened
            said = "Error handling request"
        record.msg = f"{said}: {outcome}"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True


def quiet_parse_errors() -> None:
    """Install the filter on aiohttp's server logger (idempotent)."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, ParseErrorsAsWarnings) for f in logger.filters):
        logger.addFilter(ParseErrorsAsWarnings())
