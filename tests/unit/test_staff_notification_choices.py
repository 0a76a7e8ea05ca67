"""Which event mails which operator, decided on in-memory stores: the department's operators for
a new ticket, the assignee (else the department) for a customer's answer and an SLA alert, the
new assignee for a hand-over, the assignee for a colleague's note; never the one who acted, only
what each wants; once per stream record and operator, also when a retried batch resumes after a
failed send."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest

from helpdesk.domain import history
from helpdesk.domain.events import MessageAdded, SlaAlerted, TicketAssigned
from helpdesk.domain.history import EntryCode
from helpdesk.domain.operators import DirectoryMember, OperatorPreferences, StaffNotice
from helpdesk.mail.compose import MailIdentity
from helpdesk.mail.signing import MailSigner
from helpdesk.services.assignment import ABSENT, AssignmentService
from helpdesk.services.operators import OperatorDirectory
from helpdesk.services.staff_notifications import StaffNotifier, StaffOutcome
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, LUIS, MARTA, SETTINGS, T0, sequence
from tests.support.fakes import (
    InMemoryMarkers,
    InMemoryOperatorGroup,
    InMemoryOperatorPreferences,
    InMemoryTickets,
)
from tests.support.mail import MAIL_DOMAIN

PILAR = DirectoryMember("sub-pilar", "pilar@netz0.example", "Pilar Ortega")


class Outbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.fail_after: int | None = None

    def send(self, message: EmailMessage) -> str:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionError("SES throttled")
        self.sent.append(message)
        return "ses-id"

    def to(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.sent)


class Desk:
    def __init__(self) -> None:
        self.markers = InMemoryMarkers()
        self.store = InMemoryTickets(self.markers)
        self.preferences = InMemoryOperatorPreferences()
        group = InMemoryOperatorGroup(
            DirectoryMember(LUIS.id, LUIS.email or "", LUIS.name),
            DirectoryMember(MARTA.id, MARTA.email or "", MARTA.name),
            PILAR,
        )
        self.directory = OperatorDirectory(group, self.preferences, SETTINGS)
        self.preferences.saved[PILAR.id] = OperatorPreferences(departments=("comercial",))
        self.tickets = TicketService(
            self.store, SETTINGS, ticket_ids=sequence("NZ-5000000"), message_ids=sequence("m")
        )
        self.assignments = AssignmentService(self.tickets, self.directory)
        self.outbox = Outbox()
        self.staff = StaffNotifier(
            threads=self.store,
            markers=self.markers,
            directory=self.directory,
            mailer=self.outbox,
            identity=MailIdentity(MailSigner(b"unit-test-secret-key", MAIL_DOMAIN), f"soporte@{MAIL_DOMAIN}"),
            settings=SETTINGS,
            portal_url="https://portal.example/",
        )
        self.n = 0

    def added(self, ticket_id: str) -> MessageAdded:
        message = self.store.messages[ticket_id][-1]
        self.n += 1
        return MessageAdded(f"ev-{self.n}", T0, ticket_id, message.id, message.author_role, message.internal)

    def alerted(self, ticket_id: str, code: EntryCode) -> SlaAlerted:
        """The escalation's alert, as its write appends it to the ticket and the stream says."""
        params = {"target": "first_response", "due": "02/12/2026 10:30"}
        if code is EntryCode.SLA_WARNING:
            params["minutes"] = "30"
        entry = history.entry(code, T0, None, **params)
        ticket = self.store.tickets[ticket_id]
        self.store.tickets[ticket_id] = replace(ticket, history=(*ticket.history, entry))
        self.n += 1
        return SlaAlerted(f"ev-{self.n}", T0, ticket_id, entry)

    def open(self, department: str = "soporte") -> str:
        return self.tickets.open_ticket(
            ANA, department=department, subject="Webmail", body="No entra", now=T0
        ).id


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_a_new_ticket_goes_to_the_departments_operators(desk):
    ticket_id = desk.open()
    decision = desk.staff.handle(desk.added(ticket_id))
    assert (decision.outcome, decision.recipients) == (StaffOutcome.SENT, 2)
    assert desk.outbox.to() == ["luis@netz0.example", "marta@netz0.example"]  # not Pilar (comercial)
    assert (
        "https://portal.example/#/tickets/" + ticket_id
        in desk.outbox.sent[0].get_body(("plain",)).get_content()
    )


def test_a_customer_answer_goes_to_the_assignee_or_the_department(desk):
    ticket_id = desk.open()
    desk.tickets.reply(ANA, ticket_id, body="¿Hay novedades?", now=T0)
    desk.staff.handle(desk.added(ticket_id))
    assert desk.outbox.to() == ["luis@netz0.example", "marta@netz0.example"]
    desk.outbox.sent.clear()
    desk.assignments.assign(LUIS, ticket_id, assignee=ABSENT, now=T0)
    desk.tickets.reply(ANA, ticket_id, body="¿Y ahora?", now=T0)
    desk.staff.handle(desk.added(ticket_id))
    assert desk.outbox.to() == ["luis@netz0.example"]


