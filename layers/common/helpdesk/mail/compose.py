"""The notification e-mails the help desk sends, as MIME messages ready for SES v2
(`send_email(Content={"Raw": {"Data": msg.as_bytes()}})`).

Every mail of a ticket threads under one root Message-ID (the receipt's), carries a signed Reply-To
so that a reply finds its ticket, and marks itself (LOOP_HEADER, Auto-Submitted) so that our inbound
side and other people's robots do not answer it. Everything a person typed is untrusted: headers get
single-line text only, and the HTML part escapes every value.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from enum import StrEnum
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from helpdesk.domain.ids import normalize_ticket_id
from helpdesk.domain.models import Message, Role, Ticket
from helpdesk.domain.operators import shown_to_customers
from helpdesk.domain.status_machine import Status
from helpdesk.domain.text import one_line
from helpdesk.mail.addresses import normalize_address
from helpdesk.mail.automatic import LOOP_HEADER
from helpdesk.mail.catalog import CATALOGS, DEFAULT_LANGUAGE
from helpdesk.mail.dates import spoken_time
from helpdesk.mail.quoting import REPLY_ABOVE_MARKERS
from helpdesk.mail.signing import MailSigner

LOOP_VALUE = "notification"
_ROOT_UNIQUE = "ticket"


class NotificationKind(StrEnum):
    RECEIPT = "receipt"
    OPERATOR_REPLY = "operator_reply"
    AUTO_CLOSED = "auto_closed"
    CLOSED = "closed"
    AUTO_CLOSE_REMINDER = "auto_close_reminder"  # it closes at closes_at unless the customer answers


# The status each notification announces: the event's outcome, whatever a stale Ticket says.
_STATUS = {
    NotificationKind.RECEIPT: Status.OPEN,
    NotificationKind.OPERATOR_REPLY: Status.WAITING,
    NotificationKind.AUTO_CLOSED: Status.CLOSED,
    NotificationKind.CLOSED: Status.CLOSED,
    NotificationKind.AUTO_CLOSE_REMINDER: Status.WAITING,
}
# The kinds that quote a message of the thread (a person's words, as typed).
QUOTED_KINDS = frozenset({NotificationKind.RECEIPT, NotificationKind.OPERATOR_REPLY})
# Written by a person: the only kind robots may answer (RFC 3834).
_PERSONAL = frozenset({NotificationKind.OPERATOR_REPLY})

# Message-ID parts and mailbox local parts: nothing the signer's parsers would split on (. @ + <>).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAILBOX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_MSG_ID = re.compile(r"<[^<>@\s]{1,200}@[^<>@\s]{1,200}>")
# C0/C1 controls and Unicode line separators: what could end a header line or garble a subject.


@dataclass(frozen=True)
class Notification:
    kind: NotificationKind
    ticket: Ticket
    department_name: str
    recipients: tuple[str, ...]
    language: str = DEFAULT_LANGUAGE  # "es" or "en" ("en-GB", "EN" too); anything else: "es"
    message: Message | None = None  # receipt: the customer's first message; operator reply: the reply
    # (the closing kinds quote nothing: what closed the ticket is said in the reader's language)
    auto_close_hours: int = 72
    # AUTO_CLOSE_REMINDER: when the ticket closes, told on Netz0's clock (`zone`).
    closes_at: datetime | None = None
    # AUTO_CLOSED, CLOSED: the signed token that rates this closing (one-click links in the mail).
    rating_token: str | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Madrid"))
    # RECEIPT of a ticket opened by mail: the customer's own Message-ID, so that the receipt also
    # threads under the mail it answers. Ignored when it does not look like a Message-ID.
    customer_message_id: str | None = None

    def __post_init__(self) -> None:
        # Ticket IDs go into headers and Message-IDs: accept only the canonical form.
        if normalize_ticket_id(self.ticket.id) != self.ticket.id:
            raise ValueError(f"not a canonical ticket ID: {self.ticket.id!r}")
        if not self.recipients or any(normalize_address(r) is None for r in self.recipients):
            raise ValueError("a notification needs one or more plain e-mail addresses as recipients")
        if self.auto_close_hours < 1:
            raise ValueError("auto_close_hours must be at least 1")
        if self.kind is NotificationKind.AUTO_CLOSE_REMINDER and (
            self.closes_at is None or self.closes_at.utcoffset() is None
        ):
            raise ValueError("an auto_close_reminder needs the (timezone-aware) time the ticket closes")
        message = self.message
        if message is not None:
            if message.internal:
                raise ValueError("internal notes are never sent to customers")
            if message.ticket_id != self.ticket.id:
                raise ValueError("the message belongs to another ticket")
        if self.kind in QUOTED_KINDS and message is None:
            raise ValueError(f"a {self.kind} notification needs its message")
        if self.kind not in QUOTED_KINDS and message is not None:
            # What closed the ticket is said in the mail's own words, in the reader's language.
            raise ValueError(f"a {self.kind} notification quotes no message")
        if self.kind is NotificationKind.OPERATOR_REPLY and (
            message is None or message.author_role is not Role.OPERATOR
        ):
            raise ValueError("an operator_reply notification needs an operator's message")


@dataclass(frozen=True)
class MailIdentity:
    signer: MailSigner
    from_address: str
    from_name: str = "Netz0"
    # The web portal's address (PORTAL_URL, e.g. "https://portal.example/"): every mail about a
    # ticket links to the ticket on it (the portal's hash route #/tickets/<id>).
    portal_url: str | None = None

    def __post_init__(self) -> None:
        if normalize_address(self.from_address) is None:
            raise ValueError(f"not a plain e-mail address: {self.from_address!r}")
        if self.portal_url is not None:
            parts = urlsplit(self.portal_url)
            if parts.scheme not in ("https", "http") or not parts.netloc:
                raise ValueError("portal_url must be an http(s) URL")

    def portal_page(self, route: str) -> str | None:
        """The portal's address of a hash route ("tickets/NZ-…", "rate?token=…"); None without a portal."""
        if self.portal_url is None:
            return None
        return f"{self.portal_url.split('#')[0].rstrip('/')}/#/{route}"

    def ticket_url(self, ticket_id: str) -> str | None:
        return self.portal_page(f"tickets/{quote(ticket_id, safe='')}")

    def rating_urls(self, token: str) -> tuple[str, str] | None:
        """The one-click links of a rating token: (good, bad); None without a portal."""
        base = self.portal_page(f"rate?token={quote(token, safe='')}")
        return (f"{base}&rating=good", f"{base}&rating=bad") if base else None


