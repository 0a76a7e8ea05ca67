# ruff: noqa: RUF001  # customers write typographic dashes and quotes, and full-width digits are a test case
"""Inbound mail parsing: real-looking mail from the clients customers use, checked for what a support
operator should see, plus a property test that no sequence of bytes makes the parser raise."""

from __future__ import annotations

import base64
import email
import email.policy
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.mail.parse import (
    LOOP_HEADER,
    MAX_FILENAME,
    MAX_TEXT,
    REPLY_ABOVE_MARKER,
    Attachment,
    ParsedMail,
    parse_message,
    ticket_id_in_subject,
)

FIXTURES = Path(__file__).parent / "fixtures"
OUR_DOMAIN = "soporte.netz0.example"
REPLY_TO = "soporte+NZ-48213907.k3j5w2q9d8x4m6ta@soporte.netz0.example"
ROOT_ID = "<NZ-48213907.ticket.k3j5w2q9d8x4m6ta@soporte.netz0.example>"
REPLY_ID = "<NZ-48213907.5c1e9a7b2d4f6a8c.k3j5w2q9d8x4m6ta@soporte.netz0.example>"


def raw_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture(name: str) -> ParsedMail:
    return parse_message(raw_fixture(name), our_domain=OUR_DOMAIN)


def mail(headers: str, body: str = "Hola.\n", *, extra: bytes = b"") -> ParsedMail:
    """A minimal mail from a customer with `headers` added (one per line)."""
    head = "From: Ana <ana@cliente.example>\nTo: soporte@soporte.netz0.example\nSubject: Consulta\n"
    return parse_message(f"{head}{headers}\n{body}".encode() + extra, our_domain=OUR_DOMAIN)


def without_headers(raw: bytes, *names: str) -> bytes:
    """`raw` without the top-level header fields `names` (and their folded lines)."""
    head, _, body = raw.partition(b"\n\n")
    kept: list[bytes] = []
    dropping = False
    for line in head.split(b"\n"):
        if not line[:1].isspace():
            dropping = line.split(b":")[0].decode().lower() in {name.lower() for name in names}
        if not dropping:
            kept.append(line)
    return b"\n".join(kept) + b"\n\n" + body


def names_types_sizes(attachments: tuple[Attachment, ...]) -> list[tuple[str, str, int]]:
    return [(a.filename, a.content_type, a.size) for a in attachments]


# ------------------------------------------------------------------------------ replies by client
def test_gmail_reply_in_spanish_shows_only_the_new_text() -> None:
    parsed = fixture("gmail_alternative_es.eml")

    assert parsed.text == (
        "Hola,\n\n"
        "He reiniciado el servidor como me indicasteis y sigue sin arrancar. Os copio el\n"
        "error que aparece en el panel:\n\n"
        "  nginx: [emerg] bind() to 0.0.0.0:443 failed (98: Address already in use)\n\n"
        "¿Podéis revisarlo hoy? Es nuestra tienda online.\n\n"
        "Gracias,\n"
        "Ana"
    )
    assert "escribió:" in parsed.full_text
    assert f"> {REPLY_ABOVE_MARKER}" in parsed.full_text
    assert parsed.from_name == "Ana Pérez"
    assert parsed.from_address == "ana.perez@cliente.example"
    assert parsed.recipients == (REPLY_TO, "pedro.gil@cliente.example", "soporte@soporte.netz0.example")
    assert parsed.subject == "Re: [#NZ-48213907] El servidor web no arranca tras la actualización"
    assert parsed.message_id == "<CAF3x9qK7mVn2YpL0Rz8W4tHbE1dQ5sJ6uG+oA3cN7iXf2kM9wQ@mail.gmail.com>"
    assert parsed.in_reply_to == (REPLY_ID,)
    assert parsed.references == (ROOT_ID, REPLY_ID)
    assert parsed.attachments == ()
    assert parsed.automatic is None
    assert parsed.defects == ()


def test_outlook_html_only_mail_reads_as_text_without_the_original_message() -> None:
    parsed = fixture("outlook_html_only.eml")

    assert parsed.text == (
        "Hi,\n\n"
        "The backup job for db01.example-shop.example failed again last night. Details:\n\n"
        "- Job: nightly-full\n"
        "- Error: quota exceeded on volume /backup\n"
        "- Log: see the control panel (https://panel.netz0.example/backups/8841)\n\n"
        "Can you increase the quota to 200 GB? Our plan allows it according to "
        "https://www.netz0.example/plans.\n\n"
        "Best regards,\n"
        "John Miller\n"
        "IT Manager & DBA | Example Shop Ltd."
    )
    # The history is still in full_text; the <head> (title, CSS, Office XML) is nowhere.
    assert "-----Original Message-----\nFrom: Netz0 Support" in parsed.full_text
    assert REPLY_ABOVE_MARKER in parsed.full_text
    assert parsed.full_text.startswith("Hi,\n")  # not with the <title>
    for hidden in ("Cambria Math", "font-family", "shapedefaults"):
        assert hidden not in parsed.full_text
    assert parsed.automatic is None
    assert parsed.defects == ()


