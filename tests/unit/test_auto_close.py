"""The 72-hour rule's choices on in-memory stores: close what is due, skip what changed, close
each ticket once however many runs overlap."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain.models import ClosedReason, Role
from helpdesk.domain.status_machine import Status
from helpdesk.services.auto_close import AutoCloseChoice, AutoCloser
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, LUIS, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryTickets

HOURS = timedelta(hours=SETTINGS.auto_close_hours)


@pytest.fixture
def store() -> InMemoryTickets:
    return InMemoryTickets()


@pytest.fixture
def tickets(store: InMemoryTickets) -> TicketService:
    return TicketService(store, SETTINGS, ticket_ids=sequence("NZ-2000000"), message_ids=sequence("m"))


@pytest.fixture
def closer(store: InMemoryTickets) -> AutoCloser:
    return AutoCloser(store, SETTINGS)


def waiting(tickets: TicketService) -> str:
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0)
    tickets.reply(LUIS, ticket.id, body="¿Sigue?", now=T0)
    return ticket.id


def test_a_ticket_waiting_past_the_deadline_is_closed_as_resolved(tickets, closer, store):
    ticket_id = waiting(tickets)
    report = closer.run(T0 + HOURS + timedelta(minutes=1))
    assert (report.due, report.closed, report.skipped) == (1, 1, 0)
    ticket = store.tickets[ticket_id]
    assert (ticket.status, ticket.closed_reason) == (Status.CLOSED, ClosedReason.INACTIVITY)
    # Why, as a history entry written by the close itself (no system message any more); before
    # it, Luis took the ticket by replying.
    taken, entry = ticket.history
    assert (taken.code, taken.actor, taken.params.get("how")) == ("assigned", LUIS.name, "reply")
    assert (entry.code, entry.actor_role, dict(entry.params)) == (
        "closed",
        Role.SYSTEM,
        {"reason": "inactivity", "hours": str(SETTINGS.auto_close_hours)},
    )
    assert Role.SYSTEM not in [m.author_role for m in store.messages[ticket_id]]


def test_the_auto_close_is_one_write_per_due_ticket(tickets, closer, store):
    waiting(tickets)
    waiting(tickets)
    before = store.writes
    assert closer.run(T0 + HOURS + timedelta(minutes=1)).closed == 2
    assert store.writes - before == 2


def test_nothing_is_due_before_the_deadline(tickets, closer, store):
    ticket_id = waiting(tickets)
    assert closer.run(T0 + HOURS - timedelta(minutes=1)).due == 0
    assert store.tickets[ticket_id].status is Status.WAITING


def test_open_and_closed_tickets_are_never_due(tickets, closer):
    open_id = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0).id
    closed_id = waiting(tickets)
    tickets.close(ANA, closed_id, now=T0)
    assert closer.run(T0 + 2 * HOURS).due == 0
    assert open_id


def test_a_customer_reply_that_lands_first_wins(tickets, closer, store):
    ticket_id = waiting(tickets)
    store.before_next_write(lambda: tickets.reply(ANA, ticket_id, body="Sí, sigue", now=T0 + HOURS))
    report = closer.run(T0 + HOURS + timedelta(minutes=1))
    assert (report.due, report.closed, report.skipped) == (1, 0, 1)
    assert store.tickets[ticket_id].status is Status.OPEN
    assert [e.code for e in store.tickets[ticket_id].history] == [
        "assigned"
    ]  # Luis's reply took it; no close


def test_an_overlapping_run_closes_the_ticket_once(tickets, closer, store):
    ticket_id = waiting(tickets)
    at = T0 + HOURS + timedelta(minutes=1)
    other: list[object] = []
    store.before_next_write(lambda: other.append(closer.run(at)))
    first = closer.run(at)
    assert (first.closed, first.skipped) == (0, 1)
    assert [e.code for e in store.tickets[ticket_id].history] == ["assigned", "closed"]  # closed once


def test_a_ticket_answered_again_since_the_index_was_read_is_skipped(tickets, closer, store):
    ticket_id = waiting(tickets)
    [page] = [page for page, _ in store.due_tickets(T0 + HOURS)]
    tickets.reply(LUIS, ticket_id, body="otra pregunta", now=T0 + timedelta(hours=1))  # new deadline
    decision = closer.close_one(page[0], T0 + HOURS)
    assert (decision.choice, decision.reason) == (AutoCloseChoice.SKIPPED, "changed")
    assert store.tickets[ticket_id].status is Status.WAITING
