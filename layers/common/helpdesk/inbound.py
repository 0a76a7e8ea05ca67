"""Inbound e-mail: what to do with one message SES received, decided in a fixed order, each
decision with a reason code (logged and counted by the function):

1. already processed (same SES messageId or Message-ID)        -> duplicate
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
from datetime import datetime, timedelta
from typing import Protocol

from helpdesk.accounts import AccountService
from helpdesk.config import Settings
from helpdesk.errors import NotFound
from helpdesk.mail.addresses import normalize_address
from helpdesk.mail.inbound import Attachment, ParsedMail, parse_message, ticket_id_in_subject
from helpdesk.mail.ses_event import SesNotification
from helpdesk.mail.signing import MailSigner
from helpdesk.models import AttachmentRef, Caller, Channel, EmailOrigin, Role
from helpdesk.store import AlreadyProcessed, TicketStore
from helpdesk.tickets import TicketService

NOTICE_WINDOW = timedelta(hours=24)
NO_SUBJECT = "(sin asunto)"
NO_TEXT = "(mensaje sin texto)"
MAX_SUBJECT = 200


@dataclass(frozen=True)
class Outcome:
    decision: str  # reason code: duplicate, virus, spam, dmarc_fail, unauthenticated, automatic:<why>, ...
    ticket_id: str | None = None
    refused_attachments: tuple[str, ...] = ()


class SenderNotices(Protocol):
    """Mail we send back to the (authenticated) sender about their message itself."""

    def unknown_sender(self, to: str, subject: str, now: datetime) -> None: ...

    def attachments_refused(self, to: str, ticket_id: str, names: tuple[str, ...], now: datetime) -> None: ...


AttachmentSink = Callable[[str, int, Attachment], AttachmentRef]


class InboundMail:
    def __init__(
        self,
        *,
        tickets: TicketService,
        accounts: AccountService,
        store: TicketStore,
        signer: MailSigner,
        settings: Settings,
        notices: SenderNotices,
        save_attachment: AttachmentSink,
    ) -> None:
        self._tickets = tickets
        self._accounts = accounts
        self._store = store
        self._signer = signer
        self._settings = settings
        self._notices = notices
        self._save_attachment = save_attachment

    def process(self, notification: SesNotification, raw: bytes, now: datetime) -> Outcome:
        ses_id = notification.mail.message_id
        parsed = parse_message(raw, our_domain=self._signer.domain)
        markers = (f"ses:{ses_id}",) + ((f"msgid:{parsed.message_id}",) if parsed.message_id else ())
        if self._store.is_marked(*markers):
            return Outcome("duplicate")

        refused = self._refusal(notification, parsed)
        if refused:
            self._store.mark(markers[0], now, decision=refused)
            return Outcome(refused)

        sender = parsed.from_address
        account = self._accounts.account_for_sender(sender) if sender else None
        if sender is None or account is None:
            self._store.mark(markers[0], now, decision="unknown_sender")
            if sender and self._store.claim_window(f"notice:{sender}", now, NOTICE_WINDOW):
                self._notices.unknown_sender(sender, parsed.subject, now)
            return Outcome("unknown_sender")

        caller = Caller(role=Role.CUSTOMER, name=sender, account_id=account)
        kept, refused_names = self._attachments(ses_id, parsed)
        origin = EmailOrigin(from_address=sender, message_id=parsed.message_id)
        body = parsed.text.strip() or NO_TEXT
        try:
            outcome = self._reply_or_open(notification, parsed, caller, body, origin, kept, markers, now)
        except AlreadyProcessed:
            return Outcome("duplicate")
        if refused_names and outcome.ticket_id:
            self._notices.attachments_refused(sender, outcome.ticket_id, refused_names, now)
        return Outcome(outcome.decision, outcome.ticket_id, refused_names)

    # ---------------------------------------------------------------- decisions
    @staticmethod
    def _refusal(notification: SesNotification, parsed: ParsedMail) -> str | None:
        receipt = notification.receipt
        if receipt.failed(receipt.virus):
            return "virus"
        if receipt.failed(receipt.spam):
            return "spam"
        if receipt.failed(receipt.dmarc):
            return "dmarc_fail"
        if not (receipt.passed(receipt.spf) or receipt.passed(receipt.dkim)):
            return "unauthenticated"
        if parsed.automatic:
            return f"automatic:{parsed.automatic}"
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
            return Outcome(f"reply:{how}", ticket_id)
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
        return Outcome("new_ticket", ticket.id)

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
    text = " ".join(subject.split()) or NO_SUBJECT
    return text if len(text) <= MAX_SUBJECT else text[: MAX_SUBJECT - 1] + "…"