def test_a_hand_over_mails_the_new_assignee_but_taking_it_mails_nobody(desk):
    ticket_id = desk.open()
    desk.assignments.assign(LUIS, ticket_id, assignee=ABSENT, now=T0)
    taken = desk.staff.handle(TicketAssigned("ev-a", T0, ticket_id, LUIS.id, LUIS.id))
    assert taken.outcome is StaffOutcome.NOT_NOTIFIED
    desk.assignments.assign(LUIS, ticket_id, assignee=MARTA.id, now=T0)
    desk.staff.handle(TicketAssigned("ev-b", T0, ticket_id, MARTA.id, LUIS.id))
    assert desk.outbox.to() == ["marta@netz0.example"]
    assert "Luis Gil le ha asignado" in desk.outbox.sent[0].get_body(("plain",)).get_content()


def test_a_note_goes_to_the_assignee_unless_they_wrote_it(desk):
    ticket_id = desk.open()
    desk.assignments.assign(MARTA, ticket_id, assignee=ABSENT, now=T0)
    desk.tickets.reply(MARTA, ticket_id, body="mi nota", internal=True, now=T0)
    assert desk.staff.handle(desk.added(ticket_id)).outcome is StaffOutcome.NO_RECIPIENT
    desk.tickets.reply(LUIS, ticket_id, body="nota de Luis", internal=True, now=T0)
    desk.staff.handle(desk.added(ticket_id))
    assert desk.outbox.to() == ["marta@netz0.example"]


def test_an_operator_reply_mails_no_operator(desk):
    ticket_id = desk.open()
    desk.tickets.reply(LUIS, ticket_id, body="Pruebe ahora", now=T0)
    assert desk.staff.handle(desk.added(ticket_id)).outcome is StaffOutcome.NOT_NOTIFIED
    assert desk.outbox.sent == []


def test_only_the_mails_each_wants(desk):
    desk.directory.update_me(
        MARTA, departments=["soporte"], notices=[StaffNotice.ASSIGNED], language="es", now=T0
    )
    desk.staff.handle(desk.added(desk.open()))
    assert desk.outbox.to() == ["luis@netz0.example"]


def test_a_failed_send_is_retried_for_those_not_sent_only(desk):
    ticket_id = desk.open()
    event = desk.added(ticket_id)
    desk.outbox.fail_after = 1
    with pytest.raises(ConnectionError):
        desk.staff.handle(event)
    desk.outbox.fail_after = None
    desk.staff.handle(event)  # the stream retries the record
    desk.staff.handle(event)  # and again (a redelivered batch)
    assert desk.outbox.to() == ["luis@netz0.example", "marta@netz0.example"]


def body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def test_an_sla_alert_goes_to_the_department_when_unassigned_then_to_the_assignee(desk):
    ticket_id = desk.open()
    warning = desk.alerted(ticket_id, EntryCode.SLA_WARNING)
    decision = desk.staff.handle(warning)
    assert (decision.outcome, decision.recipients) == (StaffOutcome.SENT, 2)
    assert desk.outbox.to() == ["luis@netz0.example", "marta@netz0.example"]  # soporte; not Pilar
    [first, _] = desk.outbox.sent
    assert first["Subject"] == f"[#{ticket_id}] SLA a punto de vencer: Webmail"
    assert "SLA: la primera respuesta vence el 02/12/2026 10:30 (quedan 30 min hábiles)." in body(first)
    assert "No entra" in body(first)  # the customer's text it is about
    desk.outbox.sent.clear()
    desk.assignments.assign(LUIS, ticket_id, assignee=MARTA.id, now=T0)
    desk.staff.handle(desk.alerted(ticket_id, EntryCode.SLA_BREACHED))
    assert desk.outbox.to() == ["marta@netz0.example"]
    assert "SLA: la primera respuesta venció el 02/12/2026 10:30 sin respuesta." in body(desk.outbox.sent[0])


def test_an_sla_alert_is_mailed_once_per_record_and_in_each_operators_language(desk):
    desk.directory.update_me(LUIS, departments=["soporte"], notices=list(StaffNotice), language="en", now=T0)
    ticket_id = desk.open()
    warning = desk.alerted(ticket_id, EntryCode.SLA_WARNING)
    desk.staff.handle(warning)
    desk.staff.handle(warning)  # a redelivered record sends nothing again
    assert desk.outbox.to() == ["luis@netz0.example", "marta@netz0.example"]
    english = next(m for m in desk.outbox.sent if m["To"] == "luis@netz0.example")
    assert english["Subject"] == f"[#{ticket_id}] SLA due soon: Webmail"
    assert "SLA: the first response is due on 02/12/2026 10:30 (30 business minutes left)." in body(english)
    assert "Department: Soporte Técnico" in body(english)  # the test desk names it in Spanish only


def test_an_sla_alert_goes_only_to_those_who_want_it(desk):
    desk.directory.update_me(
        MARTA, departments=["soporte"], notices=[StaffNotice.NEW_TICKET], language="es", now=T0
    )
    ticket_id = desk.open()
    desk.staff.handle(desk.alerted(ticket_id, EntryCode.SLA_BREACHED))
    assert desk.outbox.to() == ["luis@netz0.example"]