def test_outlook_reply_in_spanish_drops_the_header_block_and_its_rule() -> None:
    parsed = fixture("outlook_reply_es.eml")

    assert parsed.text == (
        "Buenos días,\n\n"
        "Confirmo que ya funciona el acceso FTP. Podéis cerrar la incidencia.\n\n"
        "Un saludo,\n\n"
        "Carmen Ruiz\n"
        "Administración – Distribuciones Ruiz S.L.\n"
        "Tel. 912 345 678"
    )
    assert "Enviado: martes, 24 de noviembre de 2026 18:05" in parsed.full_text
    assert ticket_id_in_subject(parsed.subject) == "NZ-48213907"


def test_apple_mail_reply_drops_the_quoted_attribution_and_history() -> None:
    parsed = fixture("apple_mail.eml")

    assert parsed.text == (
        "Thanks, that fixed it. The shop is back online.\n\n"
        "Could you also send me the invoice for November?\n\n"
        "Peter"
    )
    assert "> On Nov 24, 2026, at 18:05, Netz0 Support" in parsed.full_text
    assert parsed.in_reply_to == (REPLY_ID,)
    assert parsed.message_id == "<9C2E4F61-8B3A-4D7E-A5C1-2F0B6D8E4A17@bakery-peter.example>"


@pytest.mark.parametrize("name", ["gmail_alternative_es.eml", "outlook_reply_es.eml", "apple_mail.eml"])
def test_the_html_alternative_gives_the_same_new_text_when_the_plain_one_is_empty(name: str) -> None:
    # Some senders ship an empty text/plain alternative: the HTML one must then give the text.
    msg = email.message_from_bytes(raw_fixture(name), policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            part.set_payload("")

    from_html = parse_message(msg.as_bytes())

    assert from_html.full_text != fixture(name).full_text  # it did come from the HTML
    assert " ".join(from_html.text.split()) == " ".join(fixture(name).text.split())


# ------------------------------------------------------------------------------ charsets and headers
def test_iso_8859_1_quoted_printable_body_and_subject() -> None:
    parsed = fixture("latin1_quoted_printable.eml")

    assert parsed.subject == "Configuración del correo en el móvil"
    assert parsed.from_name == "José Ñúñez"
    assert parsed.text == (
        "Buenos días:\n\n"
        "No puedo acceder al correo desde el móvil. La contraseña es la misma que uso\n"
        "en la web. ¿Qué configuración necesito para el servidor IMAP?\n\n"
        "Un saludo,\n"
        "José Ñúñez"
    )
    assert parsed.message_id == "<000801db3f2a$4c1d2e30$e4578a90$@correo-viejo.example>"


def test_windows_1252_body_keeps_curly_quotes_and_the_euro_sign() -> None:
    parsed = fixture("windows_1252.eml")

    assert "29,95 € de noviembre" in parsed.text
    assert "pone “Renovación dominio” y también ‘Hosting Pro’… ¿Me lo" in parsed.text
    assert parsed.text.endswith("Saludos – Marta")
    assert parsed.defects == ()


def test_iso_2022_jp_subject_body_and_name() -> None:
    parsed = fixture("iso_2022_jp.eml")

    assert parsed.subject == "サーバー移行の日程について"
    assert parsed.from_name == "山田 太郎"
    assert parsed.text == (
        "ネッツゼロ サポート御中\n\n"
        "いつもお世話になっております。\n"
        "サーバー移行の日程を教えていただけますでしょうか。\n\n"
        "山田太郎"
    )


def test_rfc_2047_subject_and_names_in_b_and_q_encodings() -> None:
    parsed = fixture("encoded_headers.eml")

    # Three encoded words over three folded lines: UTF-8 B, ISO-8859-1 Q, UTF-8 Q.
    assert parsed.subject == "Migración del dominio de la bodega (cliente-españa.example) — urgente"
    assert parsed.from_name == "María José García"
    assert parsed.from_address == "mjgarcia@bodegas-garcia.example"
    assert parsed.recipients == ("soporte@soporte.netz0.example",)
    assert parsed.text == "Necesitamos migrar el dominio antes del viernes."


def test_iso_8859_1_label_is_read_as_windows_1252_as_senders_mean_it() -> None:
    body = "“Factura” de 10 €".encode("cp1252")
    parsed = mail(
        'Content-Type: text/plain; charset="iso-8859-1"\nContent-Transfer-Encoding: 8bit\n', extra=body
    )

    assert parsed.text == "Hola.\n“Factura” de 10 €"


def test_8bit_text_without_a_charset_is_read_as_utf8_else_windows_1252() -> None:
    assert mail("", extra="Contraseña olvidada".encode()).text == "Hola.\nContraseña olvidada"
    assert mail("", extra="Contraseña olvidada".encode("cp1252")).text == "Hola.\nContraseña olvidada"


def test_unknown_or_non_text_charset_falls_back_to_utf8_with_a_defect() -> None:
    for charset in ("x-no-such-charset", "base64", "idna"):
        parsed = mail(f"Content-Type: text/plain; charset={charset}\n", extra="Ñandú".encode())

        assert parsed.text == "Hola.\nÑandú"
        assert parsed.defects == (f"charset: unknown {charset!r}",)


@pytest.mark.parametrize(
    ("label", "codec", "text"),
    [
        # Each label names a narrower standard than what its senders write; browsers (the WHATWG
        # Encoding Standard) read it as the superset, and so does the parser.
        ("gb2312", "gbk", "朱镕基的邮件"),  # 镕 is GBK, not GB 2312
        ("GB_2312-80", "gb18030", "欧元符号 €"),  # € is GB18030's own 0x80
        ("ks_c_5601-1987", "cp949", "똠방각하"),  # Outlook's Korean: 똠 is Windows-949 only
        ("euc-kr", "cp949", "똠방각하"),
        ("shift_jis", "cp932", "①番の件"),  # NEC's circled digits, written by Windows
        ("tis-620", "cp874", "ราคา 10 €"),  # € is Windows-874's
        ("iso-8859-9", "cp1254", "“Fatura” 10 €"),  # Turkish, read as Windows-1254
    ],
)
def test_charset_labels_are_read_as_browsers_read_them(label: str, codec: str, text: str) -> None:
    encoded = text.encode(codec)
    parsed = mail(
        f"Content-Type: text/plain; charset={label}\nContent-Transfer-Encoding: 8bit\n", extra=encoded
    )

    assert parsed.text == f"Hola.\n{text}"
    assert parsed.defects == ()


def test_encoded_word_subjects_and_names_are_read_as_browsers_read_their_labels() -> None:
    subject = base64.b64encode("关于朱镕基的邮件".encode("gbk")).decode()
    name = base64.b64encode("朱镕基".encode("gbk")).decode()
    raw = (
        f"From: =?gb2312?B?{name}?= <zhu@cliente.example>\nTo: soporte@soporte.netz0.example\n"
        f"Subject: =?GB2312?B?{subject}?=\n\nHola\n"
    ).encode()

    parsed = parse_message(raw)

    assert (parsed.subject, parsed.from_name) == ("关于朱镕基的邮件", "朱镕基")
    assert parsed.from_address == "zhu@cliente.example"


def test_utf8_text_under_another_label_is_read_as_utf8() -> None:
    text = "你好，发票已经开了。Cañón"
    parsed = mail(
        "Content-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: 8bit\n", extra=text.encode()
    )

    assert parsed.text == f"Hola.\n{text}"


def test_seven_bit_charsets_are_not_mistaken_for_utf8() -> None:
    # ISO-2022-JP is all ASCII bytes, so valid UTF-8: a character its codec lacks must not turn the
    # whole text into escape sequences.
    text = "①番の件".encode("cp932").decode("cp932")
    encoded = "番の件".encode("iso2022_jp")
    parsed = mail("Content-Type: text/plain; charset=iso-2022-jp\n", extra=b"\x1b$B-!\x1b(B" + encoded)

    assert parsed.text == f"Hola.\n\ufffd{text[1:]}"


def test_raw_8bit_headers_that_are_not_utf8_are_read_as_windows_1252() -> None:
    raw = "From: Conceição <ana@cliente.example>\nSubject: Formação – Verão\n\nHola\n".encode("cp1252")

    parsed = parse_message(raw)

    assert (parsed.subject, parsed.from_name) == ("Formação – Verão", "Conceição")


def test_encoded_words_in_two_charsets_keep_the_space_between_them() -> None:
    raw = (
        b"From: =?Windows-1252?Q?Hans_B=C4KO?= =?iso-8859-15?q?Sch=F6nland?= <hans@cliente.example>\n"
        b"Subject: =?utf-8?q?Migraci=C3=B3n_del_?= =?utf-8?q?dominio?= =?utf-8?q?s?=\n\nHola\n"
    )

    parsed = parse_message(raw)

    assert (parsed.from_name, parsed.from_address) == ("Hans BÄKO Schönland", "hans@cliente.example")
    assert parsed.subject == "Migración del dominios"  # one charset: one word split in two


def test_labels_browsers_refuse_are_still_read_when_python_knows_them() -> None:
    # WHATWG maps ISO-2022-KR and HZ to "replacement" (a defence for web pages); in mail they are text.
    for label, codec in (("iso-2022-kr", "iso2022_kr"), ("hz-gb-2312", "hz"), ("utf-7", "utf-7")):
        text = {"iso2022_kr": "안녕하세요", "hz": "你好", "utf-7": "Ñandú"}[codec]
        parsed = mail(f"Content-Type: text/plain; charset={label}\n", extra=text.encode(codec))

        assert parsed.text == f"Hola.\n{text}", label


def test_raw_utf8_in_headers_is_decoded() -> None:
    raw = "From: José <jose@cliente.example>\nSubject: Migración urgente\n\nHola\n".encode()

    parsed = parse_message(raw)

    assert (parsed.subject, parsed.from_name, parsed.from_address) == (
        "Migración urgente",
        "José",
        "jose@cliente.example",
    )


def test_subject_whitespace_is_collapsed_and_control_characters_removed() -> None:
    raw = b"From: a@cliente.example\nSubject: =?utf-8?q?Hola=00_=1B[31m_\tmundo=07?=\n  otra\n\n"

    assert parse_message(raw).subject == "Hola [31m mundo otra"


def test_message_ids_are_taken_from_their_angle_brackets() -> None:
    parsed = mail(
        "Message-ID: 1234.5678@legacy-mailer.example\n"
        f"In-Reply-To: {REPLY_ID} (Soporte Netz0's message of Tue, 24 Nov 2026)\n"
        f"References: <a@b.example> {ROOT_ID}\n  <a@b.example>\n"
    )

    assert parsed.message_id == "<1234.5678@legacy-mailer.example>"
    assert parsed.in_reply_to == (REPLY_ID,)
    assert parsed.references == ("<a@b.example>", ROOT_ID)


# ------------------------------------------------------------------------------ senders
def test_from_with_two_addresses_has_no_sender() -> None:
    parsed = fixture("from_two_addresses.eml")

    assert parsed.from_address is None
    assert parsed.from_name == ""
    assert parsed.defects == ("from: not exactly one valid mailbox",)
    assert parsed.text == "Necesitamos un buzon nuevo para facturacion@cliente.example."


def test_from_with_a_malformed_address_has_no_sender() -> None:
    parsed = fixture("from_malformed.eml")

    assert parsed.from_address is None
    assert parsed.defects == ("from: not exactly one valid mailbox",)
    assert parsed.text == "Hola, una consulta sobre mi factura."


def test_two_from_headers_are_refused_rather_than_picking_one() -> None:
    raw = b"From: ana@cliente.example\nFrom: ceo@netz0.example\nSubject: x\n\nHola\n"

    parsed = parse_message(raw)

    assert parsed.from_address is None
    assert parsed.defects == ("from: more than one From header",)


# ------------------------------------------------------------------------------ attachments
def test_attachments_with_inline_image_and_rfc_2231_filename() -> None:
    parsed = fixture("attachments.eml")

    assert names_types_sizes(parsed.attachments) == [
        ("captura.png", "image/png", 165),
        ("factura-2026-11.pdf", "application/pdf", 284),
        ("registro de accesos – noviembre 2026.csv", "text/csv", 92),
    ]
    png, pdf, csv = (attachment.content for attachment in parsed.attachments)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert pdf.startswith(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3")
    assert pdf.endswith(b"%%EOF\n")
    assert csv.startswith(b"fecha;ip;usuario\r\n")
    # The text/html alternative is a body, not an attachment; the text comes from text/plain.
    assert parsed.text == (
        "Hola:\n\nOs adjunto la factura, una captura del error y el registro de accesos.\n\nSaludos,\nLaura"
    )


def _attached(disposition: str, content_type: str = "application/octet-stream") -> ParsedMail:
    return mail(
        'Content-Type: multipart/mixed; boundary="b"\n',
        body=(
            "--b\nContent-Type: text/plain\n\nVer adjunto.\n"
            f"--b\nContent-Type: {content_type}\nContent-Disposition: {disposition}\n"
            "Content-Transfer-Encoding: base64\n\nAAEC\n--b--\n"
        ),
    )


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\Users\\\\ana\\\\Desktop\\\\factura.pdf"', "factura.pdf"),
        ('attachment; filename="factura\u202egpj.exe"', "facturagpj.exe"),  # RIGHT-TO-LEFT OVERRIDE
        ('attachment; filename="  tab\there .  "', "tab here"),
        ('attachment; filename=".."', "attachment"),
        ("attachment", "attachment"),
        (
            'attachment; filename="=?UTF-8?B?ZmFjdHVyYSDDsS5wZGY=?="',
            "factura ñ.pdf",
        ),  # RFC 2047, as Outlook does
        ("attachment; filename*=iso-8859-1''presupuesto%20a%F1o.pdf", "presupuesto año.pdf"),
        ('inline; filename="logo.gif"', "logo.gif"),
    ],
)
def test_attachment_filenames_are_decoded_and_sanitized(disposition: str, filename: str) -> None:
    parsed = _attached(disposition)

    assert [(a.filename, a.size, a.content) for a in parsed.attachments] == [(filename, 3, b"\x00\x01\x02")]


