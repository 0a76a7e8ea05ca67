"""Which domain events reach the ticket event bus, and how, decided on in-memory stores: the five
kinds with their versioned detail (validated against docs/events/*.json), internal notes never,
one entry per stream record and kind (a marker), nothing published when the bus refuses (the
stream retries) or the ticket is gone, and a kind without a publication is not published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from helpdesk.domain.events import (
    MessageAdded,
    TicketAssigned,
    TicketClosed,
    TicketMerged,
    TicketOpened,
    TicketReopened,
)
from helpdesk.domain.models import ClosedReason, Role
from helpdesk.services.event_publishing import PUBLISHED, EventPublisher, PublishOutcome
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, SETTINGS, T0, sequence
from tests.support.event_schemas import validate_detail
from tests.support.fakes import InMemoryMarkers, InMemoryTickets


class Bus:
    def __init__(self) -> None:
        self.entries: list[dict] = []
        self.refuse = False

    def put(self, *, source: str, detail_type: str, detail: str, time: datetime) -> None:
        if self.refuse:
            raise RuntimeError("ThrottlingException: rate exceeded")
        self.entries.append(
            {"source": source, "detail-type": detail_type, "detail": json.loads(detail), "time": time}
        )


@pytest.fixture
def desk():
    markers = InMemoryMarkers()
    tickets = InMemoryTickets(markers)
    service = TicketService(tickets, SETTINGS, ticket_ids=sequence("NZ-5000000"), message_ids=sequence("m"))
    ticket = service.open_ticket(ANA, department="soporte", subject="El webmail no carga", body="b", now=T0)
    bus = Bus()
    return ticket, bus, EventPublisher(tickets=tickets, markers=markers, bus=bus)


def all_kinds(ticket_id: str) -> list:
    at = T0 + timedelta(minutes=1)
    return [
        TicketOpened("ev-1", T0, ticket_id),
        MessageAdded("ev-2", at, ticket_id, "m1", Role.OPERATOR, False),
        TicketClosed("ev-3", at, ticket_id, ClosedReason.INACTIVITY),
        TicketReopened("ev-4", at, ticket_id),
        TicketMerged("ev-5", at, ticket_id, "NZ-40000001"),
        TicketAssigned("ev-6", at, ticket_id, "sub-marta", "sub-luis"),
    ]


def test_each_kind_is_published_with_its_versioned_detail(desk):
    ticket, bus, publisher = desk
    for event in all_kinds(ticket.id):
        assert publisher.publish(event).outcome is PublishOutcome.PUBLISHED
    assert [e["detail-type"] for e in bus.entries] == [
        "TicketOpened",
        "MessageAdded",
        "TicketClosed",
        "TicketReopened",
        "TicketMerged",
        "TicketAssigned",
    ]
    for entry in bus.entries:
        assert entry["source"] == "netz0.helpdesk"
        validate_detail(entry["detail-type"], entry["detail"])
        assert entry["detail"]["account_id"] == "acct-1001"
        assert entry["detail"]["department"] == "soporte"
    opened, message, closed, _, merged, assigned = (e["detail"] for e in bus.entries)
    assert opened["subject"] == "El webmail no carga"
    assert (message["message_id"], message["author_role"]) == ("m1", "operator")
    assert closed["reason"] == "inactivity"
    assert (merged["ticket_id"], merged["into"]) == (ticket.id, "NZ-40000001")
    assert (assigned["assignee"], assigned["by"]) == ("sub-marta", "sub-luis")
    assert opened["occurred_at"] == "2026-11-25T12:00:00.000Z"


def test_an_internal_note_is_never_published(desk):
    ticket, bus, publisher = desk
    note = MessageAdded("ev-9", T0, ticket.id, "m2", Role.OPERATOR, True)
    assert publisher.publish(note).outcome is PublishOutcome.NOT_PUBLISHED
    assert bus.entries == []


def test_one_record_is_published_once(desk):
    ticket, bus, publisher = desk
    event = all_kinds(ticket.id)[0]
    publisher.publish(event)
    assert publisher.publish(event).outcome is PublishOutcome.DUPLICATE
    assert len(bus.entries) == 1


def test_a_refused_entry_is_not_marked_so_the_retry_publishes_it(desk):
    ticket, bus, publisher = desk
    event = all_kinds(ticket.id)[1]
    bus.refuse = True
    with pytest.raises(RuntimeError):
        publisher.publish(event)
    bus.refuse = False
    assert publisher.publish(event).outcome is PublishOutcome.PUBLISHED
    assert len(bus.entries) == 1


def test_a_ticket_that_is_gone_is_said_and_nothing_is_published(desk):
    _, bus, publisher = desk
    assert publisher.publish(TicketOpened("ev-7", T0, "NZ-99999999")).outcome is PublishOutcome.TICKET_GONE
    assert bus.entries == []


def test_a_kind_without_a_publication_is_not_published_and_adding_one_is_one_entry(desk):
    ticket, bus, publisher = desk

    @dataclass(frozen=True)
    class TicketPrioritized:  # a kind another change might add
        event_id: str
        at: datetime
        ticket_id: str
        priority: str

    event = TicketPrioritized("ev-6", T0, ticket.id, "high")
    assert publisher.publish(event).outcome is PublishOutcome.NOT_PUBLISHED  # type: ignore[arg-type]
    PUBLISHED[TicketPrioritized] = PUBLISHED[TicketReopened].__class__("TicketPrioritized")
    try:
        assert publisher.publish(event).outcome is PublishOutcome.PUBLISHED  # type: ignore[arg-type]
    finally:
        del PUBLISHED[TicketPrioritized]
    assert bus.entries[-1]["detail"]["priority"] == "high"
