"""Mail to customers about their tickets, driven by the table's change stream: a ticket's
writes stay one request each, and a mail that fails to send is retried by the stream, not lost.

    new customer first message        -> receipt (tracking ID, department, "Abierto", the text)
    new operator reply (not a note)   -> the reply, "Espera", how to answer, the 72-hour rule
    new system message (auto-close)   -> resolved for lack of reply, how to reopen
    ticket closed by customer/operator -> close confirmation

Recipients: every authorized address of the account that took part in the ticket (wrote by mail,
or is the login that wrote on the web), else the account's primary (oldest) address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from helpdesk.account_store import AccountStore
from helpdesk.config import Settings
from helpdesk.mail.outbound import MailIdentity, Notification, NotificationKind, compose
from helpdesk.mailer import Mailer
from helpdesk.models import ClosedReason, Message, Role, TicketThread
from helpdesk.observability import logger
from helpdesk.store import TicketStore, load_item

AUTOMATIC_PER_HOUR = 10  # automatic mails to one address in an hour; beyond that they are skipped
_AUTOMATIC = frozenset({NotificationKind.RECEIPT, NotificationKind.AUTO_CLOSED, NotificationKind.CLOSED})


@dataclass(frozen=True)
class Change:
    """One stream record, its images already turned into plain values."""

    event_id: str
    event_name: str  # INSERT | MODIFY | REMOVE
    new: dict[str, Any]
    old: dict[str, Any]
    at: datetime  # when the change was written (the stream's ApproximateCreationDateTime)

    @classmethod
    def of(cls, record: dict[str, Any], default_time: datetime) -> Change:
        images = record.get("dynamodb", {})
        written = images.get("ApproximateCreationDateTime")
        return cls(
            event_id=str(record.get("eventID", "")),
            event_name=str(record.get("eventName", "")),
            new=load_item(images.get("NewImage", {})),
            old=load_item(images.get("OldImage", {})),
            at=datetime.fromtimestamp(float(written), UTC) if written else default_time,
        )


class Notifier:
    def __init__(
        self,
        *,
        store: TicketStore,
        accounts: AccountStore,
        mailer: Mailer,
        identity: MailIdentity,
        settings: Settings,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._mailer = mailer
        self._identity = identity
        self._settings = settings

    def handle(self, change: Change) -> str:
        """Send what this change calls for; returns a reason code for the log."""
        now = change.at
        found = self._kind(change)
        if found is None:
            return "not_notified"
        kind, ticket_id, message_id = found
        marker = f"notify:{change.event_id}"
        if self._store.is_marked(marker):
            return "duplicate"
        thread = self._store.thread(ticket_id)
        if thread is None:
            return "ticket_gone"
        message = next((m for m in thread.messages if m.id == message_id), None) if message_id else None
        if kind in (NotificationKind.RECEIPT, NotificationKind.OPERATOR_REPLY) and message is None:
            return "message_gone"
        if kind is NotificationKind.RECEIPT and thread.messages[0].id != message_id:
            return "not_notified"  # a customer's later reply needs no mail
        recipients = self._recipients(thread)
        if not recipients:
            return "no_recipient"
        if kind in _AUTOMATIC:
            window = timedelta(hours=1)
            recipients = tuple(
                r for r in recipients if self._store.take_quota(f"auto:{r}", now, AUTOMATIC_PER_HOUR, window)
            )
            if not recipients:
                return "rate_limited"
        department = self._settings.department(thread.ticket.department)
        notification = Notification(
            kind=kind,
            ticket=thread.ticket,
            department_name=department.name if department else thread.ticket.department,
            recipients=recipients,
            language=self._accounts.language(thread.ticket.account_id),
            message=message,
            auto_close_hours=self._settings.auto_close_hours,
            customer_message_id=message.email.message_id if message and message.email else None,
        )
        mail = compose(
            notification,
            self._identity,
            department_mailbox=department.mailbox_name
            if department
            else self._settings.departments[0].mailbox_name,
            unique=message.id if message else f"v{thread.ticket.version}",
            now=now,
        )
        self._mailer.send(mail)
        self._store.mark(marker, now, decision=kind.value)
        logger.info(
            "notified", extra={"ticket_id": ticket_id, "kind": kind.value, "recipients": len(recipients)}
        )
        return kind.value

    @staticmethod
    def _kind(change: Change) -> tuple[NotificationKind, str, str | None] | None:
        item = change.new
        if change.event_name == "INSERT" and item.get("entity") == "message" and not item.get("internal"):
            role = item.get("author_role")
            kinds = {
                Role.CUSTOMER.value: NotificationKind.RECEIPT,  # only the first: checked with the thread
                Role.OPERATOR.value: NotificationKind.OPERATOR_REPLY,
                Role.SYSTEM.value: NotificationKind.AUTO_CLOSED,
            }
            if role in kinds:
                return kinds[role], str(item["ticket_id"]), str(item["id"])
        if change.event_name == "MODIFY" and item.get("entity") == "ticket":
            closed_now = item.get("status") == "CLOSED" and change.old.get("status") != "CLOSED"
            by_person = item.get("closed_reason") in (
                ClosedReason.CUSTOMER.value,
                ClosedReason.OPERATOR.value,
            )
            if closed_now and by_person:
                return NotificationKind.CLOSED, str(item["id"]), None
        return None

    def _recipients(self, thread: TicketThread) -> tuple[str, ...]:
        authorized = [e.email for e in self._accounts.emails(thread.ticket.account_id)]
        if not authorized:
            return ()
        took_part = {_address_of(m) for m in thread.messages if m.author_role is Role.CUSTOMER}
        participants = tuple(a for a in authorized if a in took_part)
        return participants or (authorized[0],)


def _address_of(message: Message) -> str:
    return message.email.from_address if message.email else message.author
