"""Short automatic answers about an inbound mail itself (not about a ticket's progress):
the sender is not authorized, or some attachments were not kept. The unknown-sender notice is in
Spanish and English, since an unknown sender has no account and so no language; the attachments
notice goes to a confirmed address of an account and speaks the account's language (with a link
to the ticket). Every one carries the automatic-mail headers, and the caller rate-limits them (at
most one unknown-sender notice per address a day)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from helpdesk.domain.labels import NO_SUBJECT
from helpdesk.domain.limits import MAX_SUBJECT
from helpdesk.domain.text import one_line
from helpdesk.mail.automatic import LOOP_HEADER
from helpdesk.mail.catalog import CATALOGS
from helpdesk.mail.compose import LOOP_VALUE, MailIdentity, language_of

_UNKNOWN_SENDER = (
    "Hemos recibido su correo, pero la dirección {address} no está autorizada en ninguna cuenta de "
    "cliente de Netz0, así que no hemos abierto ningún ticket.\n"
    "Puede autorizarla desde el área de clientes (Cuenta > Direcciones de correo) o abrir el ticket "
    "directamente en nuestra web.\n\n"
    "We received your e-mail, but {address} is not authorized on any Netz0 customer account, so no "
    "ticket was opened. You can authorize it in the customer area (Account > E-mail addresses) or "
    "open the ticket on our website.\n"
)


class MailNotices:
    def __init__(
        self, identity: MailIdentity, send: Callable[[EmailMessage], object], *, files: int, megabytes: int
    ) -> None:
        self._identity = identity
        self._send = send
        self._files = files
        self._megabytes = megabytes

    def unknown_sender(self, to: str, subject: str, now: datetime) -> None:
        self._deliver(
            to,
            f"Re: {one_line(subject) or NO_SUBJECT}"[:MAX_SUBJECT],
            _UNKNOWN_SENDER.format(address=to),
            now,
        )

    def attachments_refused(
        self, to: str, ticket_id: str, names: tuple[str, ...], now: datetime, *, language: str = "es"
    ) -> None:
        language = language_of(language)
        text = CATALOGS[language]
        paragraphs = [
            text["attachments_refused_intro"].format(
                ticket_id=ticket_id,
                limit=text["attachments_limit"].format(files=self._files, megabytes=self._megabytes),
            ),
            "\n".join(f"- {one_line(name)}" for name in names),
            text["attachments_refused_how"],
        ]
        url = self._identity.ticket_url(ticket_id)
        if url:
            paragraphs.append(text["view_web"].format(url=url))
        subject = f"[#{ticket_id}] {text['attachments_refused_subject']}"
        self._deliver(to, subject, "\n\n".join(paragraphs) + "\n", now, language)

    def _deliver(self, to: str, subject: str, body: str, now: datetime, language: str | None = None) -> None:
        message = EmailMessage()
        message["From"] = formataddr((self._identity.from_name, self._identity.from_address))
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = f"<notice.{secrets.token_hex(8)}@{self._identity.signer.domain}>"
        message["Auto-Submitted"] = "auto-replied"
        message["Precedence"] = "auto_reply"
        message["X-Auto-Response-Suppress"] = "All"
        message[LOOP_HEADER] = LOOP_VALUE
        message.set_content(body)
        if language is not None:
            message["Content-Language"] = language  # after set_content, which drops it
        self._send(message)
