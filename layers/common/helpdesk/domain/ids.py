"""Ticket tracking IDs: what customers quote on the phone, so short and unambiguous: "NZ-" and
8 random digits. Uniqueness comes from a conditional write (retried on collision), not from a
counter item that every creation would have to touch."""

from __future__ import annotations

import re
import secrets

PREFIX = "NZ"
_DIGITS = 8
_PATTERN = re.compile(rf"^(?:{PREFIX}-?)?(\d{{{_DIGITS}}})$", re.IGNORECASE)


def new_ticket_id() -> str:
    return f"{PREFIX}-{secrets.randbelow(10**_DIGITS):0{_DIGITS}d}"


def normalize_ticket_id(text: str) -> str | None:
    """The canonical form of an ID as a person may type it ("nz-00012345", "#NZ00012345",
    "00012345"), or None when it cannot be a ticket ID at all."""
    match = _PATTERN.match(text.strip().lstrip("#"))
    return f"{PREFIX}-{match.group(1)}" if match else None


def new_message_id() -> str:
    return secrets.token_hex(8)
