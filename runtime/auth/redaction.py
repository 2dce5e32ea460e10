"""Secrets never reach the logs: every log record is scrubbed as it is created.

A record factory (rather than a handler filter) catches records of every logger, including
third-party ones such as httpx2 and authlib, whatever handlers the application adds later.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_PATTERNS = (
    # Authorization: Bearer <token>, Basic <credentials>
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/!=-]{8,}"),
    # key=value and "key": "value" pairs of OAuth secrets, in URLs, forms and JSON
    re.compile(
        r"(?i)\b(access_token|refresh_token|client_secret|code_verifier|code|id_token|password"
        r"|token|signature)(\"?\s*[:=]\s*\"?)[^&\s\"',;]+"
    ),
    # Salesforce session ids: <15-char org id>!<opaque>
    re.compile(r"\b00D[A-Za-z0-9]{12}![A-Za-z0-9._-]{10,}"),
)


def redact(text: str) -> str:
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _PATTERNS[2].sub(REDACTED, text)


_installed = False


def install() -> None:
    """Scrub every log record created from now on (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the formatter to report
            return record
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
