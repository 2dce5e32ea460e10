"""Yes/no answers, in English and in the bot's language where we know its words.

An answer is read whole ("yes please", "not really"), or by its first word when the rest does not
say the opposite ("yes, go ahead" is yes; "yes, I don't" and "not sure" are neither).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from runtime.entities.base import EntitySettings, Parsed, accept, reject
from runtime.entities.wording import MAX_STRUCTURED, fold, tokens, trim_punct

ERROR = "Please answer yes or no."

_YES: dict[str, tuple[str, ...]] = {
    "en": (
        "yes", "y", "yeah", "yea", "yep", "yup", "ya", "yah", "ok", "okay", "k", "sure", "true",
        "correct", "right", "affirmative", "absolutely", "definitely", "certainly", "indeed",
        "aye", "agreed", "confirm", "confirmed", "of course", "sure thing", "go ahead", "do it",
        "sounds good", "that's right", "that is right", "you bet", "please do", "why not",
        "for sure", "by all means", "i think so", "i do", "it is", "yes it is", "alright",
        "all right", "yes i do", "please",
    ),
    "de": ("ja", "jawohl", "jep", "genau", "richtig", "klar", "sicher", "natürlich", "gerne",
           "stimmt", "auf jeden fall"),
    "fr": ("oui", "ouais", "d'accord", "bien sûr", "exactement", "volontiers", "tout à fait"),
    "es": ("sí", "si", "claro", "vale", "por supuesto", "correcto", "exacto"),
    "it": ("sì", "si", "certo", "esatto", "va bene", "certamente"),
    "nl": ("ja", "jazeker", "zeker", "prima", "klopt"),
    "pt": ("sim", "claro", "exato", "certo", "com certeza"),
}  # fmt: skip
_NO: dict[str, tuple[str, ...]] = {
    "en": (
        "no", "n", "nope", "nah", "naw", "nay", "negative", "false", "incorrect", "wrong",
        "never", "no thanks", "no thank you", "not really", "not now", "no way",
        "absolutely not", "definitely not", "certainly not", "of course not", "don't",
        "do not", "please don't", "i don't think so", "i don't", "it isn't", "it is not",
        "not at all", "no it isn't", "no i don't",
    ),
    "de": ("nein", "ne", "nö", "nee", "nicht", "falsch", "niemals", "auf keinen fall",
           "eher nicht"),
    "fr": ("non", "pas du tout", "jamais", "pas vraiment"),
    "es": ("no", "nunca", "para nada"),
    "it": ("no", "mai", "per niente"),
    "nl": ("nee", "niet", "nooit", "helemaal niet"),
    "pt": ("não", "nao", "nunca", "de jeito nenhum"),
}  # fmt: skip
_NEGATIONS = frozenset({"not", "don't", "isn't", "nicht", "pas", "niet", "não"})
_FILLERS = frozenset({"please", "thanks", "thank", "you", "bitte", "danke", "merci", "gracias"})


@dataclass(frozen=True, slots=True)
class YesNoWords:
    yes: frozenset[str]  # phrases
    no: frozenset[str]
    yes_words: frozenset[str]  # one-word phrases that can lead a longer answer
    no_words: frozenset[str]


@lru_cache(maxsize=16)
def yes_no_words(language: str) -> YesNoWords:
    languages = dict.fromkeys(("en", language))
    yes = frozenset(p for lang in languages for p in _YES.get(lang, ()))
    no = frozenset(p for lang in languages for p in _NO.get(lang, ()))
    yes, no = yes - no, no - yes  # "si"/"no" clash across languages: the bot's language wins
    if language in _YES:
        yes |= frozenset(_YES[language])
        no -= frozenset(_YES[language])
    singles = [frozenset(p for p in side if " " not in p) for side in (yes, no)]
    return YesNoWords(yes, no, singles[0] - {"please"}, singles[1] | _NEGATIONS)


def read_boolean(text: str, language: str) -> bool | None:
    words = tokens(trim_punct(fold(text[: MAX_STRUCTURED * 2])))
    table = yes_no_words(language)
    for candidate in (words, _without_fillers(words)):
        phrase = " ".join(candidate)
        if phrase in table.yes:
            return True
        if phrase in table.no:
            return False
    if len(words) < 2:
        return None
    first, rest = words[0], words[1:]
    rest_phrase = " ".join(rest)
    for value, lead, same, opposite in (
        (True, table.yes_words, table.yes, table.no_words),
        (False, table.no_words - _NEGATIONS, table.no, table.yes_words),
    ):
        if first in lead and (rest_phrase in same or not set(rest) & opposite):
            return value
    return None


def _without_fillers(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and words[start] in _FILLERS:
        start += 1
    while end > start and words[end - 1] in _FILLERS:
        end -= 1
    return words[start:end]


def parse_boolean(text: str, settings: EntitySettings) -> Parsed:
    value = read_boolean(text, settings.language)
    return reject(ERROR) if value is None else accept(value)
