"""What the matcher reads: a message cleaned, its values masked, typos and synonyms resolved.

The same steps run on the training utterances at load and on each message, so that "Erasing
that prospect!" reads as "delet that lead" and "delet lead 00Q5g000001AbCdEAK" as "delet lead
zid" (stems: "delete", "deleted" and "deleting" are one word). Values are masked because their
letters say nothing about what the user wants: an email becomes one token, and so do a record
id, a number and an amount.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import Stemmer
from rapidfuzz import fuzz, process

from runtime.intents.synonyms import Synonym, normalise_phrase

EMAIL, RECORD_ID, NUMBER, LINK = "zemail", "zid", "znum", "zurl"
MASKS = (EMAIL, RECORD_ID, NUMBER, LINK)

_LINK = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# A Salesforce-style id: 15 or 18 letters and digits, with at least one digit.
_RECORD_ID = re.compile(r"\b(?=[a-z]*\d)[a-z0-9]{15}(?:[a-z0-9]{3})?\b", re.IGNORECASE)
_NUMBER = re.compile(r"[$€£]?\d[\d,.]*[kmb]?\b", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})

TYPO_MIN_LENGTH = 4  # shorter words are too easily mistaken for each other
TYPO_CUTOFF = 84.0  # rapidfuzz ratio a misspelling must reach to count as a known word


def clean(text: str) -> str:
    """Lower case, values masked, punctuation gone, single spaces."""
    text = text.translate(_QUOTES)
    text = _LINK.sub(f" {LINK} ", text)
    text = _EMAIL.sub(f" {EMAIL} ", text)
    text = _RECORD_ID.sub(f" {RECORD_ID} ", text)
    text = _NUMBER.sub(f" {NUMBER} ", text.lower())
    text = _NOT_WORD.sub(" ", text)
    return " ".join(word.strip("'") for word in text.split() if word.strip("'"))


class Reader:
    """Turns raw text into the matcher's words: `clean`, spelling, stems, then synonyms.

    A word whose stem no utterance has is taken for a typo of the closest known word that
    starts with the same letter, when rapidfuzz rates them `TYPO_CUTOFF` or closer ("delet",
    "opportunty"); otherwise it stays, as a name or a word the bot does not know. Words are then
    reduced to their Snowball stems (PyStemmer), so that "deleting", "deleted" and "delete" are
    one word, and synonyms are replaced stem by stem ("erasing" -> "erase" -> "delete").
    """

    def __init__(self, synonyms: Iterable[Synonym], vocabulary: Iterable[str]) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        table = {normalise_phrase(s.variant): normalise_phrase(s.canonical) for s in synonyms}
        self._synonyms: dict[str, str] = {}
        for variant, canonical in table.items():
            key, value = self.stems(clean(variant)), self.stems(clean(canonical))
            if key and key != value:
                self._synonyms[key] = value
        # Longest phrases first, so "get rid of" wins over "get".
        phrases = sorted(self._synonyms, key=len, reverse=True)
        self._pattern = (
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")
            if phrases
            else None
        )
        known = set(vocabulary)
        for variant, canonical in table.items():
            known.update(clean(variant).split())
            known.update(clean(canonical).split())
        self.vocabulary = frozenset(known)
        self._known_stems = frozenset(self._stemmer.stemWords(sorted(known)))
        self._by_letter: dict[str, list[str]] = {}
        for word in sorted(known):
            if len(word) >= TYPO_MIN_LENGTH and word.isalpha():
                self._by_letter.setdefault(word[0], []).append(word)

    def stems(self, cleaned: str) -> str:
        return " ".join(self._stemmer.stemWords(cleaned.split()))

    def words(self, text: str) -> str:
        """The matcher's reading of a message."""
        words = clean(text).split()
        stems = self._stemmer.stemWords(words)
        for i, stem in enumerate(stems):
            if stem not in self._known_stems:
                fixed = self._spell(words[i])
                if fixed is not None:
                    stems[i] = self._stemmer.stemWord(fixed)
        return self.expand(" ".join(stems))

    def training(self, utterance: str) -> str:
        """The matcher's reading of a training utterance (nothing to spell)."""
        return self.expand(self.stems(clean(utterance)))

    def expand(self, stemmed: str) -> str:
        if self._pattern is None:
            return stemmed
        return self._pattern.sub(lambda m: self._synonyms[m.group(0)], stemmed)

    def _spell(self, word: str) -> str | None:
        if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return None
        choices = self._by_letter.get(word[0])
        if not choices:
            return None
        found = process.extractOne(
            word, choices, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF
        )
        return found[0] if found else None
