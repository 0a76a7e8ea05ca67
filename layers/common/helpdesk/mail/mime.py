"""The MIME tree of a mail: which parts are the body's text and which are attachments, with
bounds on the work one hostile mail can cause (SES accepts up to 30 MB)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from typing import TYPE_CHECKING, Any

from helpdesk.mail.charsets import decode_text
from helpdesk.mail.clean import safe_filename
from helpdesk.mail.defects import Defects
from helpdesk.mail.html_text import html_to_text

_MAX_PART_BYTES = 2_000_000  # of one text body part; a ticket message keeps 32,000 characters anyway
_MAX_DEPTH = 20  # multipart nesting; real mail has 3 or 4 levels
_MAX_PARTS = 1_000  # MIME parts looked at; a mail with more is a hostile one
_BODY_TYPES = frozenset({"text/plain", "text/html"})
# A boundary parameter without quotes, up to the next ";" (RFC 2046 boundaries hold no ";").
_UNQUOTED_BOUNDARY = re.compile(r"(;\s*boundary\s*=\s*)([^\s\";][^\s;]*)", re.IGNORECASE)


if TYPE_CHECKING:  # typeshed's EmailPolicy is generic in its message class; the runtime's is not
    _EmailPolicy = EmailPolicy[EmailMessage]
else:
    _EmailPolicy = EmailPolicy


class _MailPolicy(_EmailPolicy):
    """The standard library's default policy, reading boundaries as mail clients write them.
    RFC 2046 boundaries may hold "=", "?", "(", ")", ",", "/" and ":", which a parameter value
    must then quote; Outlook and Apple Mail leave them unquoted ("boundary=----=_NextPart_000_..."),
    and the strict header parser stops at the "=" and finds no part at all. Every client and
    browser reads the value up to the ";", and so does this."""

    def header_fetch_parse(self, name: str, value: str) -> Any:  # a header object, a str
        if name.lower() == "content-type":
            value = _UNQUOTED_BOUNDARY.sub(r'\1"\2"', value)
        return super().header_fetch_parse(name, value)


MAIL_POLICY = _MailPolicy()


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded (RFC 2231/2047), sanitized; "attachment" if none
    content_type: str
    size: int
    content: bytes


@dataclass
class Body:
    """What a walk over (part of) the MIME tree found: text chunks (subtype, text), attachments."""

    chunks: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    def text(self, defects: Defects) -> str:
        """The chunks as one text, HTML ones turned into plain text."""
        return "\n\n".join(_chunk_text(chunk, defects) for chunk in self.chunks)


def read_body(msg: Message, defects: Defects) -> Body:
    found = Body()
    _Walker(defects).visit(msg, found, depth=0)
    return found


def _chunk_text(chunk: tuple[str, str], defects: Defects) -> str:
    subtype, text = chunk
    return defects.attempt("html", lambda: html_to_text(text), "") if subtype == "html" else text


class _Walker:
    def __init__(self, defects: Defects) -> None:
        self._defects = defects
        self._parts_left = _MAX_PARTS

    def visit(self, part: Message, found: Body, *, depth: int) -> None:
        for defect in part.defects:
            self._defects.add(f"mime: {type(defect).__name__}")
        if depth > _MAX_DEPTH or self._parts_left <= 0:
            self._defects.add("mime: nested too deeply" if depth > _MAX_DEPTH else "mime: too many parts")
            return
        self._parts_left -= 1
        self._defects.attempt("part", lambda: self._visit_part(part, found, depth=depth), None)

    def _visit_part(self, part: Message, found: Body, *, depth: int) -> None:
        content_type = part.get_content_type()  # parsed once: header parsing is most of the cost
        if content_type.startswith("message/") or not part.is_multipart():
            self._visit_leaf(part, content_type, found)
        elif content_type == "multipart/alternative":
            self._visit_alternative(_children(part), found, depth=depth)
        else:
            for child in _children(part):
                self.visit(child, found, depth=depth + 1)

    def _visit_alternative(self, children: list[Message], found: Body, *, depth: int) -> None:
        """One alternative gives the text: the first plain-text one that is not blank (some senders
        leave it empty), else the last one with text (the sender's preferred, per RFC 2046). Inline
        images of every alternative are kept as attachments."""
        options: list[list[tuple[str, str]]] = []
        for child in children:
            option = Body()
            self.visit(child, option, depth=depth + 1)
            found.attachments.extend(option.attachments)
            if any(text.strip() for _, text in option.chunks):
                options.append(option.chunks)
        plain = (chunks for chunks in options if all(subtype == "plain" for subtype, _ in chunks))
        found.chunks.extend(next(plain, options[-1] if options else []))

    def _visit_leaf(self, part: Message, content_type: str, found: Body) -> None:
        filename = part.get_filename()
        # Attachments are what the sender attached, plus named non-text parts (inline images) that
        # clients show in the body; a named text/plain part inline is body text (Apple Mail, lists).
        if part.get_content_disposition() == "attachment" or (filename and content_type not in _BODY_TYPES):
            content = _content(part)
            found.attachments.append(Attachment(safe_filename(filename), content_type, len(content), content))
        elif content_type in _BODY_TYPES:
            found.chunks.append((content_type.removeprefix("text/"), _text(part, self._defects)))


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def _content(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    inner = _children(part)  # an attached message (message/rfc822) is parsed, not decoded
    return inner[0].as_bytes() if inner else b""


def _text(part: Message, defects: Defects) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    if len(data) > _MAX_PART_BYTES:
        data = data[:_MAX_PART_BYTES]
        defects.add("body_truncated")
    return decode_text(data, part.get_content_charset(), defects)
