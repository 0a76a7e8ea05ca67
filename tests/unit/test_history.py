"""The ticket's history on in-memory stores: who closed and reopened it, written by the change
itself (no extra write), shown to customers only where they may see it, and rendered in the
reader's language from codes (never stored as sentences).
Bad inputs tried: an entry with a code this version does not know, one missing a parameter, a
malformed stored list; a reply to a closed ticket of another account; a stale If-Match on it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from helpdesk.domain import history, history_text
from helpdesk.domain.errors import StaleVersion, TicketNotFound
from helpdesk.domain.history import EntryCode, HistoryEntry
from helpdesk.domain.models import ClosedReason, Role
from helpdesk.domain.status_machine import Status
from helpdesk.services.tickets import TicketService
from helpdesk.store.history import entries_from, entry_item
from tests.support.domain import ANA, BRUNO, LUIS, MARTA, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryTickets

LATER = T0 + timedelta(minutes=5)


@pytest.fixture
def store() -> InMemoryTickets:
    return InMemoryTickets()


@pytest.fixture
def service(store: InMemoryTickets) -> TicketService:
    return TicketService(store, SETTINGS, ticket_ids=sequence("NZ-3000000"), message_ids=sequence("m"))


def opened(service: TicketService) -> str:
    return service.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0).id


def codes(service: TicketService, ticket_id: str, caller=LUIS) -> list[tuple[str, dict[str, str]]]:
    return [(e.code, dict(e.params)) for e in service.get_ticket(caller, ticket_id).ticket.history]


# ---------------------------------------------------------------- written by the change itself
def test_a_close_says_who_closed_it_in_the_same_write(service, store):
    ticket_id = opened(service)
    before = store.writes
    service.close(ANA, ticket_id, now=LATER)
    assert store.writes - before == 1
    [entry] = store.tickets[ticket_id].history
    assert (entry.code, entry.actor_role, entry.actor, entry.at) == ("closed", Role.CUSTOMER, ANA.name, LATER)
    assert dict(entry.params) == {"reason": "customer"}


def test_an_operator_close_and_reopen_are_both_in_the_history(service):
    ticket_id = opened(service)
    service.close(LUIS, ticket_id, now=LATER)
    service.reopen(ANA, ticket_id, now=LATER + timedelta(minutes=1))
    assert codes(service, ticket_id) == [("closed", {"reason": "operator"}), ("reopened", {})]


def test_a_reply_to_an_open_ticket_writes_no_entry_and_one_request(service, store):
    ticket_id = opened(service)
    before = store.writes
    service.reply(ANA, ticket_id, body="más datos", now=LATER)
    assert store.writes - before == 1
    assert store.tickets[ticket_id].history == ()


def test_a_customer_reply_that_reopens_a_closed_ticket_says_so(service, store):
    ticket_id = opened(service)
    service.close(LUIS, ticket_id, now=LATER)
    before = store.writes
    service.reply(ANA, ticket_id, body="Vuelve a fallar", now=LATER + timedelta(hours=1))
    # The refused first write said it was closed; the second reopened it with its entry.
    assert store.writes - before == 2
    assert store.tickets[ticket_id].status is Status.OPEN
    assert codes(service, ticket_id)[-1] == ("reopened", {"by_reply": "yes"})
    assert [m.body for m in store.messages[ticket_id]][-1] == "Vuelve a fallar"


def test_a_reply_to_a_closed_ticket_of_another_account_is_not_found_and_writes_nothing(service, store):
    ticket_id = opened(service)
    service.close(ANA, ticket_id, now=LATER)
    with pytest.raises(TicketNotFound):
        service.reply(BRUNO, ticket_id, body="hola", now=LATER)
    assert len(store.tickets[ticket_id].history) == 1


def test_a_stale_if_match_on_a_closed_ticket_is_a_version_conflict_not_a_reopen(service, store):
    ticket_id = opened(service)
    service.close(ANA, ticket_id, now=LATER)
    with pytest.raises(StaleVersion):
        service.reply(ANA, ticket_id, body="hola", now=LATER, expected_version=1)
    assert store.tickets[ticket_id].status is Status.CLOSED


def test_a_reopen_that_races_the_reopening_reply_still_lands_the_reply(service, store):
    """Between the refused write and the reopening one the customer reopens it from the portal:
    the second write's guard (CLOSED) fails, and the reply is written once more, plainly."""
    ticket_id = opened(service)
    service.close(ANA, ticket_id, now=LATER)
    real_apply = store.apply
    calls = []

    def apply_with_competitor(tid, change):
        calls.append(change)
        if len(calls) == 2:  # just before the reopening write
            service.reopen(ANA, ticket_id, now=LATER)
        return real_apply(tid, change)

    store.apply = apply_with_competitor  # type: ignore[method-assign]
    service.reply(ANA, ticket_id, body="hola", now=LATER)
    assert len(calls) == 4  # ours: active (refused), reopening (refused), plain; and the reopen
    assert [(e.code, dict(e.params)) for e in store.tickets[ticket_id].history] == [
        ("closed", {"reason": "customer"}),
        ("reopened", {}),
    ]
    assert [m.body for m in store.messages[ticket_id]] == ["b", "hola"]


