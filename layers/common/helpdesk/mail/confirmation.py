"""The mail that asks the owner of an address to confirm it for an account: a signed link to the
portal's confirmation page and a short code for typing, in the account's language. Plain text
only (nothing a person typed becomes markup); marked automatic so that robots do not answer it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import quote

from helpdesk.domain.text import one_line
from helpdesk.mail.automatic import LOOP_HEADER
from helpdesk.mail.catalog import CATALOGS
from helpdesk.mail.compose import LOOP_VALUE, MailIdentity, language_of


@dataclass(frozen=True)
class ConfirmationRequest:
    to: str
    account_id: str
    requester: str  # who asked, as signed in (their e-mail)
    token: str
    code: str
    expires_at: datetime
    language: str


def confirmation_url(portal_url: str, token: str) -> str:
    """The portal's public confirmation page with the token (hash route: never sent to a server log)."""
    return f"{portal_url.split('#')[0].rstrip('/')}/#/confirm?token={quote(token, safe='')}"


def confirmation_mail(
    request: ConfirmationRequest, identity: MailIdentity, portal_url: str | None, now: datetime
) -> EmailMessage:
    text = CATALOGS[language_of(request.language)]
    paragraphs = [
        text["confirm_intro"].format(
            requester=one_line(request.requester)[:254], address=request.to, account=request.account_id
        )
    ]
    if portal_url:
        paragraphs.append(text["confirm_link"].format(url=confirmation_url(portal_url, request.token)))
        paragraphs.append(text["confirm_code"].format(code=request.code))
    else:
        paragraphs.append(text["confirm_code_only"].format(code=request.code))
    paragraphs.append(text["confirm_expires"].format(expires=request.expires_at.strftime("%Y-%m-%d %H:%M")))
    paragraphs.append(text["confirm_ignore"])
    message = EmailMessage()
    message["From"] = formataddr((identity.from_name, identity.from_address))
    message["To"] = request.to
    message["Subject"] = text["confirm_subject"]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<confirm.{secrets.token_hex(8)}@{identity.signer.domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message[LOOP_HEADER] = LOOP_VALUE
    # Quoted-printable always: the link stays readable in the raw mail (soft breaks only).
    message.set_content("\n\n".join(paragraphs) + "\n", cte="quoted-printable")
    message["Content-Language"] = language_of(request.language)  # after set_content, which drops it
    return message
