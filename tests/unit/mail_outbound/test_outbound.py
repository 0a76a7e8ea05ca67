"""Notification e-mails: composed, serialized and parsed back the way a mail client would read them."""

from __future__ import annotations

import email
import email.policy
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest

from helpdesk.domain.models import Channel, Message, Role, Ticket
from helpdesk.domain.status_machine import Status
from helpdesk.mail.catalog import CATALOGS
from helpdesk.mail.compose import (
    LOOP_HEADER,
    MailIdentity,
    Notification,
    NotificationKind,
    compose,
    thread_root_id,
)
from helpdesk.mail.quoting import REPLY_ABOVE_MARKERS
from helpdesk.mail.signing import MailSigner

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SIGNER = MailSigner(b"a-test-secret-of-32-bytes-length", "soporte.netz0.example")
IDENTITY = MailIdentity(SIGNER, "soporte@soporte.netz0.example", "Netz0")
TICKET = Ticket(
    id="NZ-12345678",
    status=Status.OPEN,
    department="tecnico",
    subject="No puedo acceder al panel",
    account_id="acct-1001",
    created_at=NOW,
    updated_at=NOW,
    version=1,
)
FIRST = Message(
    "m1", TICKET.id, Role.CUSTOMER, "Ana", "Hola:\nEl panel da error 500.", Channel.EMAIL, False, NOW
)
REPLY = Message(
    "m2", TICKET.id, Role.OPERATOR, "Luis", "Ya está corregido.\nSaludos.", Channel.WEB, False, NOW
)
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(1)> "quotes" & <b>'
ALL_KINDS = list(NotificationKind)


def notification(kind: NotificationKind, **changes: object) -> Notification:
    message = {NotificationKind.RECEIPT: FIRST, NotificationKind.OPERATOR_REPLY: REPLY}.get(kind)
    closes = NOW + timedelta(hours=24) if kind is NotificationKind.AUTO_CLOSE_REMINDER else None
    base = Notification(
        kind, TICKET, "Soporte técnico", ("ana@cliente.example",), message=message, closes_at=closes
    )
    return replace(base, **changes)


def sent(
    note: Notification, identity: MailIdentity = IDENTITY, unique: str = "m9"
) -> tuple[EmailMessage, bytes]:
    """Compose, serialize as SES would send it, and parse back as the recipient would read it."""
    raw = compose(note, identity, department_mailbox="soporte", unique=unique, now=NOW).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed, raw


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain, markup = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None
    assert markup is not None
    for part in (plain, markup):
        assert part.get_content_charset() == "utf-8"
    # MIME text travels with CRLF line ends: compare with what the author typed
    return plain.get_content().replace("\r\n", "\n"), markup.get_content().replace("\r\n", "\n")


# ----------------------------------------------------------------------------------------- catalogue
def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_catalogues_have_the_same_keys_and_placeholders():
    es, en = CATALOGS["es"], CATALOGS["en"]
    assert es.keys() == en.keys()
    for key in es:
        assert placeholders(es[key]) == placeholders(en[key]), key


def test_spanish_status_names_are_the_ones_the_website_shows():
    for status in Status:
        assert CATALOGS["es"][f"status_{status.value}"] == status.label


# ------------------------------------------------------------------------------------------- headers
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_headers_per_kind(kind):
    msg, raw = sent(notification(kind))
    root = thread_root_id(SIGNER, TICKET.id)
    assert root == SIGNER.message_id(TICKET.id, "ticket")

    assert msg["Subject"] == "[#NZ-12345678] No puedo acceder al panel"
    assert msg["From"].addresses[0].addr_spec == "soporte@soporte.netz0.example"
    assert msg["From"].addresses[0].display_name == "Netz0"
    assert [a.addr_spec for a in msg["To"].addresses] == ["ana@cliente.example"]
    assert msg["Date"].datetime == NOW
    assert SIGNER.ticket_from_reply_address(msg["Reply-To"].addresses[0].addr_spec) == TICKET.id
    assert SIGNER.ticket_from_message_id(msg["Message-ID"]) == TICKET.id
    if kind is NotificationKind.RECEIPT:
        assert msg["Message-ID"] == root  # the receipt is the thread's root
        assert msg["In-Reply-To"] is None
        assert msg["References"] is None
    else:
        assert msg["Message-ID"] == SIGNER.message_id(TICKET.id, "m9") != root
        assert msg["In-Reply-To"] == root
        assert msg["References"] == root
        assert SIGNER.ticket_from_message_id(msg["In-Reply-To"]) == TICKET.id
    assert msg[LOOP_HEADER] == "notification"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Content-Language"] == "es"
    assert msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "multipart/alternative"
    if kind is NotificationKind.OPERATOR_REPLY:  # a person wrote it: robots may answer
        assert msg["Auto-Submitted"] is None
        assert msg["Precedence"] is None
    else:
        assert msg["Auto-Submitted"] == "auto-replied"
        assert msg["Precedence"] == "auto_reply"
    raw.decode("ascii")  # 7-bit clean for any relay
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only, as SMTP wants


