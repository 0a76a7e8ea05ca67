"""A customer's export on the in-memory fakes: every ticket of the account, every public message,
never an internal note or another account's ticket; pages that stay under the byte budget, a
ticket too big for one page continued on the next, nothing lost or repeated.
Bad input tried: an operator, a customer without an account, garbled and foreign cursors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain.errors import InvalidInput, NotAllowed
from helpdesk.services import export
from helpdesk.services.export import AccountExport
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, BRUNO, LUIS, NO_ACCOUNT, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryTickets


@pytest.fixture
def desk():
    store = InMemoryTickets()
    tickets = TicketService(store, SETTINGS, ticket_ids=sequence("NZ-2000000"), message_ids=sequence("m"))
    return tickets, AccountExport(store)


def everything(exporter, caller):
    """Every page, joined as the portal joins them: {ticket id: [message bodies]}."""
    joined: dict[str, list[str]] = {}
    cursor, pages = None, 0
    while True:
        page = exporter.page(caller, cursor)
        pages += 1
        for entry in page.tickets:
            assert entry.first_message == len(joined.get(entry.ticket.id, []))
            joined.setdefault(entry.ticket.id, []).extend(m.body for m in entry.messages)
        cursor = page.next_cursor
        if cursor is None:
            return joined, pages


def test_every_ticket_and_public_message_never_a_note_or_another_account(desk):
    tickets, exporter = desk
    a = tickets.open_ticket(ANA, department="soporte", subject="A", body="uno", now=T0)
    b = tickets.open_ticket(ANA, department="soporte", subject="B", body="dos", now=T0 + timedelta(minutes=1))
    tickets.open_ticket(BRUNO, department="soporte", subject="ajeno", body="de otro", now=T0)
    tickets.reply(LUIS, a.id, body="respuesta", now=T0 + timedelta(minutes=2))
    tickets.reply(LUIS, a.id, body="nota interna", internal=True, now=T0 + timedelta(minutes=3))
    joined, pages = everything(exporter, ANA)
    assert joined == {a.id: ["uno", "respuesta"], b.id: ["dos"]}
    assert pages == 1


def test_pages_stay_under_the_budget_and_a_big_ticket_continues(desk, monkeypatch):
    monkeypatch.setattr(export, "PAGE_BYTES", 3_000)
    monkeypatch.setattr(export, "MESSAGE_OVERHEAD", 0)
    tickets, exporter = desk
    big = tickets.open_ticket(ANA, department="soporte", subject="Grande", body="x" * 1_000, now=T0)
    for n in range(6):
        tickets.reply(ANA, big.id, body=f"{n}" * 1_000, now=T0 + timedelta(minutes=n + 1))
    small = tickets.open_ticket(ANA, department="soporte", subject="Chico", body="y", now=T0)
    joined, pages = everything(exporter, ANA)
    assert joined[big.id] == ["x" * 1_000] + [f"{n}" * 1_000 for n in range(6)]
    assert joined[small.id] == ["y"]
    assert pages == 3
    first = exporter.page(ANA)
    assert sum(len(m.body) for e in first.tickets for m in e.messages) <= 3_000


def test_only_customers_with_an_account_export(desk):
    _tickets, exporter = desk
    for caller in (LUIS, NO_ACCOUNT):
        with pytest.raises(NotAllowed):
            exporter.page(caller)


@pytest.mark.parametrize("cursor", ["garbage", "WyJzZWFyY2giLCAieCJd", "WyJleHBvcnQiLCBudWxsLCAtMV0"])
def test_a_cursor_export_did_not_hand_out_is_refused(desk, cursor):
    _tickets, exporter = desk
    with pytest.raises(InvalidInput, match="cursor"):
        exporter.page(ANA, cursor)
