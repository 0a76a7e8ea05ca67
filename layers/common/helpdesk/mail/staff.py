"""The staff mails: what the help desk tells operators (a new ticket in their department, a
customer's answer on their ticket, a ticket handed to them, a colleague's note, an SLA alert), as
MIME messages ready for SES v2. Each names the ticket, its subject, the customer and the new
text, with a link to the ticket in the portal, in the operator's language. Everything a person
typed is untrusted: single-line text in headers, escaped in the HTML part.

Staff mail is not part of the customer's conversation: it has its own Message-ID, no signed
Reply-To, and marks itself automatic (Auto-Submitted, LOOP_HEADER) so that no robot answers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from enum import StrEnum

from helpdesk.domain.ids import normalize_ticket_id
from helpdesk.domain.models import Message, Ticket
from helpdesk.domain.text import one_line
from helpdesk.mail.addresses import normalize_address
from helpdesk.mail.automatic import LOOP_HEADER
from helpdesk.mail.catalog import CATALOGS
from helpdesk.mail.compose import MailIdentity, _Body, _esc, language_of

STAFF_LOOP_VALUE = "staff-notification"


class StaffMailKind(StrEnum):
    NEW_TICKET = "new_ticket"
    CUSTOMER_REPLY = "customer_reply"
    ASSIGNED = "assigned"
    NOTE = "note"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"


@dataclass(frozen=True)
class StaffMail:
    kind: StaffMailKind
    ticket: Ticket
    department_name: str
    customer: str  # how the customer is known on the ticket (name and account)
    to_address: str
    to_name: str
    language: str
    message: Message | None = None  # the new text (none for an assignment of a ticket without one)
    actor: str | None = None  # who assigned it or wrote the note, by name
    alert: str | None = None  # an SLA alert, as a sentence in the mail's language
    ticket_url: str | None = None

    def __post_init__(self) -> None:
        if normalize_ticket_id(self.ticket.id) != self.ticket.id:
            raise ValueError(f"not a canonical ticket ID: {self.ticket.id!r}")
        if normalize_address(self.to_address) is None:
            raise ValueError(f"not a plain e-mail address: {self.to_address!r}")
        if self.message is not None and self.message.ticket_id != self.ticket.id:
            raise ValueError("the message belongs to another ticket")


def compose_staff(mail: StaffMail, identity: MailIdentity, *, now: datetime) -> EmailMessage:
    """The staff mail as multipart/alternative (text/plain + text/html, UTF-8)."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    language = language_of(mail.language)
    text = CATALOGS[language]
    ticket = mail.ticket
    title = one_line(ticket.subject) or text["no_subject"]
    subject = f"[#{ticket.id}] {text[f'staff_subject_{mail.kind.value}']}: {title}"

    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=one_line(identity.from_name), addr_spec=identity.from_address)
    address = normalize_address(mail.to_address)
    assert address is not None  # checked on creation
    msg["To"] = address
    msg["Subject"] = subject.replace("=?", "=\u2060?")  # typed "=?...?=" stays text (see compose)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=identity.signer.domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg["Precedence"] = "bulk"
    msg["X-Auto-Response-Suppress"] = "All"
    msg[LOOP_HEADER] = STAFF_LOOP_VALUE

    plain, markup = _staff_body(mail, text, language, subject, title)
    msg.set_content(plain, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(markup, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        del part["MIME-Version"]
    msg["Content-Language"] = language
    return msg


def _staff_body(
    mail: StaffMail, text: dict[str, str], language: str, subject: str, title: str
) -> tuple[str, str]:
    ticket, message = mail.ticket, mail.message
    department = one_line(mail.department_name)
    b = _Body(text)
    b.para(b.line("staff_greeting", name=one_line(mail.to_name)))
    b.para(
        b.line(
            f"staff_intro_{mail.kind.value}",
            ticket_id=ticket.id,
            department=department,
            actor=one_line(mail.actor or ""),
        )
    )
    rows = [
        ("label_ticket", ticket.id),
        ("label_subject", title),
        ("label_department", department),
        ("staff_label_customer", one_line(mail.customer)),
        ("label_status", text[f"status_{ticket.status.value}"]),
    ]
    if message is not None:
        rows.append(
            ("staff_label_channel", text.get(f"channel_{message.channel.value}", message.channel.value))
        )
    b.facts(rows)
    if mail.alert:
        alert = one_line(mail.alert)
        b.para((alert, _esc(alert)))
    if message is not None:
        b.quote(b.line("staff_quote", author=one_line(message.author)), message.body)
    b.para(b.line("staff_open", url=mail.ticket_url) if mail.ticket_url else b.line("staff_open_generic"))
    b.footer(b.line("staff_footer"))
    return b.finished(subject, language)
