"""Canned replies: answers operators keep to insert in a reply box, with placeholders the portal
fills in from the ticket in front of them ({{ticket_id}}, {{customer_name}}, {{operator_name}}).
A placeholder the desk does not know is refused when the reply is saved, so a customer never
receives a literal "{{nombre}}"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

PLACEHOLDERS = ("ticket_id", "customer_name", "operator_name")

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: str
    body: str
    department: str | None  # None: for every department
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int = 1


def unknown_placeholders(body: str) -> list[str]:
    """The placeholders in `body` the desk cannot fill, in order, each once; a "{{" or "}}" that
    opens or closes no placeholder counts as one (shown as it was written)."""
    unknown: list[str] = []
    for match in _PLACEHOLDER.finditer(body):
        if match.group(1) not in PLACEHOLDERS and match.group(0) not in unknown:
            unknown.append(match.group(0))
    rest = _PLACEHOLDER.sub("", body)
    for stray in ("{{", "}}"):
        if stray in rest and stray not in unknown:
            unknown.append(stray)
    return unknown


def fill(body: str, values: Mapping[str, str]) -> str:
    """The body with its placeholders replaced (a value not given leaves its placeholder)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
