"""Inbound e-mail: what to do with one message SES received, decided in a fixed order, each
decision typed (an InboundDecision and its reason; logged and counted by the function):

1. already processed (same SES messageId, checked before parsing,
   or same Message-ID, checked once parsed)                    -> duplicate
2. virus / spam FAIL; DMARC FAIL, or neither SPF nor DKIM PASS  -> dropped, never answered
3. automatic mail (auto-replies, lists, bounces, our own mail)  -> dropped, never answered
4. sender not an authorized address of any account              -> at most one notice a day
5. answers a ticket of the sender's own account                 -> customer reply
6. otherwise                                                    -> new ticket

Each effect is written together with markers for the SES messageId and the Message-ID, so a
message delivered five times has one effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from helpdesk.config import Settings
from helpdesk.domain.errors import NotFound
from helpdesk.domain.labels import NO_SUBJECT, NO_TEXT
from helpdesk.domain.limits import MAX_SUBJECT, UNKNOWN_SENDER_NOTICE_WINDOW
from helpdesk.domain.models import AttachmentRef, Caller, Channel, EmailOrigin, Role
from helpdesk.domain.text import one_line
from helpdesk.mail.addresses import normalize_address
from helpdesk.mail.parse import Attachment, ParsedMail, parse_message, ticket_id_in_subject
from helpdesk.mail.ses_event import SesNotification
from helpdesk.mail.signing import MailSigner
from helpdesk.services.accounts import AccountService
from helpdesk.services.tickets import TicketService
from helpdesk.store.protocols import AlreadyProcessed, Markers


class InboundDecision(StrEnum):
    DUPLICATE = "duplicate"
    VIRUS = "virus"
    SPAM = "spam"
    DMARC_FAIL = "dmarc_fail"
    UNAUTHENTICATED = "unauthenticated"  # neither SPF nor DKIM passed
    AUTOMATIC = "automatic"  # reason: which rule (auto_submitted, list, bounce, our_own, ...)
    UNKNOWN_SENDER = "unknown_sender"
    REPLY = "reply"  # reason: how the ticket was found (reply_address, message_id, subject)
    NEW_TICKET = "new_ticket"


@dataclass(frozen=True)
class Outcome:
    decision: InboundDecision
    reason: str | None = None
    ticket_id: str | None = None
    refused_attachments: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """decision[:reason], as the function reports it ("automatic:list", "reply:subject")."""
        return f"{self.decision.value}:{self.reason}" if self.reason else self.decision.value


class SenderNotices(Protocol):
    """Mail we send back to the (authenticated) sender about their message itself."""

    def unknown_sender(self, to: str, subject: str, now: datetime) -> None: ...

    def attachments_refused(
        self, to: str, ticket_id: str, names: tuple[str, ...], now: datetime, *, language: str
    ) -> None:
        """In the account's language (`language`)."""


AttachmentSink = Callable[[str, int, Attachment], AttachmentRef]


