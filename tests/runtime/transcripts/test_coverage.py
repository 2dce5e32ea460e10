"""Coverage: the nodes and branches no transcript visited, with file and line, and a total."""

from __future__ import annotations

from runtime.transcripts import Runner

PIZZA_ONLY = """
steps:
  - user: order a pizza
  - bot: {contains: size}
  - user: small
  - bot: Your name?
  - user: Al
  - bot: Thanks Al, a small pizza is coming.
"""

LOOKUP_DOWN = """
stubs:
  fetch: {error: connection refused}
steps:
  - user: look up my order
  - bot: Which order number?
  - user: "3"
  - bot: The order service is down.
"""


async def test_coverage_lists_what_no_transcript_visited(replay, tmp_path):
    reports: list[str] = []

    def keep(runner: Runner) -> None:
        assert runner.coverage is not None
        reports.append(runner.coverage.render())

    await replay({"pizza": PIZZA_ONLY, "down": LOOKUP_DOWN}, coverage=True, on_runner=keep)
    lookup = tmp_path / "bot" / "dialogs" / "lookup.yaml"
    pizza = tmp_path / "bot" / "dialogs" / "pizza.yaml"
    assert reports[0].splitlines() == [
        "Coverage (nodes and branches no transcript visited):",
        f"  lookup ({lookup}): 6/12 50.0%",
        f"    {lookup}:20: node 'found'",
        f"    {lookup}:24: node 'missing'",
        f"    {lookup}:17: branch 'fetch' -> 'found' (next when response.status == 200)",
        f"    {lookup}:19: branch 'fetch' -> 'missing' (next)",
        f"    {lookup}:23: branch 'found' -> 'end' (next)",
        f"    {lookup}:27: branch 'missing' -> 'end' (next)",
        f"  order_pizza ({pizza}): 6/6 100.0%",
        "Total coverage: 66.7% (12/18)",
    ]


async def test_without_transcripts_nothing_is_covered(replay):
    reports: list[str] = []
    await replay(
        {"none": "steps:\n  - user: hello\n  - bot: {contains: Sorry}\n"},
        coverage=True,
        on_runner=lambda runner: reports.append(runner.coverage.render()),
    )
    assert reports[0].splitlines()[-1] == "Total coverage: 0.0% (0/18)"
