"""Writing one change of a ticket: the status machine's transition as one guarded write (with its
message, history entries and markers), and, when the guard fails, the domain error that says why,
from the ticket the refused write handed back (no second read)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NoReturn

from helpdesk.config import Settings
from helpdesk.domain.errors import AlreadyMerged, NotAllowed, StaleVersion, TicketNotFound
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.models import Caller, ClosedReason, Message, Ticket
from helpdesk.domain.sla import response_clock_effect
from helpdesk.domain.status_machine import Action, Status, Timer, check_allowed, transition_for
from helpdesk.services.auto_close_reminder import reminder_time
from helpdesk.store.protocols import Assignment, ChangeRefused, Taking, TicketChange, TicketWriter

_REPLY_ATTEMPTS = 3  # active?, else closed (reopen), else reopened meanwhile (plain again)
MAX_MERGE_HOPS = 5  # a reply to A, merged into B, merged into C, ... lands on the last one


@dataclass(frozen=True)
class What:
    """What a change writes besides the transition itself."""

    message: Message | None = None
    words: frozenset[str] = field(default_factory=frozenset)
    assignment: Assignment | None = None
    closed_reason: ClosedReason | None = None
    markers: tuple[str, ...] = ()
    entries: tuple[HistoryEntry, ...] = ()  # history entries written by the same request
    # The entry to write if the change turns out to reopen a closed ticket (a customer's reply).
    reopening: HistoryEntry | None = None
    # An operator's reply: the assignment and entry it writes if nobody has the ticket (same write).
    taking: Taking | None = None


def write(
    store: TicketWriter,
    settings: Settings,
    caller: Caller,
    ticket_id: str,
    action: Action,
    now: datetime,
    expected_version: int | None,
    what: What,
) -> Ticket | None:
    """Write one change: the updated ticket, or None when a message was written with it.

    A reply that may reopen (`what.reopening`) is first guarded to an active ticket; only when the
    refusal (which hands back the ticket) says it is closed is it written again, reopening the
    ticket with the entry: the rare path costs a second request, the common one none
    (docs/decisions.md). An operator's reply that takes the ticket if nobody has it
    (`what.taking`) does so in its own write, without a guard (helpdesk.store.tickets). A message for
    a ticket merged into another is written on that one (its refusal says where), following at
    most MAX_MERGE_HOPS merges."""
    return _following_merges(store, settings, caller, ticket_id, action, now, expected_version, what)[0]


def write_message(
    store: TicketWriter,
    settings: Settings,
    caller: Caller,
    ticket_id: str,
    action: Action,
    now: datetime,
    expected_version: int | None,
    what: What,
) -> Message:
    """write() for a change with a message: the message as written (on the ticket it landed on)."""
    _ticket, written = _following_merges(
        store, settings, caller, ticket_id, action, now, expected_version, what
    )
    assert written.message is not None
    return written.message


def _following_merges(
    store: TicketWriter,
    settings: Settings,
    caller: Caller,
    ticket_id: str,
    action: Action,
    now: datetime,
    expected_version: int | None,
    what: What,
) -> tuple[Ticket | None, What]:
    for _hop in range(MAX_MERGE_HOPS + 1):
        try:
            return _write_once(store, settings, caller, ticket_id, action, now, expected_version, what), what
        except _Moved as moved:
            ticket_id = moved.into
            assert what.message is not None
            what = replace(what, message=replace(what.message, ticket_id=moved.into))
    raise AlreadyMerged("ticket_merged", ticket_id=ticket_id, into=ticket_id)


def _write_once(
    store: TicketWriter,
    settings: Settings,
    caller: Caller,
    ticket_id: str,
    action: Action,
    now: datetime,
    expected_version: int | None,
    what: What,
) -> Ticket | None:
    transition = transition_for(action)
    allowed = transition.allowed_from - {Status.CLOSED} if what.reopening else transition.allowed_from
    closes_at = now + timedelta(hours=settings.auto_close_hours) if transition.timer is Timer.START else None
    change = TicketChange(
        now=now,
        allowed_from=allowed,
        to=transition.to,
        timer=transition.timer,
        auto_close_at=closes_at,
        remind_at=reminder_time(closes_at, settings),
        closed_reason=what.closed_reason,
        assignment=what.assignment,
        response_clock=response_clock_effect(action),
        first_response=action is Action.OPERATOR_REPLY,
        message=what.message,
        words=what.words,
        account_id=None if caller.is_operator else account_of(caller),
        expected_version=expected_version,
        markers=what.markers,
        entries=what.entries,
        taking=what.taking,
    )
    moves = what.message is not None
    if what.reopening is None:
        try:
            return store.apply(ticket_id, change)
        except ChangeRefused as refused:
            explain_refusal(caller, ticket_id, action, expected_version, refused.current, moves=moves)
    # A reply: guarded to an active ticket; if it is closed, written again reopening it; if a
    # reopen got there in between, once more as a plain reply (a reply is never lost to a race).
    reopen = replace(change, allowed_from=frozenset({Status.CLOSED}), entries=(*what.entries, what.reopening))
    attempt = change
    for _ in range(_REPLY_ATTEMPTS):
        try:
            return store.apply(ticket_id, attempt)
        except ChangeRefused as refused:
            current = refused.current
        if (
            current is None
            or current.merged_into
            or not may_see(caller, current)
            or expected_version not in (None, current.version)
        ):
            break
        following = reopen if current.status is Status.CLOSED else change
        if following is attempt:
            break
        attempt = following
    explain_refusal(caller, ticket_id, action, expected_version, current, moves=moves)


class _Moved(Exception):
    def __init__(self, into: str) -> None:
        super().__init__(into)
        self.into = into


def explain_refusal(
    caller: Caller,
    ticket_id: str,
    action: Action,
    expected_version: int | None,
    current: Ticket | None,
    *,
    moves: bool = False,
) -> NoReturn:
    """Raise the domain error that says why a guarded write was refused (`moves`: a message,
    which follows a merge: _Moved, for write() to write it on the ticket merged into)."""
    if current is None or not may_see(caller, current):
        raise TicketNotFound(ticket_id)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(
            "version_conflict", ticket_id=ticket_id, current=current.version, expected=expected_version
        )
    if current.merged_into:
        if moves:
            raise _Moved(current.merged_into)
        raise AlreadyMerged("ticket_merged", ticket_id=ticket_id, into=current.merged_into)
    check_allowed(action, current.status, ticket_id)
    raise StaleVersion("changed_meanwhile", ticket_id=ticket_id)


def may_see(caller: Caller, ticket: Ticket) -> bool:
    return caller.is_operator or ticket.account_id == caller.account_id


def account_of(caller: Caller) -> str:
    if not caller.account_id:
        raise NotAllowed("no_customer_account")
    return caller.account_id