class InboundMail:
    def __init__(
        self,
        *,
        tickets: TicketService,
        accounts: AccountService,
        markers: Markers,
        signer: MailSigner,
        settings: Settings,
        notices: SenderNotices,
        save_attachment: AttachmentSink,
    ) -> None:
        self._tickets = tickets
        self._accounts = accounts
        self._markers = markers
        self._signer = signer
        self._settings = settings
        self._notices = notices
        self._save_attachment = save_attachment

    def process(self, notification: SesNotification, raw: bytes, now: datetime) -> Outcome:
        ses_marker = f"ses:{notification.mail.message_id}"
        if self._markers.is_marked(ses_marker):  # SES's redeliveries are not parsed again
            return Outcome(InboundDecision.DUPLICATE)
        parsed = parse_message(raw, our_domain=self._signer.domain)
        markers = (ses_marker,) + ((f"msgid:{parsed.message_id}",) if parsed.message_id else ())
        if len(markers) > 1 and self._markers.is_marked(markers[1]):
            return Outcome(InboundDecision.DUPLICATE)

        refused = self._refusal(notification, parsed)
        if refused:
            self._markers.mark(ses_marker, now, decision=refused.code)
            return refused

        sender = parsed.from_address
        account = self._accounts.account_for_sender(sender) if sender else None
        if sender is None or account is None:
            self._markers.mark(ses_marker, now, decision=InboundDecision.UNKNOWN_SENDER.value)
            if sender and self._markers.claim_window(f"notice:{sender}", now, UNKNOWN_SENDER_NOTICE_WINDOW):
                self._notices.unknown_sender(sender, parsed.subject, now)
            return Outcome(InboundDecision.UNKNOWN_SENDER)

        caller = Caller(role=Role.CUSTOMER, name=sender, account_id=account, email=sender)
        kept, refused_names = self._attachments(notification.mail.message_id, parsed)
        origin = EmailOrigin(from_address=sender, message_id=parsed.message_id)
        body = parsed.text.strip() or NO_TEXT
        try:
            outcome = self._reply_or_open(notification, parsed, caller, body, origin, kept, markers, now)
        except AlreadyProcessed:
            return Outcome(InboundDecision.DUPLICATE)
        if refused_names and outcome.ticket_id:
            _account, language = self._accounts.language(caller)
            self._notices.attachments_refused(
                sender, outcome.ticket_id, refused_names, now, language=language
            )
        return Outcome(outcome.decision, outcome.reason, outcome.ticket_id, refused_names)

    # ---------------------------------------------------------------- decisions
    @staticmethod
    def _refusal(notification: SesNotification, parsed: ParsedMail) -> Outcome | None:
        """Mail that is dropped and never answered: SES's verdicts, then automatic mail."""
        receipt = notification.receipt
        if receipt.failed(receipt.virus):
            return Outcome(InboundDecision.VIRUS)
        if receipt.failed(receipt.spam):
            return Outcome(InboundDecision.SPAM)
        if receipt.failed(receipt.dmarc):
            return Outcome(InboundDecision.DMARC_FAIL)
        if not (receipt.passed(receipt.spf) or receipt.passed(receipt.dkim)):
            return Outcome(InboundDecision.UNAUTHENTICATED)
        if parsed.automatic:
            return Outcome(InboundDecision.AUTOMATIC, parsed.automatic)
        return None

    def _reply_or_open(
        self,
        notification: SesNotification,
        parsed: ParsedMail,
        caller: Caller,
        body: str,
        origin: EmailOrigin,
        attachments: tuple[AttachmentRef, ...],
        markers: tuple[str, ...],
        now: datetime,
    ) -> Outcome:
        for ticket_id, how in self._referenced_tickets(notification, parsed):
            try:
                self._tickets.get_ticket(caller, ticket_id)  # the sender's own account only
            except NotFound:
                continue  # another account's ticket is never followed
            self._tickets.reply(
                caller,
                ticket_id,
                body=body,
                now=now,
                channel=Channel.EMAIL,
                email=origin,
                attachments=attachments,
                markers=markers,
            )
            return Outcome(InboundDecision.REPLY, how, ticket_id)
        ticket = self._tickets.open_ticket(
            caller,
            department=self._department(notification),
            subject=_subject(parsed.subject),
            body=body,
            now=now,
            channel=Channel.EMAIL,
            email=origin,
            attachments=attachments,
            markers=markers,
        )
        return Outcome(InboundDecision.NEW_TICKET, ticket_id=ticket.id)

    def _referenced_tickets(self, notification: SesNotification, parsed: ParsedMail) -> list[tuple[str, str]]:
        """Tickets this mail points at, strongest evidence first: our signed reply address, our
        signed Message-IDs in In-Reply-To/References, then a ticket ID in the subject."""
        found: list[tuple[str, str]] = []
        for recipient in notification.receipt.recipients:
            address = normalize_address(recipient)
            ticket_id = self._signer.ticket_from_reply_address(address) if address else None
            if ticket_id:
                found.append((ticket_id, "reply_address"))
        for message_id in (*parsed.in_reply_to, *parsed.references):
            ticket_id = self._signer.ticket_from_message_id(message_id)
            if ticket_id:
                found.append((ticket_id, "message_id"))
        subject_id = ticket_id_in_subject(parsed.subject)
        if subject_id:
            found.append((subject_id, "subject"))
        unique: dict[str, str] = {}
        for ticket_id, how in found:
            unique.setdefault(ticket_id, how)
        return list(unique.items())

    def _department(self, notification: SesNotification) -> str:
        """The department whose address the mail was sent to (soporte@, comercial@ ...)."""
        for recipient in notification.receipt.recipients:
            address = normalize_address(recipient)
            if not address or not address.endswith(f"@{self._signer.domain}"):
                continue
            mailbox = address.split("@")[0].split("+")[0].lower()
            department = self._settings.department_for_mailbox(mailbox)
            if department:
                return department.id
        return self._settings.departments[0].id

    def _attachments(
        self, ses_id: str, parsed: ParsedMail
    ) -> tuple[tuple[AttachmentRef, ...], tuple[str, ...]]:
        """Keep attachments within the configured count and total size; name the rest."""
        kept: list[AttachmentRef] = []
        refused: list[str] = []
        total = 0
        for index, attachment in enumerate(parsed.attachments):
            fits = (
                len(kept) < self._settings.max_attachments
                and total + attachment.size <= self._settings.max_attachment_bytes
            )
            if not fits:
                refused.append(attachment.filename)
                continue
            kept.append(self._save_attachment(ses_id, index, attachment))
            total += attachment.size
        return tuple(kept), tuple(refused)


def _subject(subject: str) -> str:
    text = one_line(subject) or NO_SUBJECT
    return text if len(text) <= MAX_SUBJECT else text[: MAX_SUBJECT - 1] + "…"
