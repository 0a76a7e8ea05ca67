"""The ticket's history: what happened to it besides its messages (who closed it and why, who
reopened it, merges, assignment, priority, a ticket opened on a customer's behalf), kept as
entries in its thread.

An entry is a code with parameters, never a sentence: it is rendered where it is read, in the
reader's language (helpdesk.domain.history_text). Entries are written by the same conditional
write as the change they describe (they travel on the ticket item: helpdesk.store.history), so
they cost no request of their own.

To add an entry to a change: build it with `entry(...)` and pass it in `TicketChange.entries`
(or, for a new ticket, in `Ticket.history`). A new code gets its sentence in both catalogues of
history_text (a test fails otherwise) and, if customers should see it, a place in CUSTOMER_VISIBLE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from helpdesk.domain.models import Caller, ClosedReason, Role


class EntryCode(StrEnum):
    CLOSED = "closed"  # reason: customer | operator | inactivity; hours (inactivity)
    REOPENED = "reopened"  # by_reply: "yes" when a customer's reply reopened it
    MERGED_INTO = "merged_into"  # ticket: where this ticket's conversation continues
    MERGED_FROM = "merged_from"  # ticket: the ticket merged into this one
    ASSIGNED = "assigned"  # assignee: who has it now (name); how: self | reply when the actor took it
    UNASSIGNED = "unassigned"
    PRIORITY_CHANGED = "priority_changed"  # old, new: low | normal | high | urgent
    TAGS_CHANGED = "tags_changed"  # added, removed: comma-separated tags (either may be empty)
    OPENED_ON_BEHALF = "opened_on_behalf"  # channel: phone | chat
    SLA_WARNING = "sla_warning"  # target: first_response | next_response; due (local time); minutes
    SLA_BREACHED = "sla_breached"  # target, due
    # The reminder before the automatic close: closes_at (local time, with the zone's abbreviation)
    AUTO_CLOSE_REMINDED = "auto_close_reminded"


# What customers see of the history; operators see every entry.
CUSTOMER_VISIBLE = frozenset(
    {
        EntryCode.CLOSED,
        EntryCode.REOPENED,
        EntryCode.MERGED_INTO,
        EntryCode.MERGED_FROM,
        EntryCode.OPENED_ON_BEHALF,
        EntryCode.AUTO_CLOSE_REMINDED,
    }
)


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a ticket. `code` is an EntryCode's value, or a code this
    version does not know (written by a newer one): such an entry is kept and shown generically."""

    code: str
    at: datetime
    actor_role: Role  # who did it: a customer, an operator, or the system itself
    actor: str  # the actor's name as known when it happened ("" for the system)
    params: Mapping[str, str] = field(default_factory=dict)
    ticket_id: str | None = None  # set when read on a merged thread: the ticket it happened on


def entry(code: EntryCode, at: datetime, by: Caller | None = None, **params: str) -> HistoryEntry:
    """An entry for a change made at `at` by `by` (None: by the system itself)."""
    if by is None:
        return HistoryEntry(code.value, at, Role.SYSTEM, "", dict(params))
    return HistoryEntry(code.value, at, by.role, by.name, dict(params))


def closed(
    at: datetime, by: Caller | None, reason: ClosedReason, *, hours: int | None = None
) -> HistoryEntry:
    extra = {"hours": str(hours)} if hours is not None else {}
    return entry(EntryCode.CLOSED, at, by, reason=reason.value, **extra)


def reopened(at: datetime, by: Caller, *, by_reply: bool = False) -> HistoryEntry:
    return entry(EntryCode.REOPENED, at, by, **({"by_reply": "yes"} if by_reply else {}))


def auto_close_reminded(at: datetime, closes_at: datetime, zone: ZoneInfo) -> HistoryEntry:
    """The system reminded the customer that the ticket closes at `closes_at` (shown on `zone`'s
    clock, as the SLA entries show their due times)."""
    local = closes_at.astimezone(zone)
    return entry(
        EntryCode.AUTO_CLOSE_REMINDED, at, None, closes_at=f"{local:%d/%m/%Y %H:%M} ({local.tzname()})"
    )


def visible_to(item: HistoryEntry, caller: Caller) -> bool:
    return caller.is_operator or item.code in CUSTOMER_VISIBLE
