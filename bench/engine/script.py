"""The conversation both sides of the engine benchmark hold, turn by turn."""

from __future__ import annotations

# What each simulated user says, and what the bot must answer to each message.
USER_TURNS = (
    "register a contact",
    "Smith",
    "Acme",
    "bob@example.com",
    "(415) 555-0123",
    "42",
    "yes",
)
EXPECTED_REPLIES = (
    "What is the contact's last name?",
    "Which company does Smith work for?",
    "What is Smith's email address?",
    "And Smith's phone number?",
    "How many employees does Acme have?",
    "Register Smith of Acme (bob@example.com, +14155550123, 42 employees)?",
    "Registered: Smith of Acme, bob@example.com, +14155550123, 42 employees.",
)


class UnexpectedReply(RuntimeError):
    """A side said something other than the conversation script expects."""
