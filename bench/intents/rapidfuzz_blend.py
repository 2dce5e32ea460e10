"""The matcher Parley had before the trained one (kept here as the baseline of bench/intents).

Scoring blends rapidfuzz's token-set ratio (word overlap, order-free) with its partial
token-sort ratio (the utterance found inside a longer sentence), so "i want to create a new
lead for Acme" still finds "create a lead". An exact utterance always wins. When the two best
dialogs score within `margin` of each other the match is ambiguous and the caller asks which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils


@dataclass(frozen=True, slots=True)
class IntentMatch:
    dialog: str
    score: float
    utterance: str


@dataclass(frozen=True, slots=True)
class IntentResult:
    best: IntentMatch | None  # above the threshold and unambiguous
    candidates: tuple[IntentMatch, ...]  # when ambiguous: the close contenders, best first


def _blend(query: str, choice: str, **_: object) -> float:
    return 0.5 * fuzz.token_set_ratio(query, choice) + 0.5 * fuzz.partial_token_sort_ratio(
        query, choice
    )


class BlendMatcher:
    def __init__(
        self,
        examples: Iterable[tuple[str, str]],  # (dialog id, utterance)
        *,
        threshold: float = 70.0,
        margin: float = 3.0,
    ) -> None:
        pairs = [(dialog, utterance) for dialog, utterance in examples if utterance.strip()]
        self._dialogs = [d for d, _ in pairs]
        self._utterances = [u for _, u in pairs]
        self._processed = [utils.default_process(u) for u in self._utterances]
        self._exact = {p: i for i, p in reversed(list(enumerate(self._processed)))}
        self.threshold = threshold
        self.margin = margin

    def match(self, text: str) -> IntentResult:
        query = utils.default_process(text)
        if not query or not self._processed:
            return IntentResult(None, ())
        if query in self._exact:
            i = self._exact[query]
            return IntentResult(IntentMatch(self._dialogs[i], 100.0, self._utterances[i]), ())
        scored = process.extract(
            query,
            self._processed,
            scorer=_blend,
            processor=None,
            score_cutoff=self.threshold,
            limit=None,
        )
        best_per_dialog: dict[str, IntentMatch] = {}
        for _, score, i in sorted(scored, key=lambda r: -r[1]):
            best_per_dialog.setdefault(
                self._dialogs[i], IntentMatch(self._dialogs[i], score, self._utterances[i])
            )
        ranked = sorted(best_per_dialog.values(), key=lambda m: -m.score)
        if not ranked:
            return IntentResult(None, ())
        close = tuple(m for m in ranked if ranked[0].score - m.score < self.margin)
        if len(close) > 1:
            return IntentResult(None, close)
        return IntentResult(ranked[0], ())
