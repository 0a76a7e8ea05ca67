"""The reminder before the automatic close, on in-memory stores: each waiting period gets one
reminder AUTO_CLOSE_REMINDER_HOURS before its close, runs record it once however often they
repeat, a customer answer cancels it (the next waiting period gets its own), a late schedule does
not remind of a close already due, and the mail says when, on Netz0's clock, in the account's
language."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from pydantic import ValidationError

from helpdesk.config import Settings
from helpdesk.domain.events import AutoCloseReminded
from helpdesk.domain.history import visible_to
from helpdesk.domain.history_text import render
from helpdesk.mail.compose import MailIdentity
from helpdesk.mail.signing import MailSigner
from helpdesk.services.auto_close import AutoCloser
from helpdesk.services.auto_close_reminder import AutoCloseReminder
from helpdesk.services.notifications import NotificationOutcome, Notifier
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, LUIS, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryAccounts, InMemoryMarkers, InMemoryTickets
from tests.support.mail import MAIL_DOMAIN

REPLIED = T0 + timedelta(minutes=5)
CLOSES = REPLIED + timedelta(hours=72)
REMIND = CLOSES - timedelta(hours=24)


class Outbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> str:
        self.sent.append(message)
        return "ses-1"


class Desk:
    def __init__(self, settings: Settings = SETTINGS) -> None:
        self.markers = InMemoryMarkers()
        self.store = InMemoryTickets(self.markers)
        self.accounts = InMemoryAccounts()
        self.accounts.add_email("acct-1001", "ana@cliente.example", T0, 20)
        self.tickets = TicketService(
            self.store, settings, ticket_ids=sequence("NZ-6000000"), message_ids=sequence("m")
        )
        self.reminders = AutoCloseReminder(self.store, settings)
        self.outbox = Outbox()
        self.notifier = Notifier(
            threads=self.store,
            markers=self.markers,
            accounts=self.accounts,
            mailer=self.outbox,
            identity=MailIdentity(
                MailSigner(b"unit-test-secret-key", MAIL_DOMAIN),
                f"soporte@{MAIL_DOMAIN}",
                portal_url="https://portal.netz0.example/",
            ),
            settings=settings,
        )

    def waiting(self) -> str:
        ticket_id = self.tickets.open_ticket(ANA, department="soporte", subject="DNS", body="b", now=T0).id
        self.tickets.reply(LUIS, ticket_id, body="Pruebe ahora", now=REPLIED)
        return ticket_id


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_an_operator_reply_sets_the_reminder_24_hours_before_the_close(desk):
    ticket = desk.store.tickets[desk.waiting()]
    assert ticket.auto_close_at == CLOSES
    assert ticket.remind_at == REMIND


def test_the_reminder_is_recorded_once_when_due_however_often_the_run_repeats(desk):
    ticket_id = desk.waiting()
    early = desk.reminders.run(REMIND - timedelta(minutes=1))
    assert (early.due, early.reminded) == (0, 0)
    first = desk.reminders.run(REMIND)
    assert (first.due, first.reminded, first.skipped, first.items_read) == (1, 1, 0, 1)
    for later in (REMIND, REMIND + timedelta(minutes=5), CLOSES - timedelta(seconds=1)):
        again = desk.reminders.run(later)
        assert (again.due, again.reminded) == (0, 0)
    assert desk.store.reminded == [(ticket_id, CLOSES)]
    assert desk.store.tickets[ticket_id].status.value == "WAITING"
    # One history entry, by the system, at the run's time, saying when on Netz0's clock (after
    # the one of the reply that made it wait, which took the ticket).
    taken, entry = desk.store.tickets[ticket_id].history
    assert (taken.code, taken.params.get("how")) == ("assigned", "reply")
    assert (entry.code, entry.at, entry.actor_role.value) == ("auto_close_reminded", REMIND, "system")
    assert render(entry, "en") == (
        "Reminder sent: the ticket will close as resolved on 28/11/2026 13:05 (CET) "
        "unless we receive an answer."
    )
    assert render(entry, "es") == (
        "Recordatorio enviado: el ticket se cerrará como resuelto el 28/11/2026 13:05 (CET) "
        "si no recibimos respuesta."
    )
    assert visible_to(entry, ANA)  # customers see it, operators see every entry


def test_overlapping_runs_remind_once(desk):
    """Two runs read the index at the same time; the second's guarded write finds it taken."""
    ticket_id = desk.waiting()
    (page, _read), *_ = list(desk.store.reminders_due(REMIND))
    (candidate,) = page
    assert desk.reminders.run(REMIND).reminded == 1
    choice, reason = desk.reminders.remind_one(candidate, REMIND)
    assert (choice.value, reason) == ("skipped", "changed")
    assert desk.store.reminded == [(ticket_id, CLOSES)]