def test_long_attachment_filenames_keep_their_extension() -> None:
    parsed = _attached(f'attachment; filename="{"a" * 300}.pdf"')

    (attachment,) = parsed.attachments
    assert len(attachment.filename) == MAX_FILENAME
    assert attachment.filename.endswith("aaa.pdf")


def test_unnamed_inline_parts_are_not_attachments() -> None:
    assert _attached("inline", "image/png").attachments == ()


def test_a_mail_forwarded_as_attachment_is_kept_whole() -> None:
    inner = b"From: banco@banco.example\nSubject: Aviso\n\nSu recibo.\n"
    parsed = mail(
        'Content-Type: multipart/mixed; boundary="m"\n',
        body=(
            "--m\nContent-Type: text/plain\n\nOs reenvío el aviso.\n"
            '--m\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="Aviso.eml"\n\n'
            f"{inner.decode()}--m--\n"
        ),
    )

    (attachment,) = parsed.attachments
    assert (attachment.filename, attachment.content_type) == ("Aviso.eml", "message/rfc822")
    assert b"Subject: Aviso" in attachment.content
    assert b"Su recibo." in attachment.content
    assert parsed.text == "Os reenvío el aviso."  # the forwarded message's text stays in the file


# ------------------------------------------------------------------------------ automatic mail
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("out_of_office_es.eml", "auto_submitted"),
        ("bounce_delivery_status.eml", "auto_submitted"),
        ("read_receipt_mdn.eml", "delivery_report"),
        ("our_own_redirected.eml", "our_own"),
        ("mailing_list.eml", "mailing_list"),
        ("gmail_alternative_es.eml", None),
        ("outlook_html_only.eml", None),
        ("outlook_reply_es.eml", None),
        ("apple_mail.eml", None),
        ("attachments.eml", None),
    ],
)
def test_automatic_mail_is_recognized(name: str, reason: str | None) -> None:
    assert fixture(name).automatic == reason


