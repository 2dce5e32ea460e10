"""Steps and bot messages written the way a transcript writes them, for reports and recordings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, assert_never

import yaml

from runtime.engine.messages import Outbound
from runtime.intents import IntentMatch
from runtime.transcripts.model import (
    RESTART_SERVER,
    UNSET,
    Authorize,
    BotSays,
    ExpectNoMore,
    ExpectState,
    Restart,
    Step,
    UserSays,
)


def message_step(message: Outbound) -> dict[str, Any]:
    """The `bot` step that a message passes exactly (its auth link by profile)."""
    if message.type == "auth_link":
        return {"bot": {"auth_link": message.profile}}
    if message.type == "cards":
        data: dict[str, Any] = {"text": message.text, "cards": card_titles(message)}
        if message.buttons:
            data["buttons"] = [label for label, _ in message.buttons]
        return {"bot": data}
    if message.buttons:
        return {"bot": {"text": message.text, "buttons": [label for label, _ in message.buttons]}}
    return {"bot": message.text}


def step_data(step: Step) -> dict[str, Any]:
    """A step as the YAML data it was written as."""
    if isinstance(step, UserSays):
        return {"user": step.text}
    if isinstance(step, BotSays):
        checks: dict[str, Any] = {
            "text": step.text,
            "match": step.match.pattern if step.match is not None else None,
            "contains": step.contains,
            "auth_link": step.auth_link,
            "buttons": list(step.buttons) if step.buttons is not None else None,
            "cards": list(step.cards) if step.cards is not None else None,
        }
        checks = {key: value for key, value in checks.items() if value is not None}
        return {"bot": checks["text"] if list(checks) == ["text"] else checks}
    if isinstance(step, Authorize):
        return {"authorize" if step.allow else "deny": step.profile}
    if isinstance(step, ExpectNoMore):
        return {"expect_no_more": True}
    if isinstance(step, ExpectState):
        return {"expect": expected_state(step)}
    if isinstance(step, Restart):
        return {"restart": RESTART_SERVER}
    assert_never(step)


def expected_state(step: ExpectState) -> dict[str, Any]:
    """What an `expect` step checks, as written; `intent` (not part of the state) last."""
    out: dict[str, Any] = {}
    for key in ("dialog", "node"):
        if getattr(step, key) is not UNSET:
            out[key] = getattr(step, key)
    if step.status is not None:
        out["status"] = step.status
    if "entities" in step.lines:
        out["entities"] = step.entities
    if "vars" in step.lines:
        out["vars"] = step.vars
    if step.held is not None:
        out["held"] = list(step.held)
    if step.intent is not UNSET:
        out["intent"] = step.intent
    return out


def scores(ranked: Iterable[IntentMatch], keep: str | None = None) -> str:
    """The matcher's ranking as ``order_pizza 91.3, small talk: greeting 4.2``: best first,
    scores under 0.05 left out unless the entry is `keep`."""
    return ", ".join(
        f"{score_label(m)} {m.score:.1f}" for m in ranked if m.score >= 0.05 or m.dialog == keep
    )


def score_label(match: IntentMatch) -> str:
    """A dialog's id, or ``small talk: greeting``."""
    kind = match.small_talk
    return match.dialog if kind is None else f"small talk: {kind}"


def one_line(data: dict[str, Any]) -> str:
    """``key: value`` on one line, the value in YAML's flow style."""
    ((key, value),) = data.items()
    return f"{key}: {flow(value)}"


def flow(value: Any) -> str:
    text = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1_000_000
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def card_titles(message: Outbound) -> list[str]:
    return [str(card.get("title", "")) for card in message.cards]


def describe_step(step: Step) -> str:
    return one_line(step_data(step))


def describe_message(message: Outbound, step: BotSays | None = None) -> str:
    """`message` as a `bot` step, showing what `step` checks (everything without a step)."""
    if step is None:
        return one_line(message_step(message))
    data: dict[str, Any] = {}
    if message.type == "auth_link":
        data["auth_link"] = message.profile
    checks_text = any(c is not None for c in (step.text, step.match, step.contains))
    if checks_text or (message.type != "auth_link" and step.buttons is None and step.cards is None):
        data["text"] = message.text
    if step.buttons is not None:
        data["buttons"] = [label for label, _ in message.buttons]
    if step.cards is not None:
        data["cards"] = card_titles(message)
    return one_line({"bot": data["text"] if list(data) == ["text"] else data})