def test_a_receipt_for_a_mail_threads_under_the_customers_message():
    msg, _ = sent(notification(NotificationKind.RECEIPT, customer_message_id=" <CAF00@mail.example> "))
    assert msg["Message-ID"] == thread_root_id(SIGNER, TICKET.id)
    assert msg["In-Reply-To"] == msg["References"] == "<CAF00@mail.example>"
    odd, _ = sent(notification(NotificationKind.RECEIPT, customer_message_id="<x>\r\nBcc: evil@x.example"))
    assert odd["In-Reply-To"] is None
    assert odd["Bcc"] is None


def test_recipients_are_normalized_and_deduplicated():
    note = notification(
        NotificationKind.CLOSED, recipients=("ana@Cliente.EXAMPLE", "ana@cliente.example", "b@otro.example")
    )
    msg, _ = sent(note)
    assert [a.addr_spec for a in msg["To"].addresses] == ["ana@cliente.example", "b@otro.example"]


def test_newline_injection_in_the_subject_adds_no_header():
    msg, raw = sent(
        notification(NotificationKind.RECEIPT, ticket=replace(TICKET, subject="hola\r\nBcc: evil@x.example"))
    )
    assert msg["Bcc"] is None
    assert b"\r\nBcc:" not in raw
    assert msg["Subject"] == "[#NZ-12345678] hola Bcc: evil@x.example"


def test_encoded_word_syntax_typed_in_a_subject_stays_literal():
    typed = "=?utf-8?q?hola=0D=0ABcc:_evil@x.example?="
    msg, _ = sent(notification(NotificationKind.CLOSED, ticket=replace(TICKET, subject=typed)))
    assert msg["Bcc"] is None
    assert "\r" not in msg["Subject"]
    assert "\n" not in msg["Subject"]
    assert msg["Subject"].replace("\u2060", "") == f"[#NZ-12345678] {typed}"


def test_long_non_ascii_subjects_fold_and_round_trip():
    subject = "Migración del dominio ñandú.example — " * 6 + "😀 urgente"
    msg, raw = sent(notification(NotificationKind.OPERATOR_REPLY, ticket=replace(TICKET, subject=subject)))
    assert msg["Subject"] == f"[#NZ-12345678] {subject.strip()}"
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    assert b"Subject: [#NZ-12345678] " in head  # the tag stays readable even in the raw header


def test_empty_subject_still_carries_the_ticket_tag():
    msg, _ = sent(notification(NotificationKind.RECEIPT, ticket=replace(TICKET, subject=" \r\n ")))
    assert msg["Subject"] == "[#NZ-12345678] (sin asunto)"


@pytest.mark.parametrize("name", ["Netz0 Atención al Cliente", "Soporte «Ñandú», Netz0 (24/7)", "Ünïcødé 😀"])
def test_non_ascii_display_names(name):
    msg, raw = sent(notification(NotificationKind.CLOSED), replace(IDENTITY, from_name=name))
    raw.decode("ascii")
    (sender,) = msg["From"].addresses
    assert sender.display_name == name
    assert sender.addr_spec == "soporte@soporte.netz0.example"


# ---------------------------------------------------------------------------------------------- bodies
def test_spanish_receipt():
    plain, markup = parts(sent(notification(NotificationKind.RECEIPT))[0])
    assert plain.startswith(REPLY_ABOVE_MARKERS["es"] + "\n")
    assert "Hemos recibido su consulta. Su número de ticket es NZ-12345678" in plain
    assert "Departamento: Soporte técnico" in plain
    assert "Estado: Abierto" in plain
    assert FIRST.body in plain  # quoted as sent
    assert "Referencia del ticket: NZ-12345678" in plain
    assert markup.index(REPLY_ABOVE_MARKERS["es"]) < markup.index("Hemos recibido")
    assert "Hola:<br>El panel da error 500.</blockquote>" in markup
    assert "<strong>Abierto</strong>" in markup


