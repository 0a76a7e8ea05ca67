"""Domain objects. What the API accepts and returns lives in helpdesk.http.schemas; what the
table stores lives in helpdesk.store (codec)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from helpdesk.domain.attributes import DEFAULT_PRIORITY, Priority
from helpdesk.domain.sla import ResponseClock
from helpdesk.domain.status_machine import Status

if TYPE_CHECKING:  # history imports this module
    from helpdesk.domain.history import HistoryEntry


class Role(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    SYSTEM = "system"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"  # an operator opened it for a customer who called
    CHAT = "chat"  # an operator opened it for a customer who chatted


# What an operator may choose when opening a ticket for a customer.
OPERATOR_CHANNELS = (Channel.PHONE, Channel.CHAT)


class ClosedReason(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    INACTIVITY = "inactivity"
    MERGED = "merged"  # merged into another ticket (merged_into)


@dataclass(frozen=True)
class Caller:
    """Who is calling, as established by the identity provider (never by the request body)."""

    role: Role
    name: str  # the display name (the token's `name`, else the e-mail): what people read
    account_id: str | None = None  # customers only
    verified_email: str | None = None  # the sign-in e-mail, when the identity provider verified it
    id: str = ""  # the identity provider's `sub`: what is stored as an identity (assignee, author)
    email: str | None = None  # the e-mail the token carries (a customer's web messages name it)

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR


@dataclass(frozen=True)
class Ticket:
    id: str
    status: Status
    department: str
    subject: str
    account_id: str
    created_at: datetime
    updated_at: datetime
    version: int
    assignee: str | None = None  # the operator's id (sub); an e-mail address on tickets assigned before ids
    assignee_name: str | None = None  # their display name, stored with the assignment
    auto_close_at: datetime | None = None
    closed_at: datetime | None = None
    closed_reason: ClosedReason | None = None
    response_clock: ResponseClock | None = None  # the SLA response target running, if any
    history: tuple[HistoryEntry, ...] = ()  # what happened to it, oldest first (domain.history)
    merged_into: str | None = None  # merged: the ticket its conversation continues on
    merged_from: tuple[str, ...] = ()  # the tickets merged into this one (their messages are its thread's)
    # WAITING: when the customer is reminded that the ticket will close (None once reminded, or
    # without a reminder). See services.auto_close_reminder.
    remind_at: datetime | None = None
    priority: Priority = DEFAULT_PRIORITY  # operators only, like the tags
    tags: tuple[str, ...] = ()  # normalized (domain.attributes)


@dataclass(frozen=True)
class AttachmentRef:
    """A file that came with an e-mail, kept in the attachments bucket under `key`."""

    name: str
    content_type: str
    size: int
    key: str


@dataclass(frozen=True)
class EmailOrigin:
    """Where a message that arrived by e-mail came from."""

    from_address: str
    message_id: str | None = None


@dataclass(frozen=True)
class Message:
    id: str
    ticket_id: str
    author_role: Role
    author: str
    body: str
    channel: Channel
    internal: bool
    created_at: datetime
    email: EmailOrigin | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    author_id: str | None = None  # the author's sub (web and operator messages written since ids)
    author_email: str | None = None  # a customer's sign-in e-mail on the web (mail recipients)
    opened_by: str | None = None  # the operator who wrote down a customer's call or chat
    opened_by_id: str | None = None  # their sub (staff mail never tells them of their own ticket)


class RatingValue(StrEnum):
    GOOD = "good"
    BAD = "bad"


@dataclass(frozen=True)
class Rating:
    """The customer's satisfaction with one closing of a ticket (`closed_at` names the closing:
    a ticket reopened and closed again is rated anew). Changed as often as the customer likes."""

    ticket_id: str
    closed_at: datetime
    value: RatingValue
    rated_at: datetime
    comment: str = ""
    # The closing's department and assignee (None: unassigned), kept on the rating so that the
    # reports count it for them from the rating's own stream record.
    department: str = ""
    assignee: str | None = None


@dataclass(frozen=True)
class TicketThread:
    ticket: Ticket
    messages: list[Message]
    ratings: tuple[Rating, ...] = ()  # one per closing rated, oldest closing first
    # Mail the desk did not send about this ticket, and why (operators only; see notifications).
    suppressed_mail: list[SuppressedMail] = field(default_factory=list)


@dataclass(frozen=True)
class SuppressedMail:
    at: datetime
    kind: str  # the NotificationKind that was not sent (receipt, operator_reply, ...)
    reason: str  # no_recipient, rate_limited, undeliverable...


@dataclass(frozen=True)
class Resolution:
    """The last public operator reply of a ticket (its first ANSWER_CHARS characters): what
    resolved it, once it is closed."""

    message_id: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class TicketFilters:
    status: Status | None = None
    department: str | None = None
    assignee: str | None = None
    priority: Priority | None = None
    tag: str | None = None
    account_id: str | None = None  # operators: one account's tickets


@dataclass(frozen=True)
class TicketPage:
    items: list[Ticket]
    next_cursor: str | None


@dataclass(frozen=True)
class AutoCloseReport:
    due: int  # tickets the index said were due
    closed: int  # tickets this run closed
    skipped: int  # changed since the index was read (a customer reply won, another run closed it)
    items_read: int  # index items DynamoDB read to find them


class UndeliverableReason(StrEnum):
    BOUNCE = "bounce"  # a permanent bounce: the mailbox does not exist or refuses us for good
    COMPLAINT = "complaint"  # the recipient marked our mail as spam


@dataclass(frozen=True)
class Undeliverable:
    """Why the desk sends no more mail to an address (SES told us), until it is confirmed again."""

    reason: UndeliverableReason
    since: datetime
    detail: str | None = None  # the receiving server's words, e.g. "5.1.1 user unknown"


@dataclass(frozen=True)
class ReminderReport:
    due: int  # reminders the index said were due
    reminded: int  # reminders this run recorded (each mails the customer once, from the stream)
    skipped: int  # changed since the index was read (the customer answered, another run reminded)
    items_read: int  # index items DynamoDB read to find them


@dataclass(frozen=True)
class AuthorizedEmail:
    """An e-mail address of the account. Only a confirmed one may open and answer the account's
    tickets or receive its mail; a pending one waits for its owner to confirm it from the mail we
    sent it. The primary address is the oldest confirmed one (services.accounts marks it)."""

    email: str
    account_id: str
    added_at: datetime
    primary: bool = False
    pending: bool = False
    sign_in: bool = False  # the verified sign-in e-mail of a portal user of the account
    expires_at: datetime | None = None  # pending: when its confirmation link stops working
    # Bounced for good or complained: receives nothing until confirmed again (stays set while
    # the new confirmation is pending).
    undeliverable: Undeliverable | None = None
