"""Inbound e-mail: raw RFC 5322/MIME bytes in, the fields the help desk acts on out.

Everything in a mail is untrusted, so `parse_message` never raises: what cannot be read becomes an
entry in `defects` and the rest is still returned. Strings come out as clean Unicode (no lone
surrogates, no control characters in one-line fields) but are NOT escaped for HTML: whoever renders
them escapes them. The work is split by concern: header fields (headers), automatic mail
(automatic), the MIME tree (mime), charsets (charsets), text cleaning (clean), quoted history
(quoting), HTML bodies (html_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser

from helpdesk.domain.ids import PREFIX, normalize_ticket_id
from helpdesk.domain.limits import MAX_BODY, MAX_FILENAME
from helpdesk.mail import headers as fields
from helpdesk.mail.automatic import LOOP_HEADER, automatic_reason
from helpdesk.mail.clean import tidy_body
from helpdesk.mail.defects import Defects
from helpdesk.mail.mime import MAIL_POLICY, Attachment, Body, read_body
from helpdesk.mail.quoting import REPLY_ABOVE_MARKER, strip_quoted

__all__ = [
    "LOOP_HEADER",
    "MAX_FILENAME",
    "MAX_TEXT",
    "REPLY_ABOVE_MARKER",
    "Attachment",
    "ParsedMail",
    "parse_message",
    "ticket_id_in_subject",
]

MAX_TEXT = MAX_BODY  # the API's limit on a message body
_MAX_IDS = 100  # message ids kept from References (the latest ones)

_PARSER = BytesParser(policy=MAIL_POLICY)
_SUBJECT_TICKET = re.compile(rf"(?<![A-Za-z0-9])#?{PREFIX}-?[0-9]{{8}}(?![0-9])", re.IGNORECASE | re.ASCII)
_FORWARD = re.compile(r"\s*(?:(?:re|aw)\s*:\s*)*(?:fwd?|rv|reenv|tr|wg)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None  # "<...>"
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_name: str
    from_address: str | None  # None unless From is exactly one strictly valid mailbox
    recipients: tuple[str, ...]  # normalized, from To and Cc
    subject: str
    text: str  # what the sender wrote now: quoted history removed, at most MAX_TEXT characters
    full_text: str  # the body before removing quoted history
    attachments: tuple[Attachment, ...]
    automatic: str | None  # None for mail written by a person, else why it is not
    defects: tuple[str, ...]


def parse_message(raw: bytes, *, our_domain: str | None = None) -> ParsedMail:
    defects = Defects()
    try:
        return _parse(_read(raw, defects), our_domain, defects)
    except Exception as exc:  # a bug of ours or the library's must not lose the mail; S3 keeps the raw copy
        defects.add(f"unparseable: {type(exc).__name__}")
        return ParsedMail(
            message_id=None,
            in_reply_to=(),
            references=(),
            from_name="",
            from_address=None,
            recipients=(),
            subject="",
            text="",
            full_text="",
            attachments=(),
            automatic=None,
            defects=defects.all(),
        )


def ticket_id_in_subject(subject: str) -> str | None:
    """The first ticket ID in a subject ("[#NZ-12345678]", "NZ-12345678", "#NZ12345678"). The
    prefix is required: eight bare digits in a subject are as likely an invoice or a phone number."""
    match = _SUBJECT_TICKET.search(subject)
    return normalize_ticket_id(match.group()) if match else None


def _read(raw: bytes, defects: Defects) -> EmailMessage:
    try:
        return _PARSER.parsebytes(raw)
    except RecursionError:  # the parser recurses once per multipart level: keep at least the headers
        defects.add("mime: nested too deeply")
        return _PARSER.parsebytes(raw, headersonly=True)


def _parse(msg: EmailMessage, our_domain: str | None, defects: Defects) -> ParsedMail:
    headers = fields.Headers(msg)
    message_id = fields.message_id(headers.first("message-id"))
    from_name, from_address = fields.sender(headers, defects)
    subject = defects.attempt("subject", lambda: fields.subject(headers.first("subject"), defects), "")
    body = defects.attempt("body", lambda: read_body(msg, defects), Body())
    full_text = tidy_body(body.text(defects))
    text = strip_quoted(full_text, forwarded=_FORWARD.match(subject) is not None)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
        defects.add("text_truncated")
    return ParsedMail(
        message_id=message_id,
        in_reply_to=fields.message_ids(headers.all("in-reply-to"))[:_MAX_IDS],
        references=fields.message_ids(headers.all("references"))[-_MAX_IDS:],
        from_name=from_name,
        from_address=from_address,
        recipients=defects.attempt("recipients", lambda: fields.recipients(headers), ()),
        subject=subject,
        text=text,
        full_text=full_text,
        attachments=tuple(body.attachments),
        automatic=defects.attempt(
            "automatic", lambda: automatic_reason(headers, msg, message_id, our_domain), None
        ),
        defects=defects.all(),
    )
