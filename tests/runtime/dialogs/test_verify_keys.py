"""`verify`, `on_unknown` and `idempotency_key` on service nodes: read, checked, with lines."""

from __future__ import annotations

from textwrap import dedent

import pytest

from runtime.dialogs.loader import load_dialog
from runtime.dialogs.model import IdempotencyKey, ServiceNode
from runtime.errors import DefinitionError


def load(text: str):
    return load_dialog(text, "d.yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load(text)
    return [f"{p.line}: {p.message}" for p in info.value.problems]


def dialog(service: str, method: str = "POST") -> str:
    """A dialog whose service node `call` also has `service` (its keys, at line 8 on)."""
    keys = "\n".join("    " + line for line in dedent(service).strip().splitlines())
    return f"""\
dialog: d
nodes:
  - id: call
    type: service
    request:
      method: {method}
      url: "https://x.test/things"
{keys}
    next: done
  - id: done
    type: message
    text: Done.
  - id: unknown
    type: message
    text: Please check.
"""


def test_a_full_verify_is_read():
    d = load(
        dialog(
            """
            verify:
              url: "https://x.test/things"
              query: {q: "{{ call.since }}"}
              found: response.body.total > 0
              response: {status: 201, body: {id: "{{ response.body.items[0].id }}"}}
            on_unknown: unknown
            idempotency_key: "k-{{ call.attempt }}"
            """
        )
    )
    node = d.node("call")
    assert isinstance(node, ServiceNode) and node.guarded
    assert node.verify is not None
    assert node.verify.request.method == "GET"
    assert node.verify.found == "response.body.total > 0"
    assert node.verify.has_response
    assert node.on_unknown == "unknown"
    assert node.idempotency_key == IdempotencyKey("k-{{ call.attempt }}")


def test_an_idempotency_key_may_name_its_header():
    d = load(
        dialog(
            """
            idempotency_key: {header: X-Request-Id, value: "{{ session.id }}"}
            on_unknown: unknown
            """
        )
    )
    assert d.node("call").idempotency_key == IdempotencyKey("{{ session.id }}", "X-Request-Id")


def test_verify_mistakes_are_reported_at_their_lines():
    assert problems(
        dialog(
            """
            verify:
              method: POST
              url: "https://x.test/things"
              reponse: {}
            on_unknown: nowhere
            """
        )
    ) == [
        "8: `verify` of service node 'call' needs `found`, an expression over the verify "
        "answer that is true when the call took effect, e.g. found: response.body.totalSize > 0",
        "9: `verify` in service node 'call' must not change anything itself; use GET (a read "
        "or a query), not POST",
        "11: unknown key 'reponse' in `verify` of service node 'call'; did you mean 'response'?",
        "12: `on_unknown` in node 'call' names 'nowhere', which is not a node of dialog 'd'; "
        "name one of its nodes, or end",
    ]


def test_verify_on_a_get_is_pointless_and_reported():
    found = problems(
        dialog(
            """
            verify: {url: "https://x.test", found: "true"}
            on_unknown: unknown
            """,
            method="GET",
        )
    )
    assert found == [
        "8: `verify` in service node 'call' checks whether a call with a side effect happened; "
        "a GET has none, so remove `verify` (or give the request the method that changes "
        "something)"
    ]


def test_call_is_readable_only_in_verify_and_the_idempotency_key():
    found = problems(
        dialog(
            """
            verify:
              url: "https://x.test/{{ call.attempt }}"
              found: "call.started != '' and response.ok"
            on_unknown: unknown
            set: {when: call.started}
            """
        )
    )
    assert found == [
        "12: `set.when` of node 'call' reads `call`, which exists only in a service node's "
        "`verify` and `idempotency_key` (the call whose outcome is checked)"
    ]