def test_spanish_operator_reply():
    plain, markup = parts(sent(notification(NotificationKind.OPERATOR_REPLY))[0])
    assert plain.startswith(REPLY_ABOVE_MARKERS["es"])
    assert "Luis · Soporte técnico le ha respondido:" in plain  # never the address
    assert REPLY.body in plain
    assert "Estado: Espera" in plain
    assert "responda a este correo escribiendo su respuesta por encima de la línea" in plain
    assert "área de clientes de nuestra web" in plain
    assert (
        "Si no recibimos respuesta en 72 horas, el ticket se cerrará automáticamente como resuelto." in plain
    )
    assert "Si no recibimos respuesta en 72 horas" in markup


def test_the_auto_close_hours_come_from_the_notification():
    plain, _ = parts(sent(notification(NotificationKind.OPERATOR_REPLY, auto_close_hours=48))[0])
    assert "Si no recibimos respuesta en 48 horas" in plain
    plain, _ = parts(sent(notification(NotificationKind.AUTO_CLOSED, auto_close_hours=48))[0])
    assert "no hemos recibido respuesta suya en 48 horas" in plain


@pytest.mark.parametrize(
    ("kind", "intro"),
    [
        (NotificationKind.AUTO_CLOSED, "se ha cerrado automáticamente como resuelto"),
        (NotificationKind.CLOSED, "Le confirmamos que su ticket NZ-12345678 ha quedado cerrado."),
    ],
)
def test_closing_notices_say_how_to_reopen(kind, intro):
    plain, _ = parts(sent(notification(kind))[0])
    assert intro in plain
    assert "Estado: Cerrado" in plain
    assert "responda a este correo y el ticket se volverá a abrir" in plain
    assert "reabrirlo desde el área de clientes" in plain


def test_english_when_asked():
    msg, _ = sent(notification(NotificationKind.OPERATOR_REPLY, language="en"))
    assert msg["Content-Language"] == "en"
    plain, markup = parts(msg)
    assert plain.startswith(REPLY_ABOVE_MARKERS["en"] + "\n")
    assert "Status: Waiting for your reply\n" in plain  # the portal speaks English too: no "(Espera)"
    assert "Espera" not in plain
    assert "If we do not hear from you within 72 hours" in plain
    assert "Luis · Soporte técnico replied:" in plain
    assert '<html lang="en">' in markup
    receipt, _ = parts(sent(notification(NotificationKind.RECEIPT, language="en-GB"))[0])
    assert "We have received your request. Your ticket number is NZ-12345678" in receipt


@pytest.mark.parametrize("language", ["fr", "", "xx-YY"])
def test_other_languages_get_spanish(language):
    msg, _ = sent(notification(NotificationKind.RECEIPT, language=language))
    assert msg["Content-Language"] == "es"
    assert "Hemos recibido su consulta" in parts(msg)[0]


@pytest.mark.parametrize(
    "portal",
    [
        "https://www.netz0.example/soporte/",
        "https://www.netz0.example/soporte",
        "https://www.netz0.example/soporte/#/x",
    ],
)
def test_every_mail_links_to_the_ticket_on_the_portal(portal):
    link = "https://www.netz0.example/soporte/#/tickets/NZ-12345678"  # the portal's hash route
    identity = replace(IDENTITY, portal_url=portal)
    for kind in ALL_KINDS:
        plain, markup = parts(sent(notification(kind), identity)[0])
        assert link in plain
        assert f'<a href="{link}"' in markup


@pytest.mark.parametrize("kind", [NotificationKind.AUTO_CLOSED, NotificationKind.CLOSED])
def test_closing_mails_quote_nothing(kind):
    """What closed the ticket is said in the reader's language, never quoted from the thread."""
    with pytest.raises(ValueError, match="quotes no message"):
        notification(kind, message=REPLY)


def test_portal_url_must_be_http():
    with pytest.raises(ValueError, match="http"):
        MailIdentity(SIGNER, "soporte@soporte.netz0.example", portal_url="javascript:alert(1)")


# -------------------------------------------------------------------------------------------- escaping
HTML_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "body",
    "p",
    "br",
    "table",
    "tr",
    "td",
    "strong",
    "blockquote",
    "a",
    "hr",
}


