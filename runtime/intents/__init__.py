"""Recognising what a user wants: the intent matcher, synonyms and small talk."""

from runtime.intents.matcher import IntentMatch, IntentMatcher, IntentResult

__all__ = ["IntentMatch", "IntentMatcher", "IntentResult"]
