"""Mail as customers' clients send it, and SES's receipt events for it (the shapes devstack uses)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from devstack.events import ses_receipt_event
from helpdesk.mail.ses_event import SesEvent, SesNotification

MAIL_DOMAIN = "helpdesk.netz0.example"
SOPORTE = f"soporte@{MAIL_DOMAIN}"
COMERCIAL = f"comercial@{MAIL_DOMAIN}"


def mail(
    sender: str = "Ana Pérez <ana@cliente.example>",
    to: str = SOPORTE,
    subject: str = "No puedo acceder al webmail",
    body: str = "Desde ayer el webmail no carga.",
    **headers: str,
) -> bytes:
    """A plain, well-formed mail as a customer's client would send it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Wed, 25 Nov 2026 12:59:58 +0100"
    message["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="mail.cliente.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def receipt(
    ses_id: str,
    raw: bytes,
    at: datetime,
    to: tuple[str, ...] = (SOPORTE,),
    verdicts: dict[str, str] | None = None,
) -> SesNotification:
    """The `ses` part of the receipt rule's Lambda event for this message."""
    event = ses_receipt_event(
        ses_id, list(to), source="ana@cliente.example", at=at, verdicts=verdicts, raw=raw
    )
    return SesEvent.model_validate(event).records[0].ses
