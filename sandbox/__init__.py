"""A local org that answers like Salesforce: OAuth 2.0, the REST API, SOQL and search.

Start one with `sandbox.server.run_sandbox` (tests, `parley demo`) or `sandbox.cli.main`
(`parley sandbox`). Nothing here imports Parley.
"""

from sandbox.server import RunningSandbox, run_sandbox

__all__ = [
    "RunningSandbox",
    "run_sandbox",
]
