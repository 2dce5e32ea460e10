"""What every outbound HTTP call of Parley shares, in one place."""

from __future__ import annotations

# Seconds to wait for another system: a service node's request (unless its `timeout` says
# otherwise), OAuth's token and refresh calls, an integration's checks, the command line's.
HTTP_TIMEOUT = 10.0
