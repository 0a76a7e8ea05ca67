"""Escalation on in-memory stores: "due in 30 minutes" then "breached", once each, in business
time (soporte: Monday to Friday 09:00-19:00 Europe/Madrid, first response 60 min, next 120); a
reply that lands first wins; overlapping runs alert once; WAITING tickets are never alerted."""

from __future__ import annotations

import pytest

from helpdesk.domain import history, history_text
from helpdesk.domain.attributes import Priority
from helpdesk.domain.models import Role
from helpdesk.domain.sla import AlertStage, SlaTarget
from helpdesk.services.escalation import Escalator
from helpdesk.services.ticket_attributes import TicketAttributes
from helpdesk.services.tickets import TicketService
from helpdesk.sla_config import SlaDocument
from tests.support.domain import ANA, LUIS, SETTINGS, sequence
from tests.support.domain import SLA_POLICIES as POLICIES
from tests.support.domain import madrid as at
from tests.support.fakes import InMemoryTickets


@pytest.fixture
def store() -> InMemoryTickets:
    return InMemoryTickets()


@pytest.fixture
def tickets(store: InMemoryTickets) -> TicketService:
    return TicketService(
        store,
        SETTINGS,
        ticket_ids=sequence("NZ-3000000"),
        message_ids=sequence("m"),
        sla_policies=lambda: POLICIES,
    )


def escalator(store: InMemoryTickets) -> Escalator:
    return Escalator(store, SETTINGS, POLICIES)


def alerts(store: InMemoryTickets, ticket_id: str, language: str = "es") -> list[str]:
    """The SLA alerts in the ticket's history, as an operator reading in `language` sees them."""
    entries = store.tickets[ticket_id].history
    return [history_text.render(e, language) for e in entries if e.code.startswith("sla_")]


def test_friday_evening_ticket_is_warned_then_breached_on_monday_once_each(store, tickets) -> None:
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-20 18:55"))
    run = escalator(store)
    # Monday 09:00: 55 business minutes left; the Query does not even read it.
    report = run.run(at("2026-11-23 09:00"))
    assert (report.warned, report.breached, report.items_read) == (0, 0, 0)
    report = run.run(at("2026-11-23 09:25"))  # 30 minutes left: warned
    assert (report.warned, report.breached, report.items_read) == (1, 0, 1)
    assert run.run(at("2026-11-23 09:40")).warned == 0  # once
    assert run.run(at("2026-11-23 09:55")).breached == 0  # due at 09:55: not yet breached
    report = run.run(at("2026-11-23 09:56"))
    assert (report.warned, report.breached) == (0, 1)
    assert run.run(at("2026-11-23 12:00")).items_read == 0  # alerted clocks are not read again
    assert alerts(store, ticket.id) == [
        "SLA: la primera respuesta vence el 23/11/2026 09:55 (quedan 30 min hábiles).",
        "SLA: la primera respuesta venció el 23/11/2026 09:55 sin respuesta.",
    ]
    assert alerts(store, ticket.id, "en") == [
        "SLA: the first response is due on 23/11/2026 09:55 (30 business minutes left).",
        "SLA: the first response was due on 23/11/2026 09:55 and was missed.",
    ]
    # Stored as codes, operators only; no message was written for them.
    assert next((e.code, dict(e.params)) for e in store.tickets[ticket.id].history) == (
        "sla_warning",
        {"target": "first_response", "due": "23/11/2026 09:55", "minutes": "30"},
    )
    assert [m.author_role for m in store.messages[ticket.id]] == [Role.CUSTOMER]
    assert all(not history.visible_to(e, ANA) for e in store.tickets[ticket.id].history)
    stored = store.tickets[ticket.id].response_clock
    assert stored is not None
    assert stored.stage is AlertStage.BREACHED
    # The alerts are not edits: the version an operator loaded is still good for If-Match.
    assert store.tickets[ticket.id].version == 1


