"""Pick the dialog a user's message asks for, learnt from each dialog's example utterances.

At load the matcher fits scikit-learn's TF-IDF features (words and word pairs, and character
n-grams inside words, which read inflections and typos) and a logistic regression over every
dialog, each kind of small talk and a class of generic out-of-scope sentences
(`out_of_scope.py`). Utterances and messages are read the same way first (`text.Reader`:
values masked, typos fixed, stems, synonyms). A message then costs one sparse dot product: its
features are looked up in the fitted vocabularies and multiplied with the fitted weights here,
the same arithmetic as scikit-learn's `transform` and `predict_proba` without their per-call
checks, which cost more than the arithmetic.

A dialog's score is its probability in percent. A dialog is a contender when the message
- names its subject: one of its anchors (words of its utterances that are neither function nor
  action words: "lead", "pizza"), or, for a dialog said only in common words ("where is my
  order"), nothing but words of its utterances; so "order a taxi" never starts order_pizza;
- asks for no action that the dialog never does while another dialog does: "delete a deal" is
  not create_opportunity;
- is no question about something ("what is an opportunity cost") unless some utterances of the
  dialog are such questions too ("who is lead 00Q...").
The best contender starts when it scores `threshold` or more and no other scores `ambiguity`
of its score. Contenders that close, together above the threshold, are ambiguous: the caller
asks which ("Did you mean"). So is a bare subject ("leads", "a lead please") that several
dialogs act on. Out of scope or small talk scoring above every contender wins.
`bench/intents/README.md` has the measurements behind each rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from runtime.intents.out_of_scope import OUT_OF_SCOPE
from runtime.intents.small_talk import SmallTalkReply
from runtime.intents.synonyms import Synonym
from runtime.intents.text import MASKS, Reader, clean
from runtime.intents.utterances import utterance_key

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 4)
MAX_ITER, TOL = 100, 1e-3  # converged enough: tighter costs seconds and changes no answer
C = 20.0  # inverse regularisation: high, since a few utterances must carry a dialog

CHOICES = 3  # "Did you mean" buttons for two dialogs that score about the same
RANKED = 5  # scores kept for explanations
THRESHOLD = 35.0  # the probability (in percent) a dialog needs to start; see bench/intents
AMBIGUITY = 0.75  # a dialog scoring this share of the best one's score or more is a contender

NONE = "~none"  # the out-of-scope class
FALSE_FRIEND = 10.0  # weight of a dialog's not_intents among the generic sentences (bench/intents)
SMALL_TALK = "~"  # prefix of small-talk classes: "~greeting"; dialog ids start with a letter


def _words(text: str) -> list[str]:
    return text.split()


# Words that carry no subject: they never make a dialog's anchor, nor a message's topic.
FUNCTION_WORDS = frozenset(
    _words(
        """
        a an the this that these those it its of to for in on at by with from and or but my me i
        im i'm i'd i've i'll it's that's what's don't can't you your we our us please pls can
        could would will shall should may might do does did want need like wanna gotta let lets
        let's help some one other another thing things stuff there here now today just also
        really very about up out into over what which who whom whose when where why how is are
        was were be been being have has had not no yes ok okay
        """
    )
)
# What may stand beside a bare subject ("a lead please"); "which leads do I have" is not bare.
FILLER = _words("a an the some my our your this that these those please pls ok okay just")
# A message that starts with one of these and asks for no action is a question about something:
# it can mean only a dialog that is asked that way too ("who is lead 00Q..."), not one that only
# acts ("what is an opportunity cost" is not create_opportunity).
QUESTION_WORDS = _words("what what's who who's why how is are does which where when")
# Actions that one dialog does and another does not: a message asking for one of them cannot
# mean a dialog that never does it.
STRONG_ACTIONS = _words(
    "create add new remove delete update change edit list search book order cancel"
)
# Words that say what to do but not to what: generic too, yet they tell dialogs apart.
ACTION_WORDS = frozenset(
    _words(
        """
        get got give make made take put set show see look find create add new remove delete
        update change edit list search book order start open tell know all every each any
        """
    )
)


@dataclass(frozen=True, slots=True)
class IntentMatch:
    dialog: str  # a dialog id
    score: float  # 0-100
    utterance: str = ""  # the training utterance closest to the message, for explanations

    @property
    def small_talk(self) -> str | None:
        """The kind (greeting, thanks, goodbye, help) when this is small talk, not a dialog."""
        return self.dialog[1:] if self.dialog.startswith(SMALL_TALK) else None


@dataclass(frozen=True, slots=True)
class IntentResult:
    best: IntentMatch | None  # above the threshold, unambiguous, anchored
    candidates: tuple[IntentMatch, ...] = ()  # when ambiguous: the close contenders, best first
    small_talk: str | None = None  # greeting, thanks, goodbye or help, when that is what it is
    ranked: tuple[IntentMatch, ...] = field(default=(), compare=False)  # top scores, explained

    @property
    def top(self) -> str | None:
        """The dialog that scored best above the threshold, ambiguous or not."""
        if self.best is not None:
            return self.best.dialog
        return self.candidates[0].dialog if self.candidates else None


class IntentMatcher:
    def __init__(
        self,
        examples: Iterable[tuple[str, str]],  # (dialog id, utterance)
        *,
        synonyms: Iterable[Synonym] = (),
        small_talk: Iterable[SmallTalkReply] = (),
        threshold: float = THRESHOLD,
        ambiguity: float = AMBIGUITY,
        out_of_scope: Sequence[str] = OUT_OF_SCOPE,
        not_intents: Iterable[tuple[str, str]] = (),  # (dialog id, phrasing that starts nothing)
        anchored: bool = True,
    ) -> None:
        self.threshold = threshold
        self.anchored = anchored
        self.ambiguity = ambiguity
        pairs = [(label, u) for label, u in examples if u.strip()]
        for reply in small_talk:
            if reply.enabled:
                pairs += [(SMALL_TALK + reply.kind, u) for u in reply.all_utterances()]
        dialogs = {label for label, _ in pairs if not label.startswith(SMALL_TALK)}
        self._exact: dict[str, str] = {}
        self._utterances: dict[str, list[str]] = {}
        for label, u in pairs:
            self._exact.setdefault(utterance_key(u), label)
            self._utterances.setdefault(label, []).append(u)
        if not dialogs:
            self._model: _Model | None = None
            self.reader = Reader(synonyms, ())
            self.anchors: dict[str, frozenset[str]] = {}
            return
        pairs += [(NONE, s) for s in out_of_scope]
        # The dialogs' false friends join the generic sentences, each weighing as several, so
        # that a few of them keep their look-alikes out.
        false_friends = [(NONE, s) for _, s in not_intents if s.strip()]
        pairs += false_friends
        vocabulary = {w for _, u in pairs for w in clean(u).split()}
        self.reader = Reader(synonyms, vocabulary)
        texts = [self.reader.training(u) for _, u in pairs]
        labels = [label for label, _ in pairs]
        weights = [1.0] * (len(pairs) - len(false_friends)) + [FALSE_FRIEND] * len(false_friends)
        self._model = _Model.fit(texts, labels, weights)
        self._function_words = frozenset(self.reader.stems(" ".join(FUNCTION_WORDS)).split())
        self._filler = frozenset(self.reader.stems(" ".join(FILLER)).split())
        actions = frozenset(self.reader.stems(" ".join(ACTION_WORDS)).split())
        self.anchors = _anchors(texts, labels, self._function_words, self._function_words | actions)
        said: dict[str, set[str]] = {}
        for text, label in zip(texts, labels, strict=True):
            said.setdefault(label, set()).update(text.split())
        self._vocabulary = {label: frozenset(words) for label, words in said.items()}
        self._actions = frozenset(self.reader.training(" ".join(STRONG_ACTIONS)).split())
        self._question_words = frozenset(self.reader.stems(" ".join(QUESTION_WORDS)).split())
        self._questioned = frozenset(
            label
            for text, label in zip(texts, labels, strict=True)
            if not label.startswith(SMALL_TALK) and self._is_question(text, set(text.split()))
        )
        self._done_elsewhere = frozenset(
            word
            for label, words in self._vocabulary.items()
            if not label.startswith(SMALL_TALK)
            for word in words & self._actions
        )

    def match(self, text: str) -> IntentResult:
        """What `text` asks for. `ranked` holds the best scores without their utterances; use
        `explain` to have those too."""
        key = utterance_key(text)
        if not key:
            return IntentResult(None)
        exact = self._exact.get(key)
        if exact is not None:
            if exact.startswith(SMALL_TALK):
                hit = IntentMatch(exact, 100.0)
                return IntentResult(None, small_talk=exact[1:], ranked=(hit,))
            hit = IntentMatch(exact, 100.0)
            return IntentResult(hit, ranked=(hit,))
        if self._model is None:
            return IntentResult(None)
        words = self.reader.words(text)
        probabilities = self._model.predict(words)
        ranked = sorted(probabilities.items(), key=lambda kv: -kv[1])
        explained = tuple(
            IntentMatch(label, round(100 * p, 1)) for label, p in ranked[:RANKED] if label != NONE
        )
        present = set(words.split())
        topic = present - self._function_words
        question = self._is_question(words, present)
        dialogs = [
            (label, 100 * p)
            for label, p in ranked
            if not label.startswith(SMALL_TALK)
            and (not self.anchored or self._fits(label, present, topic, question))
        ]
        first = dialogs[0][1] if dialogs else 0.0
        outside = 100 * probabilities.get(NONE, 0.0)
        talk = next(((label, 100 * p) for label, p in ranked if _small_talk(label)), ("", 0.0))
        if max(outside, talk[1]) > first:
            # Out of scope or small talk outweighs every dialog the message could mean.
            if talk[1] > outside and talk[1] >= self.threshold:
                return IntentResult(None, small_talk=talk[0][len(SMALL_TALK) :], ranked=explained)
            return IntentResult(None, ranked=explained)
        close = [(label, score) for label, score in dialogs if score >= first * self.ambiguity]
        choices = CHOICES
        if len(topic) == 1 and len(dialogs) > 1 and present <= topic | self._filler:
            # Only a subject ("leads", "a lead please"): every dialog that acts on it is a choice.
            close = [(label, score) for label, score in dialogs if topic <= self._vocabulary[label]]
            choices = len(close)
        if len(close) == 1 and first >= self.threshold:
            return IntentResult(IntentMatch(close[0][0], round(first, 1)), ranked=explained)
        if len(close) > 1 and sum(score for _, score in close) >= self.threshold:
            candidates = tuple(IntentMatch(label, round(score, 1)) for label, score in close)
            return IntentResult(None, candidates[:choices], ranked=explained)
        return IntentResult(None, ranked=explained)

    def _fits(self, label: str, present: set[str], topic: set[str], question: bool) -> bool:
        """The message can mean this dialog: it names the dialog's subject (one of its
        anchors, or, for a dialog said in generic words only such as "where is my order",
        nothing but words of its utterances); it asks for no action that the dialog never does
        but another one does ("delete an opportunity" is not create_opportunity); and it is no
        question about something unless the dialog is asked that way too."""
        vocabulary = self._vocabulary.get(label, frozenset())
        if question and label not in self._questioned:
            return False
        if any(
            word not in vocabulary and word in self._done_elsewhere
            for word in present & self._actions
        ):
            return False
        if present & self.anchors.get(label, frozenset()):
            return True
        return bool(topic) and topic <= vocabulary

    def _is_question(self, words: str, present: set[str]) -> bool:
        """Asked as a question ("what is ...", "how do I ...") and asking for no action."""
        first = words.split(" ", 1)[0]
        return first in self._question_words and not present & self._actions

    def explain(self, text: str) -> IntentResult:
        """`match`, with the training utterance nearest to `text` for every score."""
        result = self.match(text)

        def nearest(m: IntentMatch) -> IntentMatch:
            return IntentMatch(m.dialog, m.score, self._nearest(m.dialog, text))

        return IntentResult(
            nearest(result.best) if result.best else None,
            tuple(nearest(m) for m in result.candidates),
            result.small_talk,
            tuple(nearest(m) for m in result.ranked),
        )

    def _nearest(self, label: str, text: str) -> str:
        choices = self._utterances.get(label)
        if not choices:
            return ""
        found = process.extractOne(text, choices, scorer=fuzz.token_set_ratio)
        return found[0] if found else ""


def _small_talk(label: str) -> bool:
    return label.startswith(SMALL_TALK) and label != NONE


def _anchors(
    texts: list[str], labels: list[str], function: frozenset[str], generic: frozenset[str]
) -> dict[str, frozenset[str]]:
    """Each dialog's own words: those of its utterances that are not generic. A dialog whose
    utterances hold nothing else ("look up my order") keeps its action words as anchors."""
    own: dict[str, set[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        if not label.startswith(SMALL_TALK):
            words = own.setdefault(label, set())
            words.update(w for w in text.split() if w not in function and w not in MASKS)
    return {label: frozenset(words - generic or words) for label, words in own.items()}


class _Model:
    """The fitted vectorizers' vocabularies and weights, applied by hand to one message."""

    def __init__(self, analyzers, vocabularies, idfs, offsets, weights, bias, labels) -> None:
        self.analyzers = analyzers
        self.vocabularies = vocabularies
        self.idfs = idfs
        self.offsets = offsets
        self.weights = weights  # (features, classes)
        self.bias = bias
        self.labels = labels

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], weights: list[float]) -> _Model:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        vectorizers = [
            TfidfVectorizer(
                analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True, token_pattern=r"[^ ]+"
            ),
            TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True),
        ]
        matrices = [v.fit_transform(texts) for v in vectorizers]
        features = hstack(matrices).tocsr()
        model = LogisticRegression(C=C, max_iter=MAX_ITER, tol=TOL, class_weight="balanced")
        # One thread: at this size BLAS threads only fight each other (three times slower).
        with threadpool_limits(1):
            model.fit(features, labels, sample_weight=weights)
        offsets, start = [], 0
        for m in matrices:
            offsets.append(start)
            start += m.shape[1]
        return cls(
            [v.build_analyzer() for v in vectorizers],
            [v.vocabulary_ for v in vectorizers],
            [v.idf_ for v in vectorizers],
            offsets,
            np.ascontiguousarray(model.coef_.T),
            model.intercept_,
            [str(c) for c in model.classes_],
        )

    def predict(self, words: str) -> dict[str, float]:
        """Each class's probability for `words` (already read by `text.Reader`)."""
        logits = self.bias.copy()
        for analyze, vocabulary, idf, offset in zip(
            self.analyzers, self.vocabularies, self.idfs, self.offsets, strict=True
        ):
            counts = Counter(map(vocabulary.get, analyze(words)))
            counts.pop(None, None)  # n-grams no utterance had
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = np.fromiter(counts.values(), dtype=float, count=len(counts))
            values = (np.log(values) + 1.0) * idf[indices]  # sublinear tf times idf
            values /= np.sqrt(values @ values)  # l2, as TfidfVectorizer normalises
            logits += values @ self.weights[indices + offset]
        logits -= logits.max()
        exp = np.exp(logits)
        exp /= exp.sum()
        return dict(zip(self.labels, exp.tolist(), strict=True))