def thread_root_id(signer: MailSigner, ticket_id: str) -> str:
    """The deterministic Message-ID of a ticket's first mail (the receipt): every later mail names it
    in In-Reply-To and References, so that mail clients keep the ticket in one conversation."""
    return signer.message_id(ticket_id, _ROOT_UNIQUE)


def language_of(requested: str) -> str:
    primary = requested.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in CATALOGS else DEFAULT_LANGUAGE


def compose(
    notification: Notification,
    identity: MailIdentity,
    *,
    department_mailbox: str,
    unique: str,
    now: datetime,
) -> EmailMessage:
    """The notification as a multipart/alternative (text/plain + text/html, UTF-8) message.

    `department_mailbox` is the local part replies go to (e.g. "soporte"); `unique` makes this mail's
    Message-ID (e.g. the message ID or a random token; the receipt always uses the thread root)."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not _TOKEN.fullmatch(unique) or unique == _ROOT_UNIQUE:
        raise ValueError(f"unusable Message-ID part: {unique!r}")
    if not _MAILBOX.fullmatch(department_mailbox):
        raise ValueError(f"unusable department mailbox: {department_mailbox!r}")

    kind, ticket, signer = notification.kind, notification.ticket, identity.signer
    language = language_of(notification.language)
    text = CATALOGS[language]
    subject = f"[#{ticket.id}] {one_line(ticket.subject) or text['no_subject']}"
    root = thread_root_id(signer, ticket.id)

    msg = EmailMessage(policy=SMTP)  # CRLF line ends and RFC 2047 encoded words, as SMTP expects
    msg["From"] = Address(display_name=one_line(identity.from_name), addr_spec=identity.from_address)
    recipients = (normalize_address(r) for r in notification.recipients)
    msg["To"] = ", ".join(dict.fromkeys(r for r in recipients if r))  # all valid: checked on creation
    # The email package would decode "=?charset?q?...?=" typed by a person as an encoded word (which
    # may hide a CR/LF); an invisible word joiner keeps it literal text, shown as typed.
    msg["Subject"] = subject.replace("=?", "=\u2060?")
    msg["Date"] = format_datetime(now)
    if kind is NotificationKind.RECEIPT:
        msg["Message-ID"] = root
        answered = notification.customer_message_id
        if answered is not None and _MSG_ID.fullmatch(answered.strip()):
            msg["In-Reply-To"] = answered.strip()
            msg["References"] = answered.strip()
    else:
        msg["Message-ID"] = signer.message_id(ticket.id, unique)
        msg["In-Reply-To"] = root
        msg["References"] = root
    msg["Reply-To"] = signer.reply_address(department_mailbox, ticket.id)
    if kind not in _PERSONAL:
        msg["Auto-Submitted"] = "auto-replied"
        msg["Precedence"] = "auto_reply"
    msg["X-Auto-Response-Suppress"] = "All"  # no out-of-office replies from Exchange
    msg[LOOP_HEADER] = LOOP_VALUE

    plain, markup = _body(notification, identity, text, language, subject)
    # Quoted-printable keeps the message 7-bit clean for any relay while staying readable.
    msg.set_content(plain, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(markup, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # add_alternative copies it into the part; it belongs on top only
    msg["Content-Language"] = language  # after set_content, which clears every Content-* header
    return msg


# ------------------------------------------------------------------------------------------- bodies
_P = "margin:0 0 16px"
_SMALL = "margin:0 0 16px;color:#777;font-size:12px"


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


class _Body:
    """The plain and the HTML part built side by side from the same catalogue entries. Catalogue
    texts are escaped as a whole before the (separately escaped) values are put in."""

    def __init__(self, text: Mapping[str, str]) -> None:
        self.text = text
        self.plain: list[str] = []
        self.html: list[str] = []

    def line(self, key: str, **values: str) -> tuple[str, str]:
        template = self.text[key]
        safe = {name: _link(v) if name == "url" else _esc(v) for name, v in values.items()}
        return template.format(**values), _esc(template).format(**safe)

    def para(self, *lines: tuple[str, str], style: str = _P) -> None:
        self.plain.append("\n".join(plain for plain, _ in lines))
        self.html.append(f'<p style="{style}">' + "<br>".join(markup for _, markup in lines) + "</p>")

    def facts(self, rows: list[tuple[str, str]]) -> None:
        self.plain.append("\n".join(f"{self.text[key]}: {value}" for key, value in rows))
        cells = "".join(
            f'<tr><td style="padding:2px 12px 2px 0;color:#555">{_esc(self.text[key])}</td>'
            f'<td style="padding:2px 0"><strong>{_esc(value)}</strong></td></tr>'
            for key, value in rows
        )
        self.html.append(f'<table role="presentation" style="{_P};border-collapse:collapse">{cells}</table>')

    def quote(self, intro: tuple[str, str], body: str) -> None:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        self.para(intro, style="margin:0 0 8px")
        self.plain.append(body)  # as sent: the customer recognises it, and tests can find it
        self.html.append(
            '<blockquote style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #ccc;'
            f'color:#333;white-space:pre-wrap">{_esc(body).replace(chr(10), "<br>")}</blockquote>'
        )

    def footer(self, line: tuple[str, str]) -> None:
        self.plain.append("-- \n" + line[0])  # "-- ": the signature separator mail clients know
        self.html.append('<hr style="border:0;border-top:1px solid #ddd;margin:24px 0 8px">')
        self.html.append(f'<p style="{_SMALL}">{line[1]}</p>')

    def finished(self, subject: str, language: str) -> tuple[str, str]:
        """The text and HTML parts, the HTML one a whole document titled by the subject."""
        plain = "\n\n".join(self.plain) + "\n"
        markup = (
            f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_esc(subject)}</title>\n</head>\n"
            '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;'
            'line-height:1.5;color:#222">\n' + "\n".join(self.html) + "\n</body>\n</html>\n"
        )
        return plain, markup


def _link(url: str) -> str:
    return f'<a href="{_esc(url)}" style="color:#0b5cad">{_esc(url)}</a>'


def _body(
    notification: Notification, identity: MailIdentity, text: Mapping[str, str], language: str, subject: str
) -> tuple[str, str]:
    kind, ticket, message = notification.kind, notification.ticket, notification.message
    ticket_id = ticket.id
    department = one_line(notification.department_name)
    hours = str(notification.auto_close_hours)
    url = identity.ticket_url(ticket_id)
    status_text = text[f"status_{_STATUS[kind].value}"]  # the portal shows the same names

    b = _Body(text)
    marker = REPLY_ABOVE_MARKERS[language]
    b.plain.append(marker)
    b.html.append(f'<p style="{_SMALL}">{_esc(marker)}</p>')
    b.para(b.line("greeting"))
    if kind is NotificationKind.RECEIPT:
        b.para(b.line("receipt_intro", ticket_id=ticket_id), b.line("receipt_next", department=department))
    elif kind is NotificationKind.OPERATOR_REPLY:
        b.para(b.line("operator_reply_intro", ticket_id=ticket_id))
    elif kind is NotificationKind.AUTO_CLOSED:
        b.para(b.line("auto_closed_intro", ticket_id=ticket_id, hours=hours))
    elif kind is NotificationKind.AUTO_CLOSE_REMINDER:
        assert notification.closes_at is not None  # checked on creation
        when = spoken_time(notification.closes_at, language, notification.zone)
        b.para(b.line("reminder_intro", ticket_id=ticket_id), b.line("reminder_when", when=when))
    else:
        b.para(b.line("closed_intro", ticket_id=ticket_id))
    b.facts(
        [
            ("label_ticket", ticket_id),
            ("label_subject", one_line(ticket.subject) or text["no_subject"]),
            ("label_department", department),
            ("label_status", status_text),
        ]
    )
    if message is not None:
        author = one_line(message.author)
        if message.author_role is Role.OPERATOR:  # customers never see an operator's address
            author = shown_to_customers(author, department)
        b.quote(b.line(f"quote_{kind.value}", author=author), message.body)
    if kind is NotificationKind.RECEIPT:
        b.para(b.line("add_info"), *([b.line("view_web", url=url)] if url else []))
    elif kind is NotificationKind.OPERATOR_REPLY:
        web = b.line("reply_web", url=url) if url else b.line("reply_web_generic")
        b.para(b.line("reply_how"), web)
        b.para(b.line("auto_close_warning", hours=hours))
    elif kind is NotificationKind.AUTO_CLOSE_REMINDER:
        web = b.line("reply_web", url=url) if url else b.line("reply_web_generic")
        b.para(b.line("reminder_how"), web)
    else:
        web = b.line("reopen_web", url=url) if url else b.line("reopen_web_generic")
        b.para(b.line("reopen_how"), web)
        links = identity.rating_urls(notification.rating_token) if notification.rating_token else None
        if links:
            good, bad = links
            b.para(b.line("rating_ask"), b.line("rating_good", url=good), b.line("rating_bad", url=bad))
    b.para(b.line("sign_off"), b.line("signature", department=department))
    b.footer(b.line("footer", ticket_id=ticket_id))

    return b.finished(subject, language)