# ---------------------------------------------------------------- who sees what
def test_customers_see_status_changes_but_not_operator_only_entries(service, store):
    ticket_id = opened(service)
    service.close(LUIS, ticket_id, now=LATER)
    assigned = history.entry(EntryCode.ASSIGNED, LATER, LUIS, assignee="marta")
    store.tickets[ticket_id] = replace(
        store.tickets[ticket_id], history=(*store.tickets[ticket_id].history, assigned)
    )
    assert [c for c, _ in codes(service, ticket_id, LUIS)] == ["closed", "assigned"]
    assert [c for c, _ in codes(service, ticket_id, ANA)] == ["closed"]


# ---------------------------------------------------------------- rendered per reader
@pytest.mark.parametrize(
    ("entry", "es", "en"),
    [
        (
            history.closed(T0, ANA, ClosedReason.CUSTOMER),
            f"{ANA.name} cerró el ticket.",
            f"{ANA.name} closed the ticket.",
        ),
        (
            history.closed(T0, None, ClosedReason.INACTIVITY, hours=72),
            "El ticket se cerró automáticamente como resuelto porque no recibimos respuesta en 72 horas.",
            "The ticket was closed automatically as resolved because we received no answer in 72 hours.",
        ),
        (
            history.reopened(T0, ANA, by_reply=True),
            f"con la respuesta de {ANA.name}",
            f"reopened by {ANA.name}'s reply",
        ),
        (history.reopened(T0, LUIS), f"{LUIS.name} reabrió el ticket.", f"{LUIS.name} reopened the ticket."),
        (
            history.entry(EntryCode.PRIORITY_CHANGED, T0, LUIS, old="normal", new="urgent"),
            "de normal a urgente",
            "from normal to urgent",
        ),
        (
            history.entry(EntryCode.OPENED_ON_BEHALF, T0, LUIS, channel="phone"),
            "en nombre del cliente (por teléfono)",
            "on the customer's behalf (by phone)",
        ),
    ],
)
def test_entries_read_in_the_readers_language(entry, es, en):
    assert es in history_text.render(entry, "es")
    assert en in history_text.render(entry, "en")
    assert history_text.render(entry, "fr") == history_text.render(entry, "es")  # Spanish otherwise


def test_an_unknown_code_or_a_missing_parameter_still_renders():
    future = HistoryEntry("sla_paused", T0, Role.SYSTEM, "", {})
    assert history_text.render(future, "en") == "The ticket changed (sla_paused)."
    lacking = HistoryEntry("assigned", T0, Role.OPERATOR, "luis", {})
    assert history_text.render(lacking, "es") == "luis asignó el ticket a ?."


def test_both_catalogues_have_the_same_sentences_and_placeholders():
    assert history_text.ES.keys() == history_text.EN.keys()
    for key, sentence in history_text.ES.items():
        assert set(re.findall(r"{(\w+)}", sentence)) == set(re.findall(r"{(\w+)}", history_text.EN[key])), key


def test_every_code_has_a_sentence():
    for code in set(EntryCode) - {EntryCode.CLOSED}:
        assert history_text.sentence_key(HistoryEntry(code.value, T0, Role.OPERATOR, "x", {})) != "unknown", (
            code
        )
    for reason in (ClosedReason.CUSTOMER, ClosedReason.OPERATOR, ClosedReason.INACTIVITY):
        assert history_text.sentence_key(history.closed(T0, LUIS, reason)) == f"closed.{reason}"


def test_entries_are_stored_as_codes_and_read_back_and_broken_ones_are_left_out():
    entry = history.closed(T0, ANA, ClosedReason.CUSTOMER)
    stored = entry_item(entry)
    assert stored == {"code": "closed", "at": "2026-11-25T12:00:00.000Z", "role": "customer",
                      "actor": ANA.name, "params": {"reason": "customer"}}  # fmt: skip
    assert "cerró" not in str(stored)  # never a sentence
    assert entries_from([stored, {"at": "x"}, "garbage", {"code": "closed", "at": "not a time"}]) == (entry,)
    assert entries_from(None) == ()


def test_priority_and_tag_changes_are_spelled_out_from_the_entries_before() -> None:
    """The PATCH writes what it set (it reads nothing first); reading says what changed. Spelling
    out twice (a fake store, a merged thread) changes nothing more; an entry that set what the
    ticket had is left out; the first priority change starts from normal, the first tags from none."""
    stored = (
        history.priority_set(T0, LUIS, "low"),
        history.tags_set(T0, LUIS, ("a", "b")),
        history.tags_set(LATER, LUIS, ("a", "b")),  # the same tags again: nothing to show
        history.priority_set(LATER, MARTA, "low"),  # the same priority again
        history.closed(LATER, LUIS, ClosedReason.OPERATOR),
        history.tags_set(LATER, MARTA, ("c",)),
        history.priority_set(LATER, MARTA, "urgent"),
    )
    shown = history.spelled_out(stored)
    assert [(e.code, dict(e.params)) for e in shown] == [
        ("priority_changed", {"old": "normal", "new": "low"}),
        ("tags_changed", {"added": "a,b", "removed": ""}),
        ("closed", {"reason": "operator"}),
        ("tags_changed", {"added": "c", "removed": "a,b"}),
        ("priority_changed", {"old": "low", "new": "urgent"}),
    ]
    assert history.spelled_out(shown) == shown
    assert [history_text.render(e, "en") for e in shown][-1] == (
        "Marta Sanz changed the priority from low to urgent."
    )
    assert entries_from([entry_item(e) for e in stored]) == shown
