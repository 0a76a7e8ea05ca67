"""Files from the web on in-memory fakes: which files a grant accepts, how a download is named
and typed, which upload ids a message may name, and the scan hold.
Bad inputs tried: names with paths, quotes, control characters and refused extensions; types
outside the allow-list (HTML, SVG, executables); empty and oversized files; another account's,
another ticket's, unfinished, duplicated and too many upload ids; an infected tag."""

from __future__ import annotations

from dataclasses import replace

import pytest

from helpdesk.domain.errors import AttachmentHeld, AttachmentRefused, InvalidValue, NotAllowed, TicketNotFound
from helpdesk.domain.files import content_disposition, download_type, previewable, uploader_of
from helpdesk.domain.models import Caller, Role
from helpdesk.services.files import FileService
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, BRUNO, LUIS, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryFileBucket, InMemoryTickets


@pytest.fixture
def bucket() -> InMemoryFileBucket:
    return InMemoryFileBucket()


@pytest.fixture
def tickets() -> TicketService:
    return TicketService(
        InMemoryTickets(), SETTINGS, ticket_ids=sequence("NZ-1000000"), message_ids=sequence("m")
    )


@pytest.fixture
def files(tickets: TicketService, bucket: InMemoryFileBucket) -> FileService:
    return FileService(tickets, lambda: bucket, SETTINGS)


def uploaded(
    files: FileService, bucket: InMemoryFileBucket, who: Caller, body: bytes = b"x" * 10, **kw: object
) -> str:
    kw.setdefault("ticket_id", None)
    kw.setdefault("name", "captura.png")
    kw.setdefault("content_type", "image/png")
    grant = files.grant(who, size=len(body), **kw)  # type: ignore[arg-type]
    bucket.post(grant.fields, body)
    return grant.upload_id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("factura.pdf", "attachment; filename=\"factura.pdf\"; filename*=UTF-8''factura.pdf"),
        (
            "captura de pantalla.png",
            "attachment; filename=\"captura de pantalla.png\"; filename*=UTF-8''captura%20de%20pantalla.png",
        ),
        ("solución.pdf", "attachment; filename=\"solucion.pdf\"; filename*=UTF-8''soluci%C3%B3n.pdf"),
        ('a"b;c.txt', "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%3Bc.txt"),
        ("../../etc/passwd", "attachment; filename=\"passwd\"; filename*=UTF-8''passwd"),
        ("C:\\Users\\x\\informe.doc", "attachment; filename=\"informe.doc\"; filename*=UTF-8''informe.doc"),
        (
            "línea\r\nSet-Cookie: x",
            "attachment; filename=\"lineaSet-Cookie_ x\"; filename*=UTF-8''l%C3%ADneaSet-Cookie%3A%20x",
        ),
        ("日本.txt", "attachment; filename=\"txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"),
    ],
)
def test_downloads_are_attachments_under_a_safe_name(name, expected):
    assert content_disposition(name) == expected


def test_what_a_browser_could_render_downloads_as_octet_stream():
    assert download_type("image/png") == "image/png"
    assert download_type("Application/PDF; name=x") == "application/pdf"
    for risky in (
        "text/html",
        "image/svg+xml",
        "application/xhtml+xml",
        "text/xml",
        "application/javascript",
        "",
    ):
        assert download_type(risky) == "application/octet-stream"
    assert [
        t
        for t in ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "image/bmp")
        if previewable(t)
    ] == ["image/png", "image/jpeg", "image/gif", "image/webp"]


def test_the_key_names_the_uploader_and_the_ticket(files, tickets):
    ticket = tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0)
    grant = files.grant(
        ANA, ticket_id=ticket.id.lower().removeprefix("nz-"), name="a.png", content_type="image/png", size=3
    )
    assert grant.fields["key"] == f"uploads/{ticket.id}/{uploader_of(ANA)}/{grant.upload_id}"
    assert uploader_of(ANA).startswith("customer-acct-1001-")
    assert uploader_of(LUIS).startswith("operator-")
    # The person is their sub: another person differs, a new display name does not.
    assert uploader_of(ANA) != uploader_of(replace(ANA, id="sub-otra"))
    assert uploader_of(ANA) == uploader_of(replace(ANA, name="Ana P."))
    with pytest.raises(TicketNotFound):
        files.grant(BRUNO, ticket_id=ticket.id, name="a.png", content_type="image/png", size=3)
    with pytest.raises(NotAllowed):  # operators open no tickets, so they upload only for one
        files.grant(LUIS, ticket_id=None, name="a.png", content_type="image/png", size=3)


@pytest.mark.parametrize(
    ("name", "content_type", "size", "reason"),
    [
        ("x.html", "text/plain", 5, "upload_extension_refused"),
        ("x.SVG", "image/png", 5, "upload_extension_refused"),
        ("setup.exe", "application/zip", 5, "upload_extension_refused"),
        ("x.png", "text/html", 5, "upload_type_refused"),
        ("x.bin", "application/octet-stream", 5, "upload_type_refused"),
        ("x.png", "image/png", 0, "upload_size_refused"),
        ("x.png", "image/png", 15 * 1024 * 1024 + 1, "upload_size_refused"),
        ("a\x00b.png", "image/png", 5, "upload_name_invalid"),
        ("   ", "image/png", 5, "upload_name_invalid"),
        ("\ud800.png", "image/png", 5, "upload_name_invalid"),
    ],
)
def test_grants_refuse_what_the_desk_does_not_take(files, name, content_type, size, reason):
    with pytest.raises(AttachmentRefused) as refused:
        files.grant(ANA, ticket_id=None, name=name, content_type=content_type, size=size)
    assert refused.value.reason == reason