def test_out_of_office_reply_still_reads_normally() -> None:
    parsed = fixture("out_of_office_es.eml")

    assert parsed.subject == "Fuera de la oficina: [#NZ-48213907] No puedo entrar por FTP"
    assert parsed.text.startswith("Estoy fuera de la oficina hasta el 1 de diciembre")
    assert parsed.in_reply_to == (REPLY_ID,)


def test_bounce_reasons_in_order_as_headers_are_taken_away() -> None:
    raw = raw_fixture("bounce_delivery_status.eml")
    steps = [
        ((), "auto_submitted"),
        (("Auto-Submitted",), "bounce"),  # From MAILER-DAEMON, Return-Path: <>
        (("Auto-Submitted", "From"), "bounce"),  # Return-Path: <>
        (("Auto-Submitted", "From", "Return-Path"), "delivery_report"),  # multipart/report
    ]
    for removed, reason in steps:
        assert parse_message(without_headers(raw, *removed)).automatic == reason, removed


def test_bounce_shows_the_notice_and_does_not_attach_the_returned_message() -> None:
    parsed = fixture("bounce_delivery_status.eml")

    assert parsed.text.startswith("This is the mail system at host mx1.cliente-antiguo.example.")
    assert parsed.text.endswith("<antonio@cliente-antiguo.example>: mailbox unavailable: user unknown")
    assert parsed.attachments == ()
    assert "Hemos recibido su solicitud" not in parsed.full_text


