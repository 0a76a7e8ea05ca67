"""Notify sends nothing to an address SES reported as bouncing for good or complaining: it is left
out before the recipients are chosen (so the account's next deliverable address becomes the
primary), each one left out is logged and counted, and a ticket whose every candidate is
undeliverable is said to be so (not "no recipient"). Re-confirming restores the mail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain.models import Undeliverable, UndeliverableReason
from helpdesk.services.notifications import NotificationOutcome
from tests.support.domain import ANA, LUIS, T0
from tests.unit.test_notification_choices import Desk, opened

BOUNCED = Undeliverable(UndeliverableReason.BOUNCE, T0, "5.1.1 user unknown")


@pytest.fixture
def desk() -> Desk:
    d = Desk()
    d.accounts.add_email("acct-1001", "ana@cliente.example", T0 - timedelta(days=2), 20)
    d.accounts.add_email("acct-1001", "ana.perez@cliente.example", T0 - timedelta(days=1), 20)
    return d


def bounce(desk: Desk, address: str) -> None:
    desk.accounts.mark_undeliverable("acct-1001", address, BOUNCED, T0)


def test_an_undeliverable_participant_gets_nothing_and_the_next_deliverable_address_does(desk):
    ticket_id = opened(desk)  # written on the web by ana@cliente.example, the primary
    bounce(desk, "ana@cliente.example")
    decision = desk.notifier.handle(desk.added(ticket_id))
    assert decision.outcome is NotificationOutcome.SENT
    assert desk.outbox.to() == ["ana.perez@cliente.example"]


def test_when_every_address_is_undeliverable_nothing_is_sent_and_that_is_the_reason(desk):
    ticket_id = opened(desk)
    bounce(desk, "ana@cliente.example")
    bounce(desk, "ana.perez@cliente.example")
    desk.tickets.reply(LUIS, ticket_id, body="Pruebe ahora", now=T0 + timedelta(minutes=5))
    decision = desk.notifier.handle(desk.added(ticket_id))
    assert (decision.outcome, decision.reason) == (NotificationOutcome.UNDELIVERABLE, "operator_reply")
    assert desk.outbox.sent == []
    # Kept on the ticket for operators like any mail not sent, with that reason.
    suppressed = desk.store.thread(ticket_id).suppressed_mail
    assert [(m.kind, m.reason) for m in suppressed] == [("operator_reply", "undeliverable")]


def test_a_complaint_suppresses_like_a_bounce(desk):
    ticket_id = opened(desk)
    for address in ("ana@cliente.example", "ana.perez@cliente.example"):
        desk.accounts.mark_undeliverable(
            "acct-1001", address, Undeliverable(UndeliverableReason.COMPLAINT, T0), T0
        )
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.UNDELIVERABLE


def test_an_address_confirmed_again_receives_mail_again(desk):
    bounce(desk, "ana@cliente.example")
    desk.accounts.start_reconfirmation("acct-1001", "ana@cliente.example", "n1", T0 + timedelta(days=3))
    ticket_id = opened(desk)
    desk.notifier.handle(desk.added(ticket_id))
    assert desk.outbox.to() == ["ana.perez@cliente.example"]  # pending: still nothing for ana@
    desk.accounts.confirm_email("acct-1001", "ana@cliente.example", "n1", T0 + timedelta(hours=1))
    desk.tickets.reply(LUIS, ticket_id, body="Pruebe ahora", now=T0 + timedelta(hours=2))
    desk.notifier.handle(desk.added(ticket_id))
    assert desk.outbox.to()[-1] == "ana@cliente.example"
    assert ANA.email == "ana@cliente.example"  # the participant the rule prefers
