"""Inbound e-mail: raw RFC 5322/MIME bytes in, the fields the help desk acts on out.

Everything in a mail is untrusted, so `parse_message` never raises: what cannot be read becomes an
entry in `defects` and the rest is still returned. Strings come out as clean Unicode (no lone
surrogates, no control characters in one-line fields) but are NOT escaped for HTML: whoever renders
them escapes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from typing import TypeVar

from helpdesk.domain.ids import PREFIX, normalize_ticket_id
from helpdesk.domain.limits import MAX_BODY, MAX_FILENAME
from helpdesk.domain.text import one_line
from helpdesk.mail.addresses import normalize_address, parse_mailbox
from helpdesk.mail.html_text import html_to_text
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

LOOP_HEADER = "X-Netz0-Helpdesk"  # our outbound mail carries it: mail that has it is our own coming back
MAX_TEXT = MAX_BODY  # the API's limit on a message body

# Bounds on the work one hostile mail can cause (SES accepts up to 30 MB).
_MAX_PART_BYTES = 2_000_000  # of one text body part; `text` keeps 32,000 characters anyway
_MAX_DEPTH = 20  # multipart nesting; real mail has 3 or 4 levels
_MAX_PARTS = 1_000  # MIME parts looked at; a mail with more is a hostile one
_MAX_IDS = 100  # message ids kept from References (the latest ones)
_MAX_DEFECTS = 20

_PARSER = BytesParser(policy=policy.default)
_REGISTRY = HeaderRegistry()
_BODY_TYPES = frozenset({"text/plain", "text/html"})

_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,500}>")  # printable ASCII without < and >
_BARE_MESSAGE_ID = re.compile(r"[!-;=?-~]{1,250}@[!-;=?-~]{1,250}")
_SUBJECT_TICKET = re.compile(rf"(?<![A-Za-z0-9])#?{PREFIX}-?[0-9]{{8}}(?![0-9])", re.IGNORECASE | re.ASCII)
_FORWARD = re.compile(r"\s*(?:(?:re|aw)\s*:\s*)*(?:fwd?|rv|reenv|tr|wg)\s*:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline
_SURROGATE = re.compile("[\ud800-\udfff]")
_BLANK_LINES = re.compile(r"\n{3,}")
_NULL_PATH = re.compile(r"\s*<\s*>\s*")  # Return-Path: <> is what bounces are sent with

_PRECEDENCE_AUTOMATIC = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTOREPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponse", "x-mail-autoreply")
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})

_T = TypeVar("_T")


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded (RFC 2231/2047), sanitized; "attachment" if none
    content_type: str
    size: int
    content: bytes


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
    defects = _Defects()
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


# -------------------------------------------------------------------------------------- parsing
class _Defects:
    def __init__(self) -> None:
        self._seen: dict[str, None] = {}  # ordered set

    def add(self, defect: str) -> None:
        if len(self._seen) < _MAX_DEFECTS:
            self._seen[defect] = None

    def attempt(self, what: str, compute: Callable[[], _T], default: _T) -> _T:
        """`compute()`, or `default` with a defect when the mail makes the library fail."""
        try:
            return compute()
        except Exception as exc:  # hostile input reaches parser corners that raise; keep the rest
            self.add(f"{what}: {type(exc).__name__}")
            return default

    def all(self) -> tuple[str, ...]:
        return tuple(self._seen)


def _read(raw: bytes, defects: _Defects) -> EmailMessage:
    try:
        return _PARSER.parsebytes(raw)
    except RecursionError:  # the parser recurses once per multipart level: keep at least the headers
        defects.add("mime: nested too deeply")
        return _PARSER.parsebytes(raw, headersonly=True)


def _parse(msg: EmailMessage, our_domain: str | None, defects: _Defects) -> ParsedMail:
    headers = _Headers(msg)
    message_id = _message_id(headers.first("message-id"))
    from_name, from_address = _sender(headers, defects)
    subject = defects.attempt("subject", lambda: _subject(headers.first("subject")), "")
    body = defects.attempt("body", lambda: _walk(msg, defects), _Found())
    full_text = _tidy_body("\n\n".join(_chunk_text(chunk, defects) for chunk in body.chunks))
    text = strip_quoted(full_text, forwarded=_FORWARD.match(subject) is not None)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
        defects.add("text_truncated")
    return ParsedMail(
        message_id=message_id,
        in_reply_to=_message_ids(headers.all("in-reply-to"))[:_MAX_IDS],
        references=_message_ids(headers.all("references"))[-_MAX_IDS:],
        from_name=from_name,
        from_address=from_address,
        recipients=defects.attempt("recipients", lambda: _recipients(headers), ()),
        subject=subject,
        text=text,
        full_text=full_text,
        attachments=tuple(body.attachments),
        automatic=defects.attempt(
            "automatic", lambda: _automatic(headers, msg, message_id, our_domain), None
        ),
        defects=defects.all(),
    )


class _Headers:
    """Header values as received (unfolded, not yet decoded), by lower-cased name. Reading them raw
    keeps the header parser, which can fail on hostile input, to the fields that need decoding."""

    def __init__(self, msg: Message) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            unfolded = str(value).replace("\r", "").replace("\n", "")
            self._values.setdefault(name.strip().lower(), []).append(unfolded)

    def has(self, name: str) -> bool:
        return name in self._values

    def first(self, name: str) -> str:
        return self._values.get(name, [""])[0]

    def all(self, name: str) -> list[str]:
        return self._values.get(name, [])


def _message_id(value: str) -> str | None:
    match = _MESSAGE_ID.search(value)
    if match:
        return match.group()
    bare = value.strip()  # some mailers leave out the angle brackets
    return f"<{bare}>" if _BARE_MESSAGE_ID.fullmatch(bare) else None


def _message_ids(values: list[str]) -> tuple[str, ...]:
    found = (match.group() for value in values for match in _MESSAGE_ID.finditer(value))
    return tuple(dict.fromkeys(found))


def _sender(headers: _Headers, defects: _Defects) -> tuple[str, str | None]:
    """(display name, address) of the one mailbox in From. Two From headers are refused: mail
    systems disagree on which one counts, which is how a sender gets spoofed."""
    values = headers.all("from")
    if len(values) != 1:
        defects.add("from: missing" if not values else "from: more than one From header")
        return "", None
    # Raw UTF-8 names are decoded first. parse_mailbox lets the header parser's AttributeError
    # through (a group where a mailbox is expected, "From:x: a <b@c>"): count it as unreadable.
    mailbox = defects.attempt("from", lambda: parse_mailbox(_without_surrogates(values[0])), None)
    if mailbox is None:
        defects.add("from: not exactly one valid mailbox")
        return "", None
    name, address = mailbox
    return _one_line(name), address


def _recipients(headers: _Headers) -> tuple[str, ...]:
    pairs = getaddresses([*headers.all("to"), *headers.all("cc")])  # strict parsing (CVE-2023-27043)
    addresses = (normalize_address(address) for _, address in pairs)
    return tuple(dict.fromkeys(address for address in addresses if address))


def _subject(raw: str) -> str:
    return _one_line(str(_REGISTRY("subject", raw)))  # decodes RFC 2047 and raw UTF-8


# ------------------------------------------------------------------------------- automatic mail
def _automatic(headers: _Headers, msg: Message, message_id: str | None, our_domain: str | None) -> str | None:
    """Why the mail was not written by a person (first reason that applies), or None."""
    reasons: tuple[tuple[str, bool], ...] = (
        # First: our own mail carries Auto-Submitted too, and the log should say it is ours.
        ("our_own", _our_own(headers, message_id, our_domain)),
        ("auto_submitted", any(_token(value) != "no" for value in headers.all("auto-submitted"))),
        ("precedence", _precedence_automatic(headers)),
        ("autoreply_header", _autoreply_header(headers)),
        ("mailing_list", headers.has("list-id") or headers.has("list-unsubscribe")),
        ("bounce", _bounce(headers)),
        ("delivery_report", msg.get_content_type() == "multipart/report"),
    )
    return next((reason for reason, applies in reasons if applies), None)


def _token(value: str) -> str:
    """The keyword of a header value, without parameters ("auto-replied; owner=..." -> "auto-replied")."""
    return value.split(";")[0].strip().lower()


def _precedence_automatic(headers: _Headers) -> bool:
    values = [*headers.all("precedence"), *headers.all("x-precedence")]
    return any(_token(value) in _PRECEDENCE_AUTOMATIC for value in values)


def _autoreply_header(headers: _Headers) -> bool:
    # Not X-Auto-Response-Suppress: it asks the *recipient's* server not to auto-reply and does not
    # say the mail is automatic. Exchange sets it on person-written mail too, and Jitbit, Discourse
    # (PR 21367), sisimai (issue 491) and osTicket (PR 5320) stopped treating it as automatic after
    # losing good mail. Here a false positive is a customer's mail dropped, so it is not counted.
    return any(headers.has(name) for name in _AUTOREPLY_HEADERS) or any(
        _token(value) == "notification" for value in headers.all("x-amazon-mail-relay-type")
    )


def _bounce(headers: _Headers) -> bool:
    # Lenient address parsing is fine here: a forged "bounce" only gets its own mail ignored.
    senders = getaddresses(headers.all("from"), strict=False)
    return (
        any(address.split("@")[0].strip().lower() in _BOUNCE_SENDERS for _, address in senders)
        or any(_NULL_PATH.fullmatch(value) for value in headers.all("return-path"))
        or headers.has("x-failed-recipients")
    )


def _our_own(headers: _Headers, message_id: str | None, our_domain: str | None) -> bool:
    if headers.has(LOOP_HEADER.lower()):
        return True
    return bool(our_domain and message_id and message_id.lower().endswith(f"@{our_domain.lower()}>"))


# ------------------------------------------------------------------------------------ MIME body
@dataclass
class _Found:
    """What a walk over (part of) the MIME tree found: body chunks (subtype, text), attachments."""

    chunks: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def _chunk_text(chunk: tuple[str, str], defects: _Defects) -> str:
    subtype, text = chunk
    return defects.attempt("html", lambda: html_to_text(text), "") if subtype == "html" else text


def _walk(msg: Message, defects: _Defects) -> _Found:
    found = _Found()
    _Walker(defects).visit(msg, found, depth=0)
    return found


class _Walker:
    def __init__(self, defects: _Defects) -> None:
        self._defects = defects
        self._parts_left = _MAX_PARTS

    def visit(self, part: Message, found: _Found, *, depth: int) -> None:
        for defect in part.defects:
            self._defects.add(f"mime: {type(defect).__name__}")
        if depth > _MAX_DEPTH or self._parts_left <= 0:
            self._defects.add("mime: nested too deeply" if depth > _MAX_DEPTH else "mime: too many parts")
            return
        self._parts_left -= 1
        self._defects.attempt("part", lambda: self._visit_part(part, found, depth=depth), None)

    def _visit_part(self, part: Message, found: _Found, *, depth: int) -> None:
        content_type = part.get_content_type()  # parsed once: header parsing is most of the cost
        if content_type.startswith("message/") or not part.is_multipart():
            self._visit_leaf(part, content_type, found)
        elif content_type == "multipart/alternative":
            self._visit_alternative(_children(part), found, depth=depth)
        else:
            for child in _children(part):
                self.visit(child, found, depth=depth + 1)

    def _visit_alternative(self, children: list[Message], found: _Found, *, depth: int) -> None:
        """One alternative gives the text: the first plain-text one that is not blank (some senders
        leave it empty), else the last one with text (the sender's preferred, per RFC 2046). Inline
        images of every alternative are kept as attachments."""
        options: list[list[tuple[str, str]]] = []
        for child in children:
            option = _Found()
            self.visit(child, option, depth=depth + 1)
            found.attachments.extend(option.attachments)
            if any(text.strip() for _, text in option.chunks):
                options.append(option.chunks)
        plain = (chunks for chunks in options if all(subtype == "plain" for subtype, _ in chunks))
        found.chunks.extend(next(plain, options[-1] if options else []))

    def _visit_leaf(self, part: Message, content_type: str, found: _Found) -> None:
        filename = part.get_filename()
        # Attachments are what the sender attached, plus named non-text parts (inline images) that
        # clients show in the body; a named text/plain part inline is body text (Apple Mail, lists).
        if part.get_content_disposition() == "attachment" or (filename and content_type not in _BODY_TYPES):
            content = _content(part)
            found.attachments.append(
                Attachment(_safe_filename(filename), content_type, len(content), content)
            )
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


def _text(part: Message, defects: _Defects) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    if len(data) > _MAX_PART_BYTES:
        data = data[:_MAX_PART_BYTES]
        defects.add("body_truncated")
    return _decode(data, part.get_content_charset(), defects)


def _decode(data: bytes, charset: str | None, defects: _Defects) -> str:
    """Text of a body part. Mail that declares no charset (or ASCII) but has 8-bit bytes is nearly
    always UTF-8, else Windows-1252; ISO-8859-1 is read as its superset Windows-1252, as browsers
    do, because that is what the sending clients actually write (curly quotes, €)."""
    label = (charset or "us-ascii").strip().lower()
    if label in ("us-ascii", "ascii"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("windows-1252", "replace")
    if label in ("iso-8859-1", "iso8859-1", "latin1", "latin-1"):
        label = "windows-1252"
    try:
        return data.decode(label, "replace")
    except (LookupError, ValueError):  # unknown or non-text codec (e.g. "base64", "idna")
        defects.add(f"charset: unknown {_one_line(label)[:40]!r}")
        return data.decode("utf-8", "replace")


# ------------------------------------------------------------------------------------ cleaning
def _without_surrogates(text: str) -> str:
    """Raw 8-bit bytes in headers reach us as surrogate escapes: read them as UTF-8 (what such mail
    nearly always is). Surrogates of any other origin become U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def _one_line(text: str) -> str:
    """White space collapsed, control characters (and lone surrogates) removed."""
    return one_line(_without_surrogates(text), controls="drop")


def _tidy_body(text: str) -> str:
    text = _without_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (line.rstrip() for line in _BODY_CONTROL.sub("", text).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _safe_filename(name: str | None) -> str:
    """A name safe to show and to store: no directories, no control or bidi characters (which can
    make "exe.pdf" out of "fdp.exe"), at most MAX_FILENAME characters with the extension kept."""
    text = "".join(char for char in _one_line(name or "") if unicodedata.category(char) != "Cf")
    text = re.split(r"[/\\]", text)[-1].strip().rstrip(". ")
    if not text:
        return "attachment"
    if len(text) <= MAX_FILENAME:
        return text
    stem, dot, extension = text.rpartition(".")
    if dot and stem and len(extension) <= 16:
        return f"{stem[: MAX_FILENAME - len(extension) - 1]}.{extension}"
    return text[:MAX_FILENAME]