def test_our_own_mail_is_recognized_by_loop_header_or_by_message_id_domain() -> None:
    raw = raw_fixture("our_own_redirected.eml")
    no_loop_header = without_headers(raw, LOOP_HEADER)

    assert parse_message(raw).automatic == "our_own"
    assert parse_message(no_loop_header, our_domain="SOPORTE.netz0.example").automatic == "our_own"
    assert parse_message(no_loop_header).automatic is None
    assert parse_message(no_loop_header, our_domain="netz0.example").automatic is None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-generated", "auto_submitted"),
        ("Auto-Submitted: auto-replied; owner-email=ana@cliente.example", "auto_submitted"),
        ("Auto-Submitted: No", None),
        ("Precedence: bulk", "precedence"),
        ("Precedence: auto_reply", "precedence"),
        ("X-Precedence: junk", "precedence"),
        ("Precedence: first-class", None),
        ("X-Autoreply: yes", "autoreply_header"),
        ("X-Autorespond: Vacation", "autoreply_header"),
        ("X-Autoresponse: 1", "autoreply_header"),
        ("X-Mail-Autoreply: yes", "autoreply_header"),
        # Exchange sets it on person-written mail too: not a sign of automatic mail on its own.
        ("X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply", None),
        ("X-Auto-Response-Suppress: None", None),
        ("X-AMAZON-MAIL-RELAY-TYPE: NOTIFICATION", "autoreply_header"),
        ("X-AMAZON-MAIL-RELAY-TYPE: other", None),
        ("List-Id: <clientes.lists.cliente.example>", "mailing_list"),
        ("List-Unsubscribe: <mailto:leave@lists.cliente.example>", "mailing_list"),
        ("Return-Path: <>", "bounce"),
        ("Return-Path: <ana@cliente.example>", None),
        ("X-Failed-Recipients: pedro@cliente.example", "bounce"),
        (f"{LOOP_HEADER}: notification", "our_own"),
        ("Message-ID: <NZ-00000001.x.y@soporte.netz0.example>", "our_own"),
        ("Precedence: list\nList-Id: <a.b.example>\nAuto-Submitted: auto-generated", "auto_submitted"),
    ],
)
def test_automatic_reason_codes(headers: str, reason: str | None) -> None:
    assert mail(headers).automatic == reason


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.cliente.example",
        "Mail Delivery System <Mailer-Daemon@mx.cliente.example>",
        "postmaster@x.example",
    ],
)
def test_bounces_are_recognized_by_sender(sender: str) -> None:
    raw = f"From: {sender}\nSubject: Undeliverable\n\nx\n".encode()

    assert parse_message(raw).automatic == "bounce"