def test_only_the_callers_own_uploads_for_that_ticket_resolve(files, bucket):
    mine = uploaded(files, bucket, ANA)
    theirs = uploaded(files, bucket, BRUNO)
    colleague = uploaded(files, bucket, Caller(Role.CUSTOMER, "eva@cliente.example", "acct-1001"))
    unfinished = files.grant(ANA, ticket_id=None, name="a.png", content_type="image/png", size=3).upload_id
    refs, created = files.resolve(ANA, None, [mine, mine])
    assert [(r.name, r.content_type, r.size) for r in refs] == [("captura.png", "image/png", 10)]
    assert created == [f"attachments/web/{mine}"]
    for other in (theirs, colleague, unfinished, "A" * 22):
        with pytest.raises(AttachmentRefused) as refused:
            files.resolve(ANA, None, [mine, other])
        assert refused.value.reason == "upload_not_found"
        assert refused.value.params == {"position": 2}
    with pytest.raises(AttachmentRefused):
        files.resolve(ANA, "NZ-10000001", [mine])  # a new-ticket upload is not for a reply


def test_an_object_whose_metadata_disagrees_with_its_key_is_refused(files, bucket):
    upload_id = uploaded(files, bucket, ANA)
    key = next(k for k in bucket.objects if k.endswith(upload_id))
    body, content_type, meta = bucket.objects[key]
    bucket.objects[key] = (body, content_type, {**meta, "ticket": "NZ-10000001"})
    with pytest.raises(AttachmentRefused):
        files.resolve(ANA, None, [upload_id])
    bucket.objects[key] = (body, "text/html", meta)  # stored as another type than the allowed ones
    with pytest.raises(AttachmentRefused):
        files.resolve(ANA, None, [upload_id])


def test_count_and_total_size_are_the_mail_limits(files, bucket):
    ids = [uploaded(files, bucket, ANA) for _ in range(SETTINGS.max_attachments + 1)]
    with pytest.raises(AttachmentRefused) as refused:
        files.resolve(ANA, None, ids)
    assert refused.value.reason == "too_many_attachments"
    small = FileService(files._tickets, lambda: bucket, replace_settings(max_attachment_bytes=15))
    pair = [uploaded(small, bucket, ANA) for _ in range(2)]  # 10 bytes each
    with pytest.raises(AttachmentRefused) as refused:
        small.resolve(ANA, None, pair)
    assert refused.value.reason == "attachments_too_large"


def replace_settings(**changes: object):
    return SETTINGS.model_copy(update=changes)


def test_a_refused_message_deletes_the_copies_it_made(files, bucket, tickets):
    upload_id = uploaded(files, bucket, ANA)
    copies: list[bool] = []

    def open_refused() -> None:
        with files.attaching(ANA, None, [upload_id]) as refs:
            copies.append(f"attachments/web/{upload_id}" in bucket.objects)
            tickets.open_ticket(ANA, department="nope", subject="s", body="b", now=T0, attachments=refs)

    with pytest.raises(InvalidValue):
        open_refused()
    assert copies == [True]
    assert f"attachments/web/{upload_id}" not in bucket.objects
    with files.attaching(ANA, None, [upload_id]) as refs:
        ticket = tickets.open_ticket(
            ANA, department="soporte", subject="s", body="b", now=T0, attachments=refs
        )
    [message] = tickets.get_ticket(ANA, ticket.id).messages
    assert message.attachments == refs
    assert refs[0].key in bucket.objects


def test_the_scan_verdict_decides_the_download(files, bucket, tickets):
    upload_id = uploaded(files, bucket, ANA, name="informe.pdf", content_type="application/pdf")
    with files.attaching(ANA, None, [upload_id]) as refs:
        ticket = tickets.open_ticket(
            ANA, department="soporte", subject="s", body="b", now=T0, attachments=refs
        )
    message_id = tickets.get_ticket(ANA, ticket.id).messages[0].id
    assert "type=application/pdf" in files.download_link(LUIS, ticket.id, message_id, 0)
    bucket.tags[refs[0].key] = {"GuardDutyMalwareScanStatus": "THREATS_FOUND"}
    with pytest.raises(AttachmentHeld) as held:
        files.download_link(ANA, ticket.id, message_id, 0)
    assert held.value.reason == "attachment_infected"
    strict = FileService(tickets, lambda: bucket, replace_settings(malware_scan_required=True))
    for status, allowed in (
        ("NO_THREATS_FOUND", True),
        ("FAILED", False),
        ("UNSUPPORTED", False),
        (None, False),
    ):
        bucket.tags[refs[0].key] = {"GuardDutyMalwareScanStatus": status} if status else {}
        if allowed:
            assert strict.download_link(ANA, ticket.id, message_id, 0)
        else:
            with pytest.raises(AttachmentHeld, match="attachment_not_scanned"):
                strict.download_link(ANA, ticket.id, message_id, 0)
    with pytest.raises(TicketNotFound):
        files.download_link(BRUNO, ticket.id, message_id, 0)