def test_a_customer_answer_cancels_it_and_the_next_waiting_period_gets_its_own(desk):
    ticket_id = desk.waiting()
    desk.tickets.reply(ANA, ticket_id, body="Sigue igual", now=REMIND - timedelta(hours=1))
    assert desk.store.tickets[ticket_id].remind_at is None
    assert desk.reminders.run(REMIND).due == 0
    second_reply = REMIND
    desk.tickets.reply(LUIS, ticket_id, body="¿Y ahora?", now=second_reply)
    closes = second_reply + timedelta(hours=72)
    assert desk.reminders.run(closes - timedelta(hours=24)).reminded == 1
    assert desk.store.reminded == [(ticket_id, closes)]


def test_a_customer_answer_landing_during_the_run_wins(desk):
    ticket_id = desk.waiting()
    desk.store.before_next_write(lambda: desk.tickets.reply(ANA, ticket_id, body="Aquí estoy", now=REMIND))
    report = desk.reminders.run(REMIND)
    assert (report.due, report.reminded, report.skipped) == (1, 0, 1)
    assert desk.store.reminded == []
    assert desk.store.tickets[ticket_id].status.value == "OPEN"


def test_a_late_schedule_closes_without_reminding_of_a_moment_past(desk):
    ticket_id = desk.waiting()
    late = CLOSES + timedelta(minutes=1)
    assert AutoCloser(desk.store, SETTINGS).run(late).closed == 1  # closes run first
    assert desk.reminders.run(late).due == 0
    # and a reminder found due together with its close is skipped, not sent
    other = desk.waiting()
    (page, _read), *_ = list(desk.store.reminders_due(late + timedelta(hours=73)))
    choice, reason = desk.reminders.remind_one(page[0], late + timedelta(hours=73))
    assert (page[0].ticket_id, choice.value, reason) == (other, "skipped", "closing")
    assert desk.store.reminded == []
    assert ticket_id != other


def test_no_reminder_when_it_is_switched_off():
    desk = Desk(SETTINGS.model_copy(update={"auto_close_reminder_hours": 0}))
    ticket_id = desk.waiting()
    assert desk.store.tickets[ticket_id].remind_at is None
    assert desk.reminders.run(CLOSES - timedelta(minutes=1)).due == 0


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"auto_close_hours": 24, "auto_close_reminder_hours": 24}, "must be less than"),
        ({"auto_close_reminder_hours": -1}, "greater than or equal to 0"),
        ({"time_zone": "Europe/Madird"}, "unknown time zone"),
        ({"time_zone": "../../etc/passwd"}, "unknown time zone"),
    ],
)
def test_settings_refuse_a_reminder_that_cannot_work(changes, says):
    base = {"table_name": "unit-tests", "departments": [{"id": "soporte", "name": "Soporte"}]}
    with pytest.raises(ValidationError, match=says):
        Settings.model_validate({**base, **changes})


def _mail_text(desk: Desk) -> str:
    body = desk.outbox.sent[-1].get_body(("plain",))
    assert body is not None
    return body.get_content()


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("es", "Si no nos responde, se cerrará como resuelto el sábado 28 de noviembre de 2026 a las 13:05"),
        ("en", "Unless you answer, it will be closed as resolved on Saturday 28 November 2026 at 13:05"),
    ],
)
def test_the_reminder_mail_says_when_on_netz0s_clock_in_the_accounts_language(desk, language, says):
    desk.accounts.set_language("acct-1001", language)
    ticket_id = desk.waiting()
    desk.reminders.run(REMIND)
    decision = desk.notifier.handle(AutoCloseReminded("ev1", REMIND, ticket_id, CLOSES))
    assert (decision.outcome, decision.reason) == (NotificationOutcome.SENT, "auto_close_reminder")
    mail = desk.outbox.sent[-1]
    assert CLOSES.isoformat() == "2026-11-28T12:05:00+00:00"  # 13:05 in Madrid (CET, UTC+1)
    assert f"{says} (CET)." in _mail_text(desk)
    assert f"https://portal.netz0.example/#/tickets/{ticket_id}" in _mail_text(desk)
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Subject"] == f"[#{ticket_id}] DNS"
    # a reply to it finds the ticket, like a reply to any of our mails
    reply_to = mail["Reply-To"].addresses[0].addr_spec
    assert desk.notifier._identity.signer.ticket_from_reply_address(reply_to) == ticket_id


def test_a_reminder_the_customer_already_answered_is_not_mailed(desk):
    ticket_id = desk.waiting()
    desk.reminders.run(REMIND)
    desk.tickets.reply(ANA, ticket_id, body="Ya funciona", now=REMIND + timedelta(seconds=1))
    decision = desk.notifier.handle(AutoCloseReminded("ev1", REMIND, ticket_id, CLOSES))
    assert (decision.outcome, decision.reason) == (NotificationOutcome.NOT_NOTIFIED, "reminder_outdated")
    assert desk.outbox.sent == []


def test_a_redelivered_reminder_record_mails_once(desk):
    ticket_id = desk.waiting()
    desk.reminders.run(REMIND)
    event = AutoCloseReminded("ev1", REMIND, ticket_id, CLOSES)
    assert desk.notifier.handle(event).outcome is NotificationOutcome.SENT
    assert desk.notifier.handle(event).outcome is NotificationOutcome.DUPLICATE
    assert len(desk.outbox.sent) == 1