def test_a_person_named_postmaster_is_not_a_bounce() -> None:
    raw = b'From: "postmaster" <ana@cliente.example>\nSubject: x\n\nx\n'

    assert parse_message(raw).automatic is None


# ------------------------------------------------------------------------------ MIME structure
OUTLOOK_BOUNDARY = "----=_NextPart_000_0093_01C81419.EB75E850"


@pytest.mark.parametrize(
    "boundary_parameter",
    [
        f"boundary={OUTLOOK_BOUNDARY}",  # Outlook Express, unquoted although "=" needs quotes
        f"boundary={OUTLOOK_BOUNDARY}; charset=us-ascii",
        f"BOUNDARY = {OUTLOOK_BOUNDARY}",
        "boundary=Apple-Mail=_1F4B5C7E-8A2D-4E1B-9C3F-2A6B8D0E4F71",
        "boundary=_=_?(a:b),/c",  # every tspecial RFC 2046 allows in a boundary
    ],
)
def test_unquoted_boundaries_with_special_characters_keep_the_text(boundary_parameter: str) -> None:
    boundary = boundary_parameter.split("=", 1)[1].strip().split(";")[0]
    parsed = mail(
        f"MIME-Version: 1.0\nContent-Type: multipart/alternative; {boundary_parameter}\n",
        body=(
            f"This is a multi-part message in MIME format.\n\n--{boundary}\n"
            "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
            "El correo no me llega desde ayer, =BFpod=E9is mirarlo?\n\n"
            f"--{boundary}\nContent-Type: text/html; charset=iso-8859-1\n\n<p>El correo no me llega</p>\n"
            f"--{boundary}--\n"
        ),
    )

    assert parsed.text == "El correo no me llega desde ayer, ¿podéis mirarlo?"
    assert not any(defect.startswith("mime:") for defect in parsed.defects)


