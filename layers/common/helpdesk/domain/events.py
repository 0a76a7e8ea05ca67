"""What happened to tickets, as the services react to it (decoded from the table's stream by
helpdesk.store.stream; nothing above the store sees a stream image)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.models import ClosedReason, Role


@dataclass(frozen=True)
class TicketOpened:
    event_id: str
    at: datetime
    ticket_id: str


@dataclass(frozen=True)
class MessageAdded:
    event_id: str  # the stream record's id: what makes handling it exactly-once
    at: datetime  # when the change was written
    ticket_id: str
    message_id: str
    author_role: Role
    internal: bool


@dataclass(frozen=True)
class TicketAssigned:
    """The ticket's assignee changed: handed to `assignee` (None: unassigned) by `by` (the
    operator who decided; the assignee themselves when they took it by replying)."""

    event_id: str
    at: datetime
    ticket_id: str
    assignee: str | None
    by: str | None


@dataclass(frozen=True)
class TicketClosed:
    event_id: str
    at: datetime
    ticket_id: str
    reason: ClosedReason


@dataclass(frozen=True)
class TicketReopened:
    event_id: str
    at: datetime
    ticket_id: str


@dataclass(frozen=True)
class TicketMerged:
    """A ticket was merged into another: it is closed (reason merged), its messages read as part
    of `into`'s thread, and replies to it land on `into`."""

    event_id: str
    at: datetime
    ticket_id: str  # the ticket merged (the source)
    into: str


@dataclass(frozen=True)
class SlaAlerted:
    """The escalation wrote an SLA alert (an sla_warning or sla_breached history entry)."""

    event_id: str
    at: datetime
    ticket_id: str
    entry: HistoryEntry


@dataclass(frozen=True)
class AutoCloseReminded:
    """The reminder of a waiting period was recorded: the customer is to be told that the ticket
    closes at `closes_at` unless they answer."""

    event_id: str
    at: datetime
    ticket_id: str
    closes_at: datetime


@dataclass(frozen=True)
class SearchWordsAdded:
    """A ticket's searchable words grew (opened, or a public message added words): what the word
    index must learn. `words` are only the new ones."""

    event_id: str
    ticket_id: str
    account_id: str
    created_at: datetime
    words: frozenset[str]
    known: frozenset[str]  # the words the ticket had before (their prefixes are indexed already)


DomainEvent = (
    TicketOpened
    | MessageAdded
    | TicketClosed
    | TicketReopened
    | TicketMerged
    | TicketAssigned
    | SlaAlerted
    | AutoCloseReminded
)
