"""Email addresses (email-validator) and phone numbers (phonenumbers), found anywhere in a text."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from runtime.entities.base import EntitySettings, Parsed, accept, reject
from runtime.entities.spots import Spot, sole_value
from runtime.entities.wording import MAX_STRUCTURED

EMAIL_ERROR = "That doesn't look like an email address. Please try again."
PHONE_ERROR = "That doesn't look like a phone number. Please try again, with the area code."

_EMAIL_CANDIDATE = re.compile(r"[^\s@<>()\[\]{},;:\"`]+@[^\s@<>()\[\]{},;:\"`]+")
_EDGES = "'.!?*_"
_PHONE_ONLY = re.compile(r"[+\d][\d\s().\-/]{5,}")


def email_spots(text: str) -> list[Spot]:
    """Every valid address in the text, normalised (domain lower-cased, local part kept)."""
    found = []
    for match in _EMAIL_CANDIDATE.finditer(text[: MAX_STRUCTURED * 4]):
        address = match[0].strip(_EDGES)
        if not address:
            continue
        try:
            value = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            continue
        start = match.start() + len(match[0]) - len(match[0].lstrip(_EDGES))
        found.append(Spot(value, start, start + len(address)))
    return found


def parse_email(text: str, settings: EntitySettings) -> Parsed:
    found = email_spots(text)
    return accept(found[0].value) if found else reject(EMAIL_ERROR)


def find_email(text: str, settings: EntitySettings) -> str | None:
    return sole_value(email_spots(text))


def phone_spots(text: str, region: str) -> list[Spot]:
    """Every valid phone number in the text, as E.164; national ones are read in `region`."""
    text = text[: MAX_STRUCTURED * 4]
    return [
        Spot(phonenumbers.format_number(m.number, PhoneNumberFormat.E164), m.start, m.end)
        for m in PhoneNumberMatcher(text, region, leniency=Leniency.VALID)
    ]


def parse_phone(text: str, settings: EntitySettings) -> Parsed:
    found = phone_spots(text, settings.region)
    if found:
        return accept(found[0].value)
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
    return sole_value(phone_spots(text, settings.region))
