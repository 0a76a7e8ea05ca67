"""Which domain event mails whom, decided on in-memory stores: receipts for a ticket's first
message only, operator replies but never internal notes, the auto-close notice, close
confirmations for people's closes only, recipients (participants, else the primary address),
only confirmed addresses, the sign-in e-mail as the default, the hourly cap on receipts of
inbound mail (never on what a person did), and nothing sent twice for one stream record."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from helpdesk.domain.events import MessageAdded, TicketClosed
from helpdesk.domain.limits import AUTOMATIC_MAILS_PER_HOUR
from helpdesk.domain.models import Channel, ClosedReason, EmailOrigin, Role
from helpdesk.mail.compose import MailIdentity
from helpdesk.mail.signing import MailSigner
from helpdesk.services.notifications import NotificationOutcome, Notifier
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, ANA_BY_MAIL, LUIS, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryAccounts, InMemoryMarkers, InMemoryTickets
from tests.support.mail import MAIL_DOMAIN


class Outbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> str:
        self.sent.append(message)
        return f"ses-{len(self.sent)}"

    def to(self) -> list[str]:
        return [str(m["To"]) for m in self.sent]


class Desk:
    def __init__(self) -> None:
        self.markers = InMemoryMarkers()
        self.store = InMemoryTickets(self.markers)
        self.accounts = InMemoryAccounts()
        self.tickets = TicketService(
            self.store, SETTINGS, ticket_ids=sequence("NZ-4000000"), message_ids=sequence("m")
        )
        self.outbox = Outbox()
        identity = MailIdentity(
            signer=MailSigner(b"unit-test-secret-key", MAIL_DOMAIN), from_address=f"soporte@{MAIL_DOMAIN}"
        )
        self.notifier = Notifier(
            threads=self.store,
            markers=self.markers,
            accounts=self.accounts,
            mailer=self.outbox,
            identity=identity,
            settings=SETTINGS,
        )
        self.events = 0

    def added(self, ticket_id: str, index: int = -1) -> MessageAdded:
        message = self.store.messages[ticket_id][index]
        self.events += 1
        return MessageAdded(
            f"ev{self.events}",
            message.created_at,
            ticket_id,
            message.id,
            message.author_role,
            message.internal,
        )

    def closed(self, ticket_id: str, reason: ClosedReason) -> TicketClosed:
        self.events += 1
        return TicketClosed(f"ev{self.events}", T0, ticket_id, reason)


@pytest.fixture
def desk() -> Desk:
    d = Desk()
    d.accounts.add_email("acct-1001", "ana@cliente.example", T0, 20)
    d.accounts.add_email("acct-1001", "ana.perez@cliente.example", T0 + timedelta(minutes=1), 20)
    return d


def opened(desk: Desk) -> str:
    return desk.tickets.open_ticket(ANA, department="soporte", subject="web", body="b", now=T0).id


def test_the_first_customer_message_gets_a_receipt(desk):
    ticket_id = opened(desk)
    decision = desk.notifier.handle(desk.added(ticket_id))
    assert (decision.outcome, decision.reason, decision.ticket_id) == (
        NotificationOutcome.SENT,
        "receipt",
        ticket_id,
    )
    assert ticket_id in str(desk.outbox.sent[0]["Subject"])


def test_a_later_customer_reply_gets_no_mail(desk):
    ticket_id = opened(desk)
    desk.tickets.reply(ANA, ticket_id, body="más datos", now=T0 + timedelta(minutes=5))
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.NOT_NOTIFIED
    assert desk.outbox.sent == []


def test_an_operator_reply_is_mailed_but_an_internal_note_is_not(desk):
    ticket_id = opened(desk)
    desk.tickets.reply(LUIS, ticket_id, body="nota", internal=True, now=T0)
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.NOT_NOTIFIED
    desk.tickets.reply(LUIS, ticket_id, body="Pruebe ahora", now=T0)
    assert desk.notifier.handle(desk.added(ticket_id)).reason == "operator_reply"
    assert "Pruebe ahora" in desk.outbox.sent[0].get_body(("plain",)).get_content()


def test_the_auto_close_is_mailed_from_the_close_and_an_old_system_message_sends_nothing(desk):
    ticket_id = opened(desk)
    assert desk.notifier.handle(desk.closed(ticket_id, ClosedReason.INACTIVITY)).reason == "auto_closed"
    # A system message stored by the version before history entries (its close is mailed instead):
    old = MessageAdded("ev-x", T0, ticket_id, desk.store.messages[ticket_id][0].id, Role.SYSTEM, False)
    assert desk.notifier.handle(old).outcome is NotificationOutcome.NOT_NOTIFIED
    assert len(desk.outbox.sent) == 1


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        (ClosedReason.CUSTOMER, NotificationOutcome.SENT),
        (ClosedReason.OPERATOR, NotificationOutcome.SENT),
        (ClosedReason.INACTIVITY, NotificationOutcome.SENT),  # the auto-close notice
        (ClosedReason.MERGED, NotificationOutcome.NOT_NOTIFIED),
    ],
)
def test_closes_by_people_are_confirmed(desk, reason, outcome):
    ticket_id = opened(desk)
    assert desk.notifier.handle(desk.closed(ticket_id, reason)).outcome is outcome


def test_no_event_no_mail(desk):
    assert desk.notifier.handle(None).outcome is NotificationOutcome.NOT_NOTIFIED


def test_participants_receive_the_mail_else_the_primary_address(desk):
    ticket_id = opened(desk)  # written on the web by the login ana@cliente.example
    desk.notifier.handle(desk.added(ticket_id))
    assert desk.outbox.to() == ["ana@cliente.example"]
    by_mail = desk.tickets.open_ticket(
        ANA_BY_MAIL, department="soporte", subject="m", body="b", now=T0,
        email=EmailOrigin("ana.perez@cliente.example"),
    )  # fmt: skip
    desk.notifier.handle(desk.added(by_mail.id))
    assert desk.outbox.to()[-1] == "ana.perez@cliente.example"
    stranger = desk.tickets.open_ticket(
        ANA.__class__(role=Role.CUSTOMER, name="ex-empleado@cliente.example", account_id="acct-1001"),
        department="soporte", subject="x", body="b", now=T0,
    )  # fmt: skip
    desk.notifier.handle(desk.added(stranger.id))
    assert desk.outbox.to()[-1] == "ana@cliente.example"  # the primary address


def test_an_account_without_addresses_is_not_mailed(desk):
    desk.accounts.owners.clear()
    desk.accounts.listings.clear()
    ticket_id = opened(desk)
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.NO_RECIPIENT


def test_a_stream_record_handled_before_sends_nothing(desk):
    ticket_id = opened(desk)
    event = desk.added(ticket_id)
    desk.notifier.handle(event)
    assert desk.notifier.handle(event).outcome is NotificationOutcome.DUPLICATE
    assert len(desk.outbox.sent) == 1


def test_a_ticket_or_message_that_is_gone_is_said(desk):
    assert (
        desk.notifier.handle(MessageAdded("ev-1", T0, "NZ-99999999", "m1", Role.OPERATOR, False)).outcome
        is NotificationOutcome.TICKET_GONE
    )
    ticket_id = opened(desk)
    assert (
        desk.notifier.handle(MessageAdded("ev-2", T0, ticket_id, "no-such", Role.OPERATOR, False)).outcome
        is NotificationOutcome.MESSAGE_GONE
    )


def test_receipts_of_mail_are_capped_per_hour_against_loops_what_people_did_is_not(desk):
    numbers = iter(range(50000001, 50000100))
    desk.tickets = TicketService(
        desk.store, SETTINGS, ticket_ids=lambda: f"NZ-{next(numbers)}", message_ids=sequence("m")
    )

    def by_mail(n: int) -> str:
        return desk.tickets.open_ticket(
            ANA_BY_MAIL,
            department="soporte",
            subject=f"mail {n}",
            body="b",
            now=T0,
            channel=Channel.EMAIL,
            email=EmailOrigin("ana.perez@cliente.example"),
        ).id

    for n in range(AUTOMATIC_MAILS_PER_HOUR):
        assert desk.notifier.handle(desk.added(by_mail(n))).outcome is NotificationOutcome.SENT, n
    capped = desk.notifier.handle(desk.added(by_mail(99)))
    assert (capped.outcome, capped.reason) == (NotificationOutcome.RATE_LIMITED, "receipt")
    # The same address still gets what a person did: web receipts, closes, operator replies.
    ticket_id = desk.tickets.open_ticket(
        ANA_BY_MAIL, department="soporte", subject="web", body="b", now=T0
    ).id
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.SENT
    for _ in range(AUTOMATIC_MAILS_PER_HOUR + 1):
        assert (
            desk.notifier.handle(desk.closed(ticket_id, ClosedReason.CUSTOMER)).outcome
            is NotificationOutcome.SENT
        )
    desk.tickets.reply(LUIS, ticket_id, body="Respuesta", now=T0)
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.SENT


def test_a_pending_address_receives_nothing(desk):
    desk.accounts.listings.clear()
    desk.accounts.owners.clear()
    desk.accounts.claim_email("acct-1001", "ana@cliente.example", "n", T0 + timedelta(days=3), T0, 20)
    ticket_id = opened(desk)
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.NO_RECIPIENT
    assert desk.outbox.sent == []


def test_a_sign_in_email_is_the_recipient_when_no_other_address_is_confirmed(desk):
    desk.accounts.listings.clear()
    desk.accounts.owners.clear()
    desk.accounts.add_email("acct-1001", "jefe@cliente.example", T0, 20, sign_in=True)
    ticket_id = opened(desk)  # Ana's login is not a confirmed address: the default recipient gets it
    assert desk.notifier.handle(desk.added(ticket_id)).outcome is NotificationOutcome.SENT
    assert desk.outbox.to() == ["jefe@cliente.example"]
    desk.accounts.add_email("acct-1001", "facturas@cliente.example", T0 + timedelta(days=1), 20)
    desk.notifier.handle(desk.closed(ticket_id, ClosedReason.CUSTOMER))
    assert desk.outbox.to()[-1] == "facturas@cliente.example"


def test_the_mail_is_in_the_accounts_language(desk):
    desk.accounts.set_language("acct-1001", "en")
    ticket_id = opened(desk)
    desk.notifier.handle(desk.added(ticket_id))
    assert "ticket number is" in desk.outbox.sent[0].get_body(("plain",)).get_content()


def test_a_suppressed_mail_is_kept_on_the_ticket_for_operators_once(desk):
    desk.accounts.owners.clear()
    desk.accounts.listings.clear()
    ticket_id = opened(desk)
    event = desk.added(ticket_id)
    writes = desk.store.writes
    assert desk.notifier.handle(event).outcome is NotificationOutcome.NO_RECIPIENT
    assert desk.store.writes == writes + 1  # the one extra request: the record
    desk.notifier.handle(event)  # the stream delivers the record again
    thread = desk.store.thread(ticket_id)
    assert [(m.kind, m.reason) for m in thread.suppressed_mail] == [("receipt", "no_recipient")]
    assert thread.suppressed_mail[0].at == event.at
    # Customers read the thread without it.
    customer_view = desk.tickets.get_ticket(ANA, ticket_id)
    assert customer_view.suppressed_mail == []
    assert desk.tickets.get_ticket(LUIS, ticket_id).suppressed_mail == thread.suppressed_mail


def test_a_mail_over_the_quota_is_kept_on_the_ticket_with_its_reason(desk):
    numbers = iter(range(60000001, 60000100))
    desk.tickets = TicketService(
        desk.store, SETTINGS, ticket_ids=lambda: f"NZ-{next(numbers)}", message_ids=sequence("m")
    )

    def by_mail(n: int) -> str:
        return desk.tickets.open_ticket(
            ANA_BY_MAIL,
            department="soporte",
            subject=f"s{n}",
            body="b",
            now=T0,
            channel=Channel.EMAIL,
            email=EmailOrigin("ana.perez@cliente.example", f"<m{n}@x>"),
        ).id

    for n in range(AUTOMATIC_MAILS_PER_HOUR):
        desk.notifier.handle(desk.added(by_mail(n)))
    capped = by_mail(99)
    desk.notifier.handle(desk.added(capped))
    assert [(m.kind, m.reason) for m in desk.store.thread(capped).suppressed_mail] == [
        ("receipt", "rate_limited")
    ]
