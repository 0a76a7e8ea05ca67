"""Every mail about a ticket speaks the account's language and no other: for each kind of
notification and each language, the mail (subject, plain part and the HTML part's text) carries no
word that only the other language's catalogue uses, names the department in the reader's language,
and links to the ticket on the portal. The user's own words are language-neutral here, so any
foreign word found is the system's."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest

from helpdesk.config import Settings
from helpdesk.domain.events import AutoCloseReminded, DomainEvent, MessageAdded, TicketClosed
from helpdesk.domain.history_text import ES as HISTORY_ES
from helpdesk.domain.models import ClosedReason
from helpdesk.mail.catalog import CATALOGS
from helpdesk.mail.compose import MailIdentity, NotificationKind
from helpdesk.mail.notices import MailNotices
from helpdesk.mail.quoting import REPLY_ABOVE_MARKERS
from helpdesk.mail.signing import MailSigner
from helpdesk.services.auto_close import AutoCloser
from helpdesk.services.auto_close_reminder import AutoCloseReminder
from helpdesk.services.notifications import NotificationOutcome, Notifier
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, LUIS, T0, sequence
from tests.support.fakes import InMemoryAccounts, InMemoryMarkers, InMemoryTickets
from tests.support.mail import MAIL_DOMAIN

PORTAL = "https://portal.netz0.example/"
SETTINGS = Settings(
    table_name="unit-tests",
    departments=(
        {"id": "soporte", "name": "Soporte Técnico", "names": {"en": "Technical Support"}},
        {"id": "comercial", "name": "Comercial", "names": {"en": "Sales"}},
    ),
)
DEPARTMENT = {"es": "Soporte Técnico", "en": "Technical Support"}
LANGUAGES = ("es", "en")
OTHER = {"es": "en", "en": "es"}
# What the customer and the operator typed: words of neither language.
SUBJECT, BODY, ANSWER = "VPN 42", "ping 10.0.0.1", "traceroute 10.0.0.1"


def _words(text: str) -> set[str]:
    """The words of a text, leaving out placeholders and links (an address is no language)."""
    text = re.sub(r"https?://\S+|\{[^}]*\}", " ", text)
    return set(re.findall(r"[^\W\d_]{4,}", text.lower()))


def foreign_words(language: str) -> set[str]:
    """The words the other language's mail texts use and this language's never do."""
    other = OTHER[language]
    theirs = _words(" ".join(CATALOGS[other].values())) | _words(REPLY_ABOVE_MARKERS[other])
    ours = _words(" ".join(CATALOGS[language].values())) | _words(REPLY_ABOVE_MARKERS[language])
    if other == "es":
        theirs |= _words(HISTORY_ES["closed.inactivity"])  # the desk's own Spanish auto-close sentence
    return (theirs - ours) | _words(DEPARTMENT[other]) - _words(DEPARTMENT[language])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def readable(mail: EmailMessage) -> str:
    """What a person reads: the subject, the plain part and the HTML part's text."""
    plain = mail.get_body(("plain",))
    assert plain is not None
    text = [str(mail["Subject"]), plain.get_content()]
    markup = mail.get_body(("html",))
    if markup is not None:
        parser = _Text()
        parser.feed(markup.get_content())
        text.append(" ".join(parser.chunks))
    return "\n".join(text)


class Outbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> str:
        self.sent.append(message)
        return f"ses-{len(self.sent)}"


IDENTITY = MailIdentity(
    signer=MailSigner(b"unit-test-secret-key", MAIL_DOMAIN),
    from_address=f"soporte@{MAIL_DOMAIN}",
    portal_url=PORTAL,
)


