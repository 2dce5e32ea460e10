"""Ports and listening, said the same way by every command that opens one: `parley serve`,
`demo`, `sandbox` and `integrations authorize`.

`port_number` is the argparse type of a `--port` option (1-65535, or 0 for any free port);
`cannot_listen` words a failed bind as ``cannot listen on HOST:PORT: REASON``. The sandbox org,
which imports nothing of Parley, repeats both in `sandbox.cli` (a test keeps them alike).
"""

from __future__ import annotations

import argparse
import errno
import socket

ANY_PORT = 0
LAST_PORT = 65535


def port_number(text: str) -> int:
    """A `--port` value: a whole number from 1 to 65535, or 0 for any free port."""
    port = int(text) if text.isdigit() else -1
    if not ANY_PORT <= port <= LAST_PORT:
        raise argparse.ArgumentTypeError(
            f"expected a port from 1 to {LAST_PORT} (0 for any free port), got {text!r}"
        )
    return port


def address(host: str, port: int) -> str:
    """``host:port``, an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def cannot_listen(host: str, port: int, error: OSError, option: str | None = "--port") -> str:
    """The one sentence for a server that could not bind `host:port`; `option` is the command
    line option that picks another port (None: there is none to suggest)."""
    choose = f"; choose another with {option}" if option else ""
    if isinstance(error, socket.gaierror):
        reason = f"{host!r} is not a host name or address this machine knows"
    elif error.errno == errno.EADDRINUSE:
        reason = f"another program is using port {port}{choose}"
    elif error.errno == errno.EACCES:
        reason = f"permission denied (ports below 1024 need administrator rights){choose}"
    elif error.errno == errno.EADDRNOTAVAIL:
        reason = f"{host} is not an address of this machine"
    else:
        reason = (error.strerror or str(error) or type(error).__name__).lower()
    return f"cannot listen on {address(host, port)}: {reason}"
