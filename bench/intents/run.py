"""`python -m bench.intents.run`: the intent matcher on held-out phrasings, technique by technique,
then its speed: matches per second, p99 of one match, and the load time of a bot with 100
dialogs of 15 utterances each.

The held-out set (`heldout.yaml`) was written apart from the dialogs' utterances; the run
refuses to score it if any of its texts is also a training utterance.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml

from bench.intents.rapidfuzz_blend import BlendMatcher
from runtime.config import load_config
from runtime.dialogs.loader import load_dialogs
from runtime.dialogs.model import Dialog
from runtime.intents.matcher import IntentMatcher
from runtime.intents.out_of_scope import OUT_OF_SCOPE
from runtime.intents.small_talk import default_small_talk
from runtime.intents.utterances import utterance_key

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SETS = {
    "heldout.yaml": "held-out set (the matcher was tuned while looking at its misses)",
    "fresh.yaml": "fresh set (written after the tuning, by someone who saw neither set nor the "
    "training utterances; never tuned against)",
}
NONE = "(none)"

Predict = Callable[[str], str]  # a dialog id, a small-talk kind, "?a|b" (ambiguous) or NONE


def heldout(name: str = "heldout.yaml") -> list[tuple[str, str]]:
    return [(e["text"], e["expect"] or NONE) for e in yaml.safe_load((HERE / name).read_text())]


def bot_dialogs() -> list[Dialog]:
    return load_dialogs([ROOT / "dialogs"])


def check_disjoint(dialogs: list[Dialog], cases: list[tuple[str, str]]) -> None:
    """No phrasing of a set may be a training sentence: an utterance, small talk or one of the
    generic out-of-scope sentences."""
    trained = {utterance_key(u) for d in dialogs for u in d.intents}
    trained |= {utterance_key(u) for r in default_small_talk() for u in r.all_utterances()}
    trained |= {utterance_key(u) for u in OUT_OF_SCOPE}
    trained |= {utterance_key(u) for d in dialogs for u in d.not_intents}
    leaked = [text for text, _ in cases if utterance_key(text) in trained]
    if leaked:
        raise SystemExit(f"held-out texts that are training sentences: {leaked}")


def predictor(matcher: IntentMatcher) -> Predict:
    def predict(text: str) -> str:
        result = matcher.match(text)
        if result.best is not None:
            return result.best.dialog
        if result.small_talk is not None:
            return result.small_talk
        if result.candidates:
            return "?" + "|".join(m.dialog for m in result.candidates)
        return NONE

    return predict


def blend_predictor(matcher: BlendMatcher) -> Predict:
    def predict(text: str) -> str:
        result = matcher.match(text)
        if result.best is not None:
            return result.best.dialog
        if result.candidates:
            return "?" + "|".join(m.dialog for m in result.candidates)
        return NONE

    return predict


def techniques(dialogs: list[Dialog], synonyms: list) -> dict[str, Predict]:
    examples = [(d.id, u) for d in dialogs for u in d.intents]
    negatives = [(d.id, u) for d in dialogs for u in d.not_intents]
    talk = default_small_talk()
    # small talk as plain classes, so that the blend has the same chance
    blend_examples = examples + [(r.kind, u) for r in talk for u in r.all_utterances()]
    return {
        "rapidfuzz blend (before)": blend_predictor(BlendMatcher(blend_examples, threshold=70)),
        "TF-IDF words + char n-grams, logistic regression": predictor(
            IntentMatcher(examples, small_talk=talk, out_of_scope=(), anchored=False)
        ),
        "+ out-of-scope class": predictor(IntentMatcher(examples, small_talk=talk, anchored=False)),
        "+ synonyms": predictor(
            IntentMatcher(examples, small_talk=talk, synonyms=synonyms, anchored=False)
        ),
        "+ anchor words": predictor(IntentMatcher(examples, small_talk=talk, synonyms=synonyms)),
        "+ the dialogs' not_intents (Parley's matcher)": predictor(
            IntentMatcher(examples, small_talk=talk, synonyms=synonyms, not_intents=negatives)
        ),
    }


def score(predict: Predict, cases: list[tuple[str, str]]) -> dict[str, object]:
    right = asked = 0
    chit_chat_started = 0
    by_group: Counter[str] = Counter()
    group_total: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for text, expected in cases:
        got = predict(text)
        group = "chit-chat" if expected == NONE else expected
        group_total[group] += 1
        if got == expected:
            right += 1
            by_group[group] += 1
        else:
            if got.startswith("?") and expected in got[1:].split("|"):
                asked += 1
            confusions[(expected, got)] += 1
            if expected == NONE and got != NONE and not got.startswith("?"):
                chit_chat_started += 1 if got not in SMALL_TALK_KINDS else 0
    return {
        "accuracy": right / len(cases),
        "asked": asked / len(cases),
        "chit_chat_started": chit_chat_started,
        "by_group": {g: (by_group[g], group_total[g]) for g in group_total},
        "confusions": confusions,
    }


SMALL_TALK_KINDS = {r.kind for r in default_small_talk()}


def speed(matcher: IntentMatcher, texts: list[str], rounds: int) -> tuple[float, float, float]:
    timings = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            matcher.match(text)
            timings.append(time.perf_counter() - start)
    timings.sort()
    per_second = len(timings) / sum(timings)
    return per_second, timings[len(timings) // 2] * 1e6, timings[int(len(timings) * 0.99)] * 1e6


WORDS = [
    "account",
    "invoice",
    "ticket",
    "order",
    "shipment",
    "refund",
    "booking",
    "meeting",
    "contract",
    "quote",
    "report",
    "task",
    "customer",
    "supplier",
    "product",
    "payment",
    "delivery",
    "subscription",
    "appointment",
    "claim",
    "case",
    "project",
    "budget",
    "expense",
    "employee",
    "holiday",
    "review",
    "survey",
    "campaign",
    "device",
    "license",
    "password",
    "profile",
]
VERBS = [
    "create",
    "open",
    "show",
    "list",
    "cancel",
    "change",
    "update",
    "find",
    "check",
    "renew",
    "close",
    "approve",
    "send",
]
FRAMES = (
    "{v} a {a} {b}",
    "i want to {v} my {a} {b}",
    "can you {v} the {a} {b}",
    "please {v} {a} {b}",
    "{v} {a} {b} for me",
    "how do i {v} a {a} {b}",
    "i need to {v} an {a} {b}",
    "{a} {b} {v}",
    "help me {v} the {a} {b} today",
    "could you {v} a new {a} {b}",
    "{v} all {a} {b}s",
    "{v} this {a} {b} now",
    "{v} my latest {a} {b}",
    "let's {v} a {a} {b}",
    "quickly {v} one {a} {b}",
)


def synthetic_bot(dialogs: int, utterances: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    examples = []
    pairs = [(v, a, b) for v in VERBS for a in WORDS for b in WORDS if a != b]
    rng.shuffle(pairs)
    for i in range(dialogs):
        verb, a, b = pairs[i]
        for frame in FRAMES[:utterances]:
            examples.append((f"dialog_{i}", frame.format(v=verb, a=a, b=b)))
    return examples


def load_time(dialogs: int, utterances: int, rounds: int) -> list[float]:
    examples = synthetic_bot(dialogs, utterances)
    talk = default_small_talk()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        IntentMatcher(examples, small_talk=talk)
        times.append(time.perf_counter() - start)
    return times


def report(
    title: str, cases: list[tuple[str, str]], predictors: dict[str, Predict], misses: bool
) -> None:
    chit_chat = sum(1 for _, e in cases if e == NONE)
    print(f"\n## {title}: {len(cases)} phrasings, {chit_chat} of them chit-chat\n")
    print(
        f"| technique | right | asked, the right dialog among the buttons "
        f"| chit-chat that started a dialog (of {chit_chat}) |"
    )
    print("| --- | --- | --- | --- |")
    results = {}
    for name, predict in predictors.items():
        results[name] = result = score(predict, cases)
        print(
            f"| {name} | {result['accuracy']:.1%} | {result['asked']:.1%} "
            f"| {result['chit_chat_started']} |"
        )
    chosen = list(results)[-1]
    print(f"\nBy expected answer ({chosen}):\n")
    print("| expected | right |")
    print("| --- | --- |")
    for group, (right, total) in sorted(results[chosen]["by_group"].items()):
        print(f"| {group} | {right}/{total} |")
    for name, result in results.items():
        if misses or name == chosen:
            pairs = result["confusions"].most_common()
            print(f"\nMisses of {name} (expected -> got: count): ")
            print(", ".join(f"{e} -> {g}: {n}" for (e, g), n in pairs) or "none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the set for speed")
    parser.add_argument("--misses", action="store_true", help="list every miss of each technique")
    args = parser.parse_args()

    start = time.perf_counter()
    import sklearn.linear_model  # noqa: F401  (what importing the matcher's library costs)

    import_seconds = time.perf_counter() - start
    dialogs = bot_dialogs()
    config = load_config(ROOT / "config.yaml", env={})
    synonyms = [*config.synonyms, *(s for d in dialogs for s in d.synonyms)]
    print(f"{len(dialogs)} dialogs, {sum(len(d.intents) for d in dialogs)} training utterances")
    predictors = techniques(dialogs, synonyms)
    for name, title in SETS.items():
        cases = heldout(name)
        check_disjoint(dialogs, cases)
        report(title, cases, predictors, args.misses)

    matcher = IntentMatcher(
        [(d.id, u) for d in dialogs for u in d.intents],
        synonyms=synonyms,
        small_talk=default_small_talk(),
        not_intents=[(d.id, u) for d in dialogs for u in d.not_intents],
    )
    texts = [t for name in SETS for t, _ in heldout(name)]
    per_second, p50, p99 = speed(matcher, texts, args.rounds)
    loads = load_time(100, 15, 3)
    print()
    print("| speed | figure | goal |")
    print("| --- | --- | --- |")
    print(f"| matches per second (held-out texts) | {per_second:,.0f} | |")
    print(f"| one match, p50 / p99 | {p50:.0f} µs / {p99:.0f} µs | p99 < 500 µs |")
    print(
        f"| load, 100 dialogs x 15 utterances (fit), best / median of 3 | "
        f"{min(loads):.2f} s / {statistics.median(loads):.2f} s | < 2 s |"
    )
    print(f"| importing scikit-learn, once per process | {import_seconds:.2f} s | |")


if __name__ == "__main__":
    main()
