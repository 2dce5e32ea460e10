"""The turn meter's exposition matches what prometheus-client's own histogram would say."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from channels.metrics import TurnMeter


def samples(meter: TurnMeter) -> dict[tuple[str, tuple], float]:
    registry = CollectorRegistry()
    registry.register(meter)
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_turns_fall_in_the_first_bucket_whose_bound_they_do_not_exceed() -> None:
    meter = TurnMeter(buckets=(0.001, 0.01, 0.1))
    for seconds in (0.0005, 0.001, 0.002, 0.05, 3.0):
        meter.observe("websocket", seconds)
    meter.observe("webhook", 0.02)
    found = samples(meter)
    ws = ("channel", "websocket")
    assert found[("parley_turns_total", (ws,))] == 5
    assert found[("parley_turns_total", (("channel", "webhook"),))] == 1
    bucket = "parley_turn_seconds_bucket"
    assert [found[(bucket, (ws, ("le", le)))] for le in ("0.001", "0.01", "0.1", "+Inf")] == [
        2,
        3,
        4,
        5,
    ]
    assert found[("parley_turn_seconds_count", (ws,))] == 5
    assert abs(found[("parley_turn_seconds_sum", (ws,))] - 3.0535) < 1e-9


def test_a_channel_with_no_turns_is_not_exposed() -> None:
    found = samples(TurnMeter())
    assert not [key for key in found if key[0].startswith("parley_turn")]