def test_a_quoted_boundary_is_read_as_written() -> None:
    boundary = "b=1; not a parameter"
    parsed = mail(
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n',
        body=f"--{boundary}\nContent-Type: text/plain\n\nHola desde dentro.\n--{boundary}--\n",
    )

    assert parsed.text == "Hola desde dentro."


# ------------------------------------------------------------------------------ body selection and limits
def test_plain_text_is_preferred_over_html() -> None:
    parsed = mail(
        'Content-Type: multipart/alternative; boundary="alt"\n',
        body=(
            "--alt\nContent-Type: text/plain; charset=utf-8\n\nTexto plano.\n"
            "--alt\nContent-Type: text/html; charset=utf-8\n\n<p>Texto <b>HTML</b>.</p>\n--alt--\n"
        ),
    )

    assert parsed.text == "Texto plano."


def test_text_parts_around_an_inline_image_are_all_kept() -> None:
    parsed = mail(
        'Content-Type: multipart/mixed; boundary="m"\n',
        body=(
            "--m\nContent-Type: text/plain\n\nAntes de la imagen.\n"
            '--m\nContent-Type: image/png; name="a.png"\nContent-Disposition: inline; filename="a.png"\n'
            "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
            "--m\nContent-Type: text/plain\n\nDespués de la imagen.\n--m--\n"
        ),
    )

    assert parsed.text == "Antes de la imagen.\n\nDespués de la imagen."
    assert names_types_sizes(parsed.attachments) == [("a.png", "image/png", 8)]


def test_long_text_is_truncated_to_the_api_limit() -> None:
    parsed = mail("", body="x" * (MAX_TEXT + 500))

    assert len(parsed.text) == MAX_TEXT
    assert len(parsed.full_text) == MAX_TEXT + 500
    assert parsed.defects == ("text_truncated",)


def test_mail_that_is_only_quoted_history_keeps_it() -> None:
    parsed = mail("", body=f"> {REPLY_ABOVE_MARKER}\n> Hola, Ana:\n")

    assert parsed.text == f"> {REPLY_ABOVE_MARKER}\n> Hola, Ana:"


@pytest.mark.parametrize("subject", ["Fwd: Factura", "RV: Factura", "Re: FW: Factura"])
def test_forwarded_mail_keeps_what_is_forwarded(subject: str) -> None:
    body = (
        "Os reenvío la factura que nos llegó.\n\n"
        "De: Proveedor <facturas@proveedor.example>\n"
        "Enviado: lunes, 23 de noviembre de 2026 9:00\n"
        "Para: Ana <ana@cliente.example>\n"
        "Asunto: Factura 2026-11\n\n"
        "> Importe: 120 €\n"
    )
    raw = f"From: ana@cliente.example\nSubject: {subject}\n\n{body}".encode()

    assert parse_message(raw).text == body.strip()


def test_crlf_line_endings_as_stored_by_ses_parse_the_same() -> None:
    for path in sorted(FIXTURES.glob("*.eml")):
        raw = path.read_bytes()
        assert parse_message(raw.replace(b"\n", b"\r\n"), our_domain=OUR_DOMAIN) == fixture(path.name), (
            path.name
        )


def test_a_failure_inside_the_parser_still_returns_a_parsed_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> ParsedMail:
        raise RuntimeError("a bug")

    monkeypatch.setattr("helpdesk.mail.parse._parse", broken)

    parsed = parse_message(raw_fixture("gmail_alternative_es.eml"))

    assert (parsed.from_address, parsed.text, parsed.automatic) == (None, "", None)
    assert parsed.defects == ("unparseable: RuntimeError",)


def test_deeply_nested_multiparts_keep_the_headers() -> None:
    nested = b"".join(
        b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (n, n + 1) for n in range(5000)
    )
    raw = (
        b"From: ana@cliente.example\nSubject: Anidado\nContent-Type: multipart/mixed; boundary=b0\n\n"
        + nested
    )

    parsed = parse_message(raw)

    assert (parsed.from_address, parsed.subject, parsed.text) == ("ana@cliente.example", "Anidado", "")
    assert "mime: nested too deeply" in parsed.defects


