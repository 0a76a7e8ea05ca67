"""Short automatic answers about an inbound mail itself (not about a ticket's progress):
the sender is not authorized, or some attachments were not kept. Sent in Spanish and English,
since an unknown sender has no account language. Every one carries the automatic-mail headers,
and the caller rate-limits them (at most one unknown-sender notice per address a day)."""

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
from helpdesk.mail.compose import LOOP_VALUE, MailIdentity

_UNKNOWN_SENDER = (
    "Hemos recibido su correo, pero la dirección {address} no está autorizada en ninguna cuenta de "
    "cliente de Netz0, así que no hemos abierto ningún ticket.\n"
    "Puede autorizarla desde el área de clientes (Cuenta > Direcciones de correo) o abrir el ticket "
    "directamente en nuestra web.\n\n"
    "We received your e-mail, but {address} is not authorized on any Netz0 customer account, so no "
    "ticket was opened. You can authorize it in the customer area (Account > E-mail addresses) or "
    "open the ticket on our website.\n"
)
_ATTACHMENTS_REFUSED = (
    "Su mensaje se ha añadido al ticket {ticket_id}, pero estos adjuntos no se han guardado porque "
    "superan el número o el tamaño permitidos ({limit}):\n{names}\n"
    "Puede enviarlos en varios correos o compartirlos mediante un enlace.\n\n"
    "Your message was added to ticket {ticket_id}, but these attachments were not kept because they "
    "exceed the allowed number or size ({limit}):\n{names}\n"
    "You can send them in several e-mails or share a link instead.\n"
)


class MailNotices:
    def __init__(self, identity: MailIdentity, send: Callable[[EmailMessage], object], limits: str) -> None:
        self._identity = identity
        self._send = send
        self._limits = limits

    def unknown_sender(self, to: str, subject: str, now: datetime) -> None:
        self._deliver(
            to,
            f"Re: {one_line(subject) or NO_SUBJECT}"[:MAX_SUBJECT],
            _UNKNOWN_SENDER.format(address=to),
            now,
        )

    def attachments_refused(self, to: str, ticket_id: str, names: tuple[str, ...], now: datetime) -> None:
        listing = "\n".join(f"- {name}" for name in names)
        body = _ATTACHMENTS_REFUSED.format(ticket_id=ticket_id, limit=self._limits, names=listing)
        self._deliver(to, f"[#{ticket_id}] Adjuntos no guardados / Attachments not kept", body, now)

    def _deliver(self, to: str, subject: str, body: str, now: datetime) -> None:
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
        self._send(message)
