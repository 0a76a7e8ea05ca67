"""Domain events for integrations: what happened to tickets, published to the stack's EventBridge
bus (TicketEventBus, archived for replay) from the table's stream, for Netz0's billing, CRM or
anything else that subscribes with a rule. Nothing in the product depends on a subscriber.

Each event is an EventBridge entry with source "netz0.helpdesk", the kind as its detail-type and a
versioned `detail` (schema_version "1"; documented in the README, strict JSON Schemas in
docs/events/). A detail names the ticket and its account and department, never message text or
e-mail addresses: a subscriber that needs more asks the API.

Once per change as far as the stream allows: a marker per stream record and kind
(`publish:<eventID>:<kind>`) is written after the bus accepted the entry, and a record already
marked is skipped. A crash between the two publishes again on the stream's retry, so subscribers
deduplicate on `detail.event_id` (stable across retries and replays). Requests per published
event: one BatchGetItem (the marker and the ticket item), one PutEvents, one PutItem (the marker);
a record delivered again costs the BatchGetItem alone (measured in `make bench`, table 1).

Adding a kind: one line in PUBLISHED (its domain event's fields become the detail's), and its
schema file in docs/events/."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, Protocol

from helpdesk.clock import to_iso
from helpdesk.domain.events import (
    DomainEvent,
    MessageAdded,
    TicketAssigned,
    TicketClosed,
    TicketMerged,
    TicketOpened,
    TicketReopened,
)
from helpdesk.domain.models import Ticket
from helpdesk.store.protocols import Markers

SOURCE = "netz0.helpdesk"
SCHEMA_VERSION = "1"
# The event's own fields that are not part of the detail (the detail has event_id/occurred_at).
_NOT_IN_DETAIL = frozenset({"event_id", "at", "internal"})


@dataclass(frozen=True)
class Publication:
    detail_type: str
    ticket_fields: tuple[str, ...] = ("account_id", "department")  # copied from the ticket


# Domain event -> how it is published. Internal notes (internal=True) are never published.
PUBLISHED: dict[type[Any], Publication] = {
    TicketOpened: Publication("TicketOpened", ("account_id", "department", "subject")),
    MessageAdded: Publication("MessageAdded"),
    TicketClosed: Publication("TicketClosed"),
    TicketReopened: Publication("TicketReopened"),
    TicketMerged: Publication("TicketMerged"),  # the source's account and department; `into`
    TicketAssigned: Publication("TicketAssigned"),  # operators by id (sub), never an address
}


class PublishOutcome(StrEnum):
    PUBLISHED = "published"
    NOT_PUBLISHED = "not_published"  # a kind integrations do not get (or an internal note)
    DUPLICATE = "duplicate"  # this record's event was published before
    TICKET_GONE = "ticket_gone"


@dataclass(frozen=True)
class PublishDecision:
    outcome: PublishOutcome
    detail_type: str | None = None
    ticket_id: str | None = None


class TicketFacts(Protocol):
    def ticket_unless_marked(self, ticket_id: str, marker: str) -> tuple[bool, Ticket | None]:
        """Whether the marker exists, and the ticket item alone (no messages): one read."""


class EventBus(Protocol):
    def put(self, *, source: str, detail_type: str, detail: str, time: datetime) -> None:
        """Raises when the bus did not accept the entry."""


class EventPublisher:
    def __init__(self, *, tickets: TicketFacts, markers: Markers, bus: EventBus) -> None:
        self._tickets = tickets
        self._markers = markers
        self._bus = bus

    def publish(self, event: DomainEvent) -> PublishDecision:
        publication = PUBLISHED.get(type(event))
        if publication is None or getattr(event, "internal", False):
            return PublishDecision(PublishOutcome.NOT_PUBLISHED)
        kind = publication.detail_type
        marker = f"publish:{event.event_id}:{kind}"
        marked, ticket = self._tickets.ticket_unless_marked(event.ticket_id, marker)
        if marked:
            return PublishDecision(PublishOutcome.DUPLICATE, kind, event.ticket_id)
        if ticket is None:
            return PublishDecision(PublishOutcome.TICKET_GONE, kind, event.ticket_id)
        detail = detail_of(event, ticket, publication)
        self._bus.put(source=SOURCE, detail_type=kind, detail=json.dumps(detail), time=event.at)
        self._markers.mark(marker, event.at, decision=kind)
        return PublishDecision(PublishOutcome.PUBLISHED, kind, event.ticket_id)


def detail_of(event: DomainEvent, ticket: Ticket, publication: Publication) -> dict[str, Any]:
    """The `detail` of schema_version 1: the envelope, the ticket's facts, the event's fields."""
    detail: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "event_id": event.event_id,
        "occurred_at": to_iso(event.at),
        "ticket_id": event.ticket_id,
    }
    for name in publication.ticket_fields:
        detail[name] = _plain(getattr(ticket, name))
    for field in dataclasses.fields(event):
        if field.name not in _NOT_IN_DETAIL and field.name not in detail:
            detail[field.name] = _plain(getattr(event, field.name))
    return detail


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return to_iso(value)
    return value
