"""Email addresses (email-validator) and phone numbers (phonenumbers), found anywhere in a text."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from runtime.entities.base import EntitySettings, Parsed, accept, reject
from runtime.entities.wording import MAX_STRUCTURED

EMAIL_ERROR = "That doesn't look like an email address. Please try again."
PHONE_ERROR = "That doesn't look like a phone number. Please try again, with the area code."

_EMAIL_CANDIDATE = re.compile(r"[^\s@<>()\[\]{},;:\"`]+@[^\s@<>()\[\]{},;:\"`]+")
_EDGES = "'.!?*_"
_PHONE_ONLY = re.compile(r"[+\d][\d\s().\-/]{5,}")


def emails_in(text: str) -> list[str]:
    """Every valid address in the text, normalised (domain lower-cased, local part kept)."""
    found = []
    for candidate in _EMAIL_CANDIDATE.findall(text[: MAX_STRUCTURED * 4]):
        address = candidate.strip(_EDGES)
        try:
            found.append(validate_email(address, check_deliverability=False).normalized)
        except EmailNotValidError:
            continue
    return found


def parse_email(text: str, settings: EntitySettings) -> Parsed:
    found = emails_in(text)
    return accept(found[0]) if found else reject(EMAIL_ERROR)


def find_email(text: str, settings: EntitySettings) -> str | None:
    found = set(emails_in(text))
    return found.pop() if len(found) == 1 else None


def phones_in(text: str, region: str) -> list[tuple[int, int, str]]:
    """Every valid phone number in the text: (start, end, E.164); national ones read in `region`."""
    text = text[: MAX_STRUCTURED * 4]
    return [
        (m.start, m.end, phonenumbers.format_number(m.number, PhoneNumberFormat.E164))
        for m in PhoneNumberMatcher(text, region, leniency=Leniency.VALID)
    ]


def phone_spans(text: str, region: str) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _ in phones_in(text, region)]


def parse_phone(text: str, settings: EntitySettings) -> Parsed:
    found = phones_in(text, settings.region)
    if found:
        return accept(found[0][2])
    stripped = text.strip()
    if _PHONE_ONLY.fullmatch(stripped):  # the matcher skips some bare forms parse() reads
        try:
            number = phonenumbers.parse(stripped, settings.region)
        except phonenumbers.NumberParseException:
            return reject(PHONE_ERROR)
        if phonenumbers.is_valid_number(number):
            return accept(phonenumbers.format_number(number, PhoneNumberFormat.E164))
    return reject(PHONE_ERROR)


def find_phone(text: str, settings: EntitySettings) -> str | None:
    found = {e164 for _, _, e164 in phones_in(text, settings.region)}
    return found.pop() if len(found) == 1 else None