def test_a_reply_stops_the_clock_and_the_next_customer_message_starts_next_response(store, tickets) -> None:
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-23 10:00"))
    run = escalator(store)
    assert run.run(at("2026-11-23 10:30")).warned == 1
    tickets.reply(LUIS, ticket.id, body="Mire esto", now=at("2026-11-23 10:40"))
    assert run.run(at("2026-11-23 11:30")).breached == 0  # answered in time
    tickets.reply(ANA, ticket.id, body="No va", now=at("2026-11-23 18:00"))
    clock = store.tickets[ticket.id].response_clock
    assert clock is not None
    assert (clock.target, clock.since) == (SlaTarget.NEXT_RESPONSE, at("2026-11-23 18:00"))
    # 120 business minutes from Monday 18:00: one hour on Monday, one on Tuesday: due 10:00.
    assert run.run(at("2026-11-24 09:29")).warned == 0
    assert run.run(at("2026-11-24 09:30")).warned == 1
    assert run.run(at("2026-11-24 10:01")).breached == 1
    assert (
        alerts(store, ticket.id)[-1]
        == "SLA: la siguiente respuesta venció el 24/11/2026 10:00 sin respuesta."
    )


def test_a_ticket_waiting_for_the_customer_is_never_alerted(store, tickets) -> None:
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-23 10:00"))
    tickets.reply(LUIS, ticket.id, body="¿Qué navegador?", now=at("2026-11-23 10:05"))
    report = escalator(store).run(at("2026-11-30 10:00"))
    assert (report.warned, report.breached, report.items_read) == (0, 0, 0)
    assert alerts(store, ticket.id) == []


def test_a_clock_first_seen_after_its_due_time_is_reported_breached_only(store, tickets) -> None:
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-23 10:00"))
    report = escalator(store).run(at("2026-11-23 15:00"))
    assert (report.warned, report.breached) == (0, 1)
    assert len(alerts(store, ticket.id)) == 1


def test_holidays_count_in_the_due_time(store, tickets) -> None:
    # Monday 7 December 18:30 + 60 min: 30 min on Monday, Tuesday 8 is a holiday: due Wednesday 09:30.
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-12-07 18:30"))
    run = escalator(store)
    assert run.run(at("2026-12-07 18:59")).warned == 0
    assert run.run(at("2026-12-07 19:00")).warned == 1  # 30 business minutes left, as on the holiday
    assert run.run(at("2026-12-08 23:00")).breached == 0
    assert run.run(at("2026-12-09 09:30")).breached == 0
    assert run.run(at("2026-12-09 09:31")).breached == 1
    assert "09/12/2026 09:30" in alerts(store, ticket.id)[0]


def test_a_reply_that_lands_during_the_run_wins(store, tickets) -> None:
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-23 10:00"))
    store.before_next_write(
        lambda: tickets.reply(LUIS, ticket.id, body="Ya está", now=at("2026-11-23 11:30"))
    )
    report = escalator(store).run(at("2026-11-23 11:30"))
    assert (report.breached, report.skipped) == (0, 1)
    assert alerts(store, ticket.id) == []


def test_overlapping_runs_alert_once(store, tickets) -> None:
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-23 10:00"))
    first, second = escalator(store), escalator(store)
    # The second run finds the same ticket and alerts just before the first one writes.
    store.before_next_write(lambda: second.run(at("2026-11-23 10:31")))
    report = first.run(at("2026-11-23 10:31"))
    assert (report.warned, report.skipped) == (0, 1)
    assert len(alerts(store, ticket.id)) == 1


def test_the_department_policy_and_the_default_apply(store, tickets) -> None:
    """comercial has no policy of its own: the default (24x7, first response 240 min)."""
    ticket = tickets.open_ticket(
        ANA, department="comercial", subject="s", body="b", now=at("2026-11-21 10:00")
    )
    run = escalator(store)
    assert run.run(at("2026-11-21 13:29")).warned == 0
    assert run.run(at("2026-11-21 13:30")).warned == 1  # a Saturday: 24x7 counts it
    assert "21/11/2026 14:00" in alerts(store, ticket.id)[0]