class Tags(HTMLParser):
    """Every tag and attribute a browser would build from the HTML part."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


@pytest.mark.parametrize("kind", [NotificationKind.RECEIPT, NotificationKind.OPERATOR_REPLY])
def test_user_text_is_escaped_in_html_and_verbatim_in_plain(kind):
    ticket = replace(TICKET, subject=HOSTILE)
    message = replace(
        FIRST if kind is NotificationKind.RECEIPT else REPLY, body=f"{HOSTILE}\nline 2", author=HOSTILE
    )
    note = notification(kind, ticket=ticket, message=message, department_name=HOSTILE)
    msg, _ = sent(note, replace(IDENTITY, from_name=HOSTILE))
    assert msg["From"].addresses[0].display_name == HOSTILE
    assert msg["Subject"] == f"[#NZ-12345678] {HOSTILE}"
    plain, markup = parts(msg)

    lowered = markup.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<b>" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in markup
    assert "&quot;quotes&quot; &amp; &lt;b&gt;" in markup
    tags = Tags()
    tags.feed(markup)
    assert tags.tags <= HTML_TAGS
    assert not any(name.startswith("on") for name in tags.attributes)  # no onerror= in any tag
    assert tags.attributes <= {"lang", "charset", "style", "role", "href"}

    assert f"{HOSTILE}\nline 2" in plain
    assert f"Asunto: {HOSTILE}" in plain
    assert f"Departamento: {HOSTILE}" in plain
    if kind is NotificationKind.OPERATOR_REPLY:
        assert f"{HOSTILE} le ha respondido:" in plain


def test_html_has_no_external_resources():
    _, markup = parts(sent(notification(NotificationKind.OPERATOR_REPLY))[0])
    for needle in ("src=", "<link", "url(", "@import", "<script"):
        assert needle not in markup.lower()


# ----------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "changes",
    [
        {"message": replace(REPLY, internal=True)},  # internal notes never reach customers
        {"message": None},
        {"message": FIRST},  # a customer's message is not an operator reply
        {"message": replace(REPLY, ticket_id="NZ-87654321")},
        {"recipients": ()},
        {"recipients": ("ana@cliente.example\r\nBcc: evil@x.example",)},
        {"recipients": ("Ana <ana@cliente.example>",)},
        {"ticket": replace(TICKET, id="NZ-1234\r\nBcc: x")},
        {"auto_close_hours": 0},
    ],
)
def test_refused_notifications(changes):
    with pytest.raises(ValueError):  # noqa: PT011 - the point is that nothing gets composed
        notification(NotificationKind.OPERATOR_REPLY, **changes)


@pytest.mark.parametrize(
    ("mailbox", "unique", "now"),
    [
        ("soporte", "a.b", NOW),  # would break the signed Message-ID apart
        ("soporte", "ticket", NOW),  # the thread root's own part
        ("soporte", "x>\r\nBcc: y", NOW),
        ("soporte+x", "m9", NOW),
        ("soporte", "m9", NOW.replace(tzinfo=None)),
    ],
)
def test_refused_compose_arguments(mailbox, unique, now):
    with pytest.raises(ValueError):  # noqa: PT011
        compose(
            notification(NotificationKind.CLOSED),
            IDENTITY,
            department_mailbox=mailbox,
            unique=unique,
            now=now,
        )


def test_date_keeps_the_offset_it_was_given():
    madrid = NOW.astimezone(timezone(timedelta(hours=1)))
    msg = compose(
        notification(NotificationKind.CLOSED), IDENTITY, department_mailbox="soporte", unique="m9", now=madrid
    )
    assert msg["Date"].endswith("+0100")
    assert msg["Date"].datetime == NOW


@pytest.mark.parametrize("kind", [NotificationKind.AUTO_CLOSED, NotificationKind.CLOSED])
def test_close_mails_offer_one_click_rating_links(kind):
    identity = replace(IDENTITY, portal_url="https://portal.netz0.example/")
    token = SIGNER.rating_token(TICKET.id, 1796194089573)
    plain, markup = parts(sent(notification(kind, rating_token=token), identity)[0])
    base = f"https://portal.netz0.example/#/rate?token={token}"
    assert f"Bien: {base}&rating=good" in plain
    assert f"Mal: {base}&rating=bad" in plain
    assert f'<a href="{base}&amp;rating=good"' in markup
    without, _ = parts(sent(notification(kind), identity)[0])
    assert "#/rate" not in without