class Desk:
    def __init__(self, language: str) -> None:
        self.markers = InMemoryMarkers()
        self.store = InMemoryTickets(self.markers)
        self.accounts = InMemoryAccounts()
        self.accounts.add_email("acct-1001", "ana@cliente.example", T0, 20)
        self.accounts.set_language("acct-1001", language)
        self.tickets = TicketService(
            self.store, SETTINGS, ticket_ids=sequence("NZ-5000000"), message_ids=sequence("m")
        )
        self.outbox = Outbox()
        self.notifier = Notifier(
            threads=self.store,
            markers=self.markers,
            accounts=self.accounts,
            mailer=self.outbox,
            identity=IDENTITY,
            settings=SETTINGS,
        )
        self.events = 0

    def added(self, ticket_id: str) -> MessageAdded:
        message = self.store.messages[ticket_id][-1]
        self.events += 1
        return MessageAdded(
            f"ev{self.events}", message.created_at, ticket_id, message.id, message.author_role, False
        )

    def mail_of(self, kind: NotificationKind) -> tuple[str, EmailMessage]:
        """Drive the ticket to the event that sends `kind`, and return the mail sent for it."""
        ticket_id = self.tickets.open_ticket(ANA, department="soporte", subject=SUBJECT, body=BODY, now=T0).id
        event: DomainEvent = self.added(ticket_id)
        if kind is not NotificationKind.RECEIPT:
            self.tickets.reply(LUIS, ticket_id, body=ANSWER, now=T0 + timedelta(minutes=5))
            event = self.added(ticket_id)
        if kind is NotificationKind.AUTO_CLOSED:
            later = T0 + timedelta(hours=SETTINGS.auto_close_hours, minutes=6)
            assert AutoCloser(self.store, SETTINGS).run(later).closed == 1
            # The auto-close is mailed from the close itself (its history entry is no message).
            self.events += 1
            event = TicketClosed(f"ev{self.events}", later, ticket_id, ClosedReason.INACTIVITY)
        elif kind is NotificationKind.AUTO_CLOSE_REMINDER:
            closes = T0 + timedelta(minutes=5, hours=SETTINGS.auto_close_hours)
            remind = closes - timedelta(hours=SETTINGS.auto_close_reminder_hours)
            assert AutoCloseReminder(self.store, SETTINGS).run(remind).reminded == 1
            self.events += 1
            event = AutoCloseReminded(f"ev{self.events}", remind, ticket_id, closes)
        elif kind is NotificationKind.CLOSED:
            closed_at = T0 + timedelta(hours=1)
            self.tickets.close(ANA, ticket_id, now=closed_at)
            self.events += 1
            event = TicketClosed(f"ev{self.events}", closed_at, ticket_id, ClosedReason.CUSTOMER)
        decision = self.notifier.handle(event)
        assert (decision.outcome, decision.reason) == (NotificationOutcome.SENT, kind.value)
        return ticket_id, self.outbox.sent[-1]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_each_mail_speaks_only_the_accounts_language(kind, language):
    ticket_id, mail = Desk(language).mail_of(kind)
    text = readable(mail)
    assert mail["Content-Language"] == language
    leaked = _words(text) & foreign_words(language)
    assert not leaked, f"{kind} in {language} carries {sorted(leaked)}"
    assert DEPARTMENT[language] in text
    assert DEPARTMENT[OTHER[language]] not in text
    assert REPLY_ABOVE_MARKERS[language] in text
    assert f"{PORTAL}#/tickets/{ticket_id}" in text
    if kind in (NotificationKind.AUTO_CLOSED, NotificationKind.CLOSED):
        assert f"{PORTAL}#/rate?token={ticket_id}." in text  # the one-click rating links


def test_the_check_finds_a_foreign_word():
    """The leak check can fail: Spanish mail texts are foreign to an English mail."""
    assert {"estimado", "cerrado", "soporte", "técnico"} <= foreign_words("en")
    assert {"dear", "closed", "technical", "support"} <= foreign_words("es")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_attachments_notice_speaks_the_accounts_language(language):
    outbox = Outbox()
    notices = MailNotices(IDENTITY, outbox.send, files=10, megabytes=15)
    notices.attachments_refused("ana@cliente.example", "NZ-50000001", ("plan.pdf",), T0, language=language)
    (mail,) = outbox.sent
    text = readable(mail)
    assert mail["Content-Language"] == language
    assert not _words(text) & foreign_words(language)
    assert "plan.pdf" in text
    assert f"{PORTAL}#/tickets/NZ-50000001" in text
