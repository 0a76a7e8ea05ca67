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

from helpdesk.domain.attributes import DEFAULT_PRIORITY
from helpdesk.domain.models import Caller, ClosedReason, Role


class EntryCode(StrEnum):
    CLOSED = "closed"  # reason: customer | operator | inactivity; hours (inactivity)
    REOPENED = "reopened"  # by_reply: "yes" when a customer's reply reopened it
    MERGED_INTO = "merged_into"  # ticket: where this ticket's conversation continues
    MERGED_FROM = "merged_from"  # ticket: the ticket merged into this one
    ASSIGNED = "assigned"  # assignee: who has it now (name); how: self | reply when the actor took it
    UNASSIGNED = "unassigned"
    # old, new: low | normal | high | urgent (stored: new only; old is read from the entry before)
    PRIORITY_CHANGED = "priority_changed"
    # added, removed: comma-separated tags, either may be empty (stored: `tags`, the tags set;
    # added and removed are read against the entry before)
    TAGS_CHANGED = "tags_changed"
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


def priority_set(at: datetime, by: Caller, priority: str) -> HistoryEntry:
    """An operator set the priority. The write does not read the ticket first (one request), so
    the entry holds the new value only; `spelled_out` gives it the old one when it is read."""
    return entry(EntryCode.PRIORITY_CHANGED, at, by, new=priority)


def tags_set(at: datetime, by: Caller, tags: tuple[str, ...]) -> HistoryEntry:
    """An operator set the tags (all of them, as kept); `spelled_out` says which were added and
    which removed."""
    return entry(EntryCode.TAGS_CHANGED, at, by, tags=",".join(tags))


def spelled_out(entries: tuple[HistoryEntry, ...]) -> tuple[HistoryEntry, ...]:
    """The entries as read: each priority change with the priority before it (the one the entry
    before set; `normal` before any), each tag change with the tags it added and removed. Every
    write of the priority or the tags leaves its entry, so the entries before say what the ticket
    had. A change that changed nothing (the value it already had) is left out. Entries spelled
    out already stay as they are (it may be applied twice)."""
    priority: str = DEFAULT_PRIORITY.value
    tags = frozenset[str]()
    shown: list[HistoryEntry] = []
    for item in entries:
        if item.code == EntryCode.PRIORITY_CHANGED.value:
            new = item.params.get("new", "")
            old, priority = item.params.get("old", priority), new
            if new == old:
                continue
            item = _with_params(item, old=old, new=new)
        elif item.code == EntryCode.TAGS_CHANGED.value:
            if "tags" in item.params:
                now_set = frozenset(t for t in item.params["tags"].split(",") if t)
            else:  # spelled out already (a merged thread's, a fake store's)
                now_set = (tags | _tag_set(item.params.get("added"))) - _tag_set(item.params.get("removed"))
            added, removed = sorted(now_set - tags), sorted(tags - now_set)
            tags = now_set
            if not added and not removed:
                continue
            item = _with_params(item, added=",".join(added), removed=",".join(removed))
        shown.append(item)
    return tuple(shown)


def _tag_set(joined: str | None) -> frozenset[str]:
    return frozenset(t for t in (joined or "").split(",") if t)


def _with_params(item: HistoryEntry, **params: str) -> HistoryEntry:
    kept = {k: v for k, v in item.params.items() if k != "tags"}
    return HistoryEntry(item.code, item.at, item.actor_role, item.actor, {**kept, **params}, item.ticket_id)


def visible_to(item: HistoryEntry, caller: Caller) -> bool:
    return caller.is_operator or item.code in CUSTOMER_VISIBLE