LOW_IS_SLOWER = SlaDocument.model_validate(
    {
        "calendars": {"24x7": {"time_zone": "Europe/Madrid", "hours": "always"}},
        "policies": [
            {"calendar": "24x7", "first_response": 60, "next_response": 120},
            {"priority": "low", "calendar": "24x7", "first_response": 600, "next_response": 600},
        ],
    }
).policies_for(("soporte", "comercial"))


def test_each_ticket_is_judged_on_its_own_prioritys_policy(store) -> None:
    tickets = TicketService(
        store,
        SETTINGS,
        ticket_ids=sequence("NZ-3100000"),
        message_ids=sequence("m"),
        sla_policies=lambda: LOW_IS_SLOWER,
    )
    low = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-21 10:00"))
    normal = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=at("2026-11-21 10:00"))
    TicketAttributes(store).update(LUIS, low.id, now=at("2026-11-21 10:01"), priority=Priority.LOW)
    run = Escalator(store, SETTINGS, LOW_IS_SLOWER)
    report = run.run(at("2026-11-21 11:01"))
    # Both are read (at risk under the normal policy); only the normal one has used its hour.
    assert (report.breached, report.not_yet, report.items_read) == (1, 1, 2)
    assert alerts(store, normal.id) == ["SLA: la primera respuesta venció el 21/11/2026 11:00 sin respuesta."]
    assert alerts(store, low.id) == []


URGENT_IS_SOONER = SlaDocument.model_validate(
    {
        "calendars": {"24x7": {"time_zone": "Europe/Madrid", "hours": "always"}},
        "policies": [
            {"calendar": "24x7", "first_response": 240, "next_response": 480},
            {"department": "soporte", "priority": "urgent", "calendar": "24x7", "first_response": 45,
             "next_response": 60},
        ],
    }
).policies_for(("soporte", "comercial"))  # fmt: skip


def test_an_urgent_ticket_is_alerted_on_its_own_policy_and_normal_ones_are_not_read(store) -> None:
    tickets = TicketService(
        store,
        SETTINGS,
        ticket_ids=sequence("NZ-3200000"),
        message_ids=sequence("m"),
        sla_policies=lambda: URGENT_IS_SOONER,
    )
    opened = at("2026-11-21 10:00")
    urgent = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=opened)
    normals = [
        tickets.open_ticket(ANA, department=department, subject="s", body="b", now=opened)
        for department in ("soporte", "comercial")
    ]
    TicketAttributes(store).update(LUIS, urgent.id, now=at("2026-11-21 10:01"), priority=Priority.URGENT)
    run = Escalator(store, SETTINGS, URGENT_IS_SOONER)
    # 15 minutes left of its 45: warned now, although the normal policy (4 h) is far from it.
    warned = run.run(at("2026-11-21 10:15"))
    assert (warned.warned, warned.breached, warned.not_yet, warned.items_read) == (1, 0, 0, 1)
    assert alerts(store, urgent.id) == [
        "SLA: la primera respuesta vence el 21/11/2026 10:45 (quedan 30 min hábiles)."
    ]
    breached = run.run(at("2026-11-21 10:46"))
    assert (breached.breached, breached.items_read) == (1, 1)
    assert [e.code for e in store.tickets[urgent.id].history if e.code.startswith("sla_")] == [
        "sla_warning",
        "sla_breached",
    ]
    # The normal tickets were never read: neither Query reached them.
    assert all(alerts(store, t.id) == [] for t in normals)
    # Back to normal: the urgent index forgets it, the department one judges it on 4 hours.
    TicketAttributes(store).update(LUIS, urgent.id, now=at("2026-11-21 10:50"), priority=Priority.NORMAL)
    assert run.run(at("2026-11-21 11:00")).items_read == 0
