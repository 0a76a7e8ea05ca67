"""The response clock the ticket stores (written by the same conditional writes that change the
status, without reading the ticket) is the clock the SLA rules compute from the history: same
target, same start, for any sequence of actions."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.sla import ClockState, SlaTarget, events_from_actions, sla_clocks
from helpdesk.domain.status_machine import Action
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, LUIS, SETTINGS, SLA_POLICIES, T0, sequence
from tests.support.fakes import InMemoryTickets

ACTIONS = [
    Action.CUSTOMER_REPLY,
    Action.OPERATOR_REPLY,
    Action.INTERNAL_NOTE,
    Action.ASSIGN,
    Action.CLOSE,
    Action.REOPEN,
]


def apply(service: TicketService, ticket_id: str, action: Action, now: datetime) -> None:
    if action is Action.CUSTOMER_REPLY:
        service.reply(ANA, ticket_id, body="cliente", now=now)
    elif action is Action.OPERATOR_REPLY:
        service.reply(LUIS, ticket_id, body="operador", now=now)
    elif action is Action.INTERNAL_NOTE:
        service.reply(LUIS, ticket_id, body="nota", internal=True, now=now)
    elif action is Action.ASSIGN:
        service.assign(LUIS, ticket_id, now=now)
    elif action is Action.CLOSE:
        service.close(ANA, ticket_id, now=now)
    else:
        service.reopen(ANA, ticket_id, now=now)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(1, 600)), max_size=12))
def test_the_stored_clock_is_the_computed_clock(steps: list[tuple[Action, int]]) -> None:
    store = InMemoryTickets()
    service = TicketService(store, SETTINGS, ticket_ids=sequence("NZ-4000000"), message_ids=sequence("m"))
    ticket = service.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0)
    now, history = T0, []
    for action, minutes in steps:
        now += timedelta(minutes=minutes)
        history.append((now, action))
        # Refused by the status machine: no history either (events_from_actions skips it too).
        with contextlib.suppress(HelpdeskError):
            apply(service, ticket.id, action, now)
    policy = SLA_POLICIES.for_ticket("soporte", "normal")
    computed = sla_clocks(events_from_actions(T0, history), policy, as_of=now)
    running = [
        c for c in computed.active if c.target is not SlaTarget.RESOLUTION and c.state is ClockState.RUNNING
    ]
    stored = store.tickets[ticket.id].response_clock
    if stored is None:
        assert running == []
    else:
        (clock,) = running
        assert (stored.target, stored.since) == (clock.target, clock.started_at)
