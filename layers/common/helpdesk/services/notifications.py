"""Mail to customers about their tickets, driven by domain events from the table's change stream:
a ticket's writes stay one request each, and a mail that fails to send is retried by the stream,
not lost.

    MessageAdded, the customer's first message  -> receipt (tracking ID, department, "Abierto", the text)
    MessageAdded, an operator reply (not a note)-> the reply, "Espera", how to answer, the 72-hour rule
    TicketClosed for inactivity (auto-close)    -> resolved for lack of reply, how to reopen
    TicketClosed by the customer or an operator -> close confirmation
    AutoCloseReminded (the reminder run)        -> it closes at <time> unless you answer (only
                                                   while that waiting period lasts)

Recipients: every confirmed address of the account that took part in the ticket (wrote by mail,
or is the login that wrote on the web), else the account's primary address (the oldest confirmed
one, else a verified sign-in e-mail). Pending addresses receive nothing; neither do addresses SES
reported as bouncing for good or complaining (services/mail_feedback.py): they are left out
before choosing, and each one left out is logged and counted (MailSuppressed, reason
undeliverable).

The automatic-mail quota is against mail loops, so it applies only to answers to inbound mail (the
receipt of a ticket opened by mail); what a person did on the web is always confirmed. A mail not
sent for want of a recipient, for the quota, or because every address it would go to is
undeliverable, is logged with its reason and kept on the ticket (one conditional Put in the
ticket's partition, which the thread's Query already reads), where operators see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from helpdesk.config import Settings
from helpdesk.domain.events import AutoCloseReminded, DomainEvent, MessageAdded, TicketClosed
from helpdesk.domain.limits import AUTOMATIC_MAILS_PER_HOUR
from helpdesk.domain.models import (
    AuthorizedEmail,
    ClosedReason,
    Message,
    Role,
    SuppressedMail,
    TicketThread,
)
from helpdesk.domain.status_machine import Status
from helpdesk.mail.compose import (
    QUOTED_KINDS,
    MailIdentity,
    Notification,
    NotificationKind,
    compose,
    language_of,
)
from helpdesk.observability import count, logger
from helpdesk.services.accounts import with_primary
from helpdesk.store.protocols import AccountDirectory, Markers, NotifiedThreads

if TYPE_CHECKING:
    from email.message import EmailMessage

_BY_AUTHOR = {
    Role.CUSTOMER: NotificationKind.RECEIPT,  # only the first message: checked with the thread
    Role.OPERATOR: NotificationKind.OPERATOR_REPLY,
}
_CLOSED_BY_PERSON = frozenset({ClosedReason.CUSTOMER, ClosedReason.OPERATOR})
_RATED = frozenset({NotificationKind.AUTO_CLOSED, NotificationKind.CLOSED})  # they ask for a rating
# Message-ID parts of mails about no message: the reminder keeps the version it found (it does
# not edit the ticket), so it needs a prefix of its own.
_UNIQUE_PREFIX = {NotificationKind.AUTO_CLOSE_REMINDER: "remind"}


class NotificationOutcome(StrEnum):
    SENT = "sent"  # reason: the kind of mail
    NOT_NOTIFIED = "not_notified"  # the event calls for no mail
    DUPLICATE = "duplicate"  # this stream record was already handled
    TICKET_GONE = "ticket_gone"
    MESSAGE_GONE = "message_gone"
    NO_RECIPIENT = "no_recipient"  # the account has no authorized address
    RATE_LIMITED = "rate_limited"  # every recipient had its automatic mails for the hour
    UNDELIVERABLE = "undeliverable"  # the addresses it would go to bounce or complained


@dataclass(frozen=True)
class NotificationDecision:
    outcome: NotificationOutcome
    ticket_id: str | None = None
    reason: str | None = None  # for SENT: the NotificationKind
    recipients: int = 0


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> object: ...


class Notifier:
    def __init__(
        self,
        *,
        threads: NotifiedThreads,
        markers: Markers,
        accounts: AccountDirectory,
        mailer: Mailer,
        identity: MailIdentity,
        settings: Settings,
    ) -> None:
        self._threads = threads
        self._markers = markers
        self._accounts = accounts
        self._mailer = mailer
        self._identity = identity
        self._settings = settings

    def handle(self, event: DomainEvent | None) -> NotificationDecision:
        """Send what this event calls for, once per stream record."""
        found = _kind(event)
        if event is None or found is None:
            return NotificationDecision(NotificationOutcome.NOT_NOTIFIED)
        kind, message_id = found
        ticket_id = event.ticket_id
        marker = f"notify:{event.event_id}"
        if self._markers.is_marked(marker):
            return NotificationDecision(NotificationOutcome.DUPLICATE, ticket_id)
        thread = self._threads.thread(ticket_id)
        if thread is None:
            return NotificationDecision(NotificationOutcome.TICKET_GONE, ticket_id)
        message = next((m for m in thread.messages if m.id == message_id), None) if message_id else None
        if kind in (NotificationKind.RECEIPT, NotificationKind.OPERATOR_REPLY) and message is None:
            return NotificationDecision(NotificationOutcome.MESSAGE_GONE, ticket_id)
        own = [m for m in thread.messages if m.ticket_id == ticket_id]  # not those of merged tickets
        if kind is NotificationKind.RECEIPT and own[0].id != message_id:
            return NotificationDecision(NotificationOutcome.NOT_NOTIFIED, ticket_id)  # a later reply: no mail
        if isinstance(event, AutoCloseReminded) and (
            thread.ticket.status is not Status.WAITING or thread.ticket.auto_close_at != event.closes_at
        ):
            # The customer answered (or an operator did, or it closed) since: the reminder is moot.
            return NotificationDecision(NotificationOutcome.NOT_NOTIFIED, ticket_id, "reminder_outdated")
        recipients, left_out = self._recipients(thread, ticket_id)
        if not recipients:
            # Undeliverable: every address it would go to is marked so (the account's addresses
            # carry the mark; services/mail_feedback.py sets it). Kept on the ticket like the rest.
            outcome = NotificationOutcome.UNDELIVERABLE if left_out else NotificationOutcome.NO_RECIPIENT
            return self._suppressed(event, kind, outcome)
        if kind is NotificationKind.RECEIPT and message is not None and message.email is not None:
            recipients = tuple(
                r
                for r in recipients
                if self._markers.take_quota(
                    f"auto:{r}", event.at, AUTOMATIC_MAILS_PER_HOUR, timedelta(hours=1)
                )
            )
            if not recipients:
                return self._suppressed(event, kind, NotificationOutcome.RATE_LIMITED)
        self._send(kind, thread, message, recipients, event)
        self._markers.mark(marker, event.at, decision=kind.value)
        return NotificationDecision(NotificationOutcome.SENT, ticket_id, kind.value, len(recipients))

    def _suppressed(
        self, event: DomainEvent, kind: NotificationKind, outcome: NotificationOutcome
    ) -> NotificationDecision:
        """A mail not sent: logged, and kept on the ticket for operators (one write, once)."""
        extra = {"ticket_id": event.ticket_id, "reason": outcome.value}
        logger.warning("notification suppressed", extra=extra)
        self._threads.record_suppressed(
            event.ticket_id, event.event_id, SuppressedMail(event.at, kind.value, outcome.value)
        )
        return NotificationDecision(outcome, event.ticket_id, kind.value)

    def _send(
        self,
        kind: NotificationKind,
        thread: TicketThread,
        message: Message | None,
        recipients: tuple[str, ...],
        event: DomainEvent,
    ) -> None:
        department = self._settings.department(thread.ticket.department)
        language = language_of(self._accounts.language(thread.ticket.account_id))
        notification = Notification(
            kind=kind,
            ticket=thread.ticket,
            department_name=department.name_in(language) if department else thread.ticket.department,
            recipients=recipients,
            language=language,
            message=message if kind in QUOTED_KINDS else None,
            auto_close_hours=self._settings.auto_close_hours,
            closes_at=event.closes_at if isinstance(event, AutoCloseReminded) else None,
            rating_token=self._rating_token(kind, thread),
            zone=self._settings.zone,
            customer_message_id=message.email.message_id if message and message.email else None,
        )
        mail = compose(
            notification,
            self._identity,
            department_mailbox=(department or self._settings.departments[0]).mailbox_name,
            unique=message.id if message else f"{_UNIQUE_PREFIX.get(kind, 'v')}{thread.ticket.version}",
            now=event.at,
        )
        self._mailer.send(mail)

    def _rating_token(self, kind: NotificationKind, thread: TicketThread) -> str | None:
        """The close mails ask for a rating of the closing the ticket is in (none if it was
        reopened before the mail went out: that closing is over)."""
        ticket = thread.ticket
        if kind not in _RATED or ticket.status is not Status.CLOSED or ticket.closed_at is None:
            return None
        return self._identity.signer.rating_token(ticket.id, int(ticket.closed_at.timestamp() * 1000))

    def _recipients(self, thread: TicketThread, ticket_id: str) -> tuple[tuple[str, ...], int]:
        """The rule above, applied to the addresses that receive mail, and how many undeliverable
        addresses it would otherwise have chosen (each logged and counted)."""
        emails = [e for e in self._accounts.emails(thread.ticket.account_id) if not e.pending]
        took_part = {_address_of(m) for m in thread.messages if m.author_role is Role.CUSTOMER}
        would_get = _choose(with_primary(emails), took_part)
        chosen = _choose(with_primary([e for e in emails if e.undeliverable is None]), took_part)
        left_out = [e for e in emails if e.email in would_get and e.undeliverable is not None]
        for email in left_out:
            assert email.undeliverable is not None
            logger.warning(
                "mail not sent to an undeliverable address",
                extra={
                    "ticket_id": ticket_id,
                    "reason": "undeliverable",
                    "why": email.undeliverable.reason.value,
                },
            )
            count("MailSuppressed", reason="undeliverable")
        return chosen, len(left_out)


def _kind(event: DomainEvent | None) -> tuple[NotificationKind, str | None] | None:
    """The mail an event calls for (and the message it is about), if any."""
    if isinstance(event, MessageAdded) and not event.internal and event.author_role in _BY_AUTHOR:
        return _BY_AUTHOR[event.author_role], event.message_id
    if isinstance(event, TicketClosed) and event.reason in _CLOSED_BY_PERSON:
        return NotificationKind.CLOSED, None
    # The auto-close writes a history entry, not a message (an older one wrote a system message,
    # whose stream record now calls for no mail: the close's record sends it, once).
    if isinstance(event, TicketClosed) and event.reason is ClosedReason.INACTIVITY:
        return NotificationKind.AUTO_CLOSED, None
    if isinstance(event, AutoCloseReminded):
        return NotificationKind.AUTO_CLOSE_REMINDER, None
    return None


def _choose(confirmed: list[AuthorizedEmail], took_part: set[str]) -> tuple[str, ...]:
    participants = tuple(e.email for e in confirmed if e.email in took_part)
    return participants or tuple(e.email for e in confirmed if e.primary)


def _address_of(message: Message) -> str:
    """The address a customer wrote from: the mail's sender, the web login's e-mail (messages
    written before names were kept had the e-mail as the author)."""
    if message.email:
        return message.email.from_address
    return message.author_email or message.author
