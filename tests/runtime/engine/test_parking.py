"""The parked record: typed, stored as before, and the engine's side of authorization."""

from __future__ import annotations

import ast
from pathlib import Path

from runtime.engine.parking import Parked
from runtime.engine.state import ConversationState, Held, Status, decode, encode

ENGINE = Path(__file__).resolve().parents[3] / "runtime" / "engine"


def test_a_state_parked_by_an_earlier_version_still_reads():
    # What versions that kept `parked` as a dict stored: the same keys, so no migration.
    raw = (
        b'{"s":"abc","t":"parked","d":"lead","n":"create","p":{"profile":"crm",'
        b'"provider":"Acme CRM","link":"https://id.example/authorize?client_id=x&state=S1",'
        b'"until":1700000000.5},"h":[{"d":"note","n":"save","t":"parked","p":{"profile":"crm"}}]}'
    )
    state = decode(raw)
    assert state.status == Status.PARKED
    assert state.parked == Parked(
        profile="crm",
        provider="Acme CRM",
        link="https://id.example/authorize?client_id=x&state=S1",
        until=1700000000.5,
    )
    assert state.parked.link_state() == "S1"
    assert state.parked.expired(now=1700000001.0) and not state.parked.expired(now=1.0)
    assert state.held == [Held("note", "save", Status.PARKED, parked=Parked(profile="crm"))]
    assert decode(encode(state)) == state


def test_the_stored_form_keeps_the_keys_and_leaves_out_defaults():
    state = ConversationState(session="abc", status=Status.PARKED, parked=Parked("crm", "CRM"))
    assert b'"p":{"profile":"crm","provider":"CRM"}' in encode(state)


def test_a_parked_record_without_a_link_counts_as_expired():
    assert Parked("crm").expired()
    assert Parked("crm").link_state() == ""


def test_the_engine_never_imports_the_auth_package():
    # runtime.auth implements runtime.engine.authorization.Authorizer: one direction only.
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("runtime.auth"), f"{path.name}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("runtime.auth"), path.name