# ------------------------------------------------------------------------------ ticket IDs in subjects
@pytest.mark.parametrize(
    ("subject", "ticket_id"),
    [
        ("Re: [#NZ-12345678] El servidor no arranca", "NZ-12345678"),
        ("RE: NZ-12345678", "NZ-12345678"),
        ("Consulta #NZ12345678 pendiente", "NZ-12345678"),
        ("re: [#nz-00001234]", "NZ-00001234"),
        ("[#NZ-11111111] y también NZ-22222222", "NZ-11111111"),
        ("NZ-12345678: factura", "NZ-12345678"),
        ("Factura 12345678", None),  # bare digits: an invoice or a phone number
        ("[#12345678]", None),
        ("NZ-1234567", None),  # seven digits
        ("NZ-123456789", None),  # nine digits
        ("ABCNZ-12345678", None),
        ("NZ-１２３４５６７８", None),  # full-width digits
        ("NZ 12345678", None),
        ("", None),
    ],
)
def test_ticket_id_in_subject(subject: str, ticket_id: str | None) -> None:
    assert ticket_id_in_subject(subject) == ticket_id


# ------------------------------------------------------------------------------ never raises
FIXTURE_BYTES = [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]
# Pieces of MIME syntax, so that random input reaches the parser's less travelled paths.
MIME_TOKENS = [
    b"\n",
    b"\r\n",
    b"\n\n",
    b"From: ",
    b"To: ",
    b"Subject: ",
    b"Message-ID: <a@b.example>",
    b"Content-Type: multipart/mixed; boundary=b\n",
    b"Content-Type: multipart/alternative; boundary=b\n",
    b"Content-Type: message/rfc822\n",
    b"Content-Type: text/html; charset=iso-2022-jp\n",
    b"Content-Type: text/plain; charset=utf-7\n",
    b"Content-Disposition: attachment; filename*0*=utf-8''%E2%80; filename*1=x\n",
    b"Content-Transfer-Encoding: base64\n",
    b"Content-Transfer-Encoding: quoted-printable\n",
    b"--b\n",
    b"--b--\n",
    b"=?utf-8?b?w6k=?=",
    b"=?iso-8859-1?q?=E9?=",
    b"=?x-unknown?q?=FF?=",
    b"<![ x",
    b"<p>",
    b"<blockquote>",
    b"<a href='mailto:x'>",
    b"&amp;&#0;&#xD800;",
    b"> ",
    b"On 1 Jan 2026, Ana <a@b> wrote:",
    REPLY_ABOVE_MARKER.encode(),
    b"\x00",
    b"\xff\xfe",
    b"\xe9",
]


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FIXTURE_BYTES)))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and data:
            data[position] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16) | st.sampled_from(MIME_TOKENS))
        elif action == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=64))]
        else:
            del data[position:]
    return bytes(data)


mime_soup = st.lists(st.sampled_from(MIME_TOKENS) | st.binary(max_size=12), max_size=60).map(b"".join)
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def assert_well_formed(parsed: ParsedMail) -> None:
    # The last-resort guard in parse_message must not be what saved us.
    assert not any(defect.startswith("unparseable") for defect in parsed.defects)
    texts = [parsed.from_name, parsed.subject, parsed.text, parsed.full_text, *parsed.defects]
    texts += [*parsed.recipients, *parsed.in_reply_to, *parsed.references]
    texts += [a.filename for a in parsed.attachments] + [a.content_type for a in parsed.attachments]
    for text in texts:
        assert isinstance(text, str)
        text.encode("utf-8")  # no lone surrogates: the text can be stored and sent on
    for one_line in (parsed.subject, parsed.from_name):
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", one_line)
    assert len(parsed.text) <= MAX_TEXT
    assert parsed.message_id is None or re.fullmatch(r"<[!-;=?-~]+>", parsed.message_id)
    for attachment in parsed.attachments:
        assert isinstance(attachment.content, bytes)
        assert attachment.size == len(attachment.content)
        assert 0 < len(attachment.filename) <= MAX_FILENAME
        assert not set(attachment.filename) & {"/", "\\", "\x00"}


@PROPERTY_SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert_well_formed(parse_message(raw, our_domain=OUR_DOMAIN))


@PROPERTY_SETTINGS
@given(mutated_fixtures())
def test_damaged_real_mail_never_raises(raw: bytes) -> None:
    assert_well_formed(parse_message(raw, our_domain=OUR_DOMAIN))


@PROPERTY_SETTINGS
@given(mime_soup)
def test_mime_like_garbage_never_raises(raw: bytes) -> None:
    assert_well_formed(parse_message(raw, our_domain=OUR_DOMAIN))
