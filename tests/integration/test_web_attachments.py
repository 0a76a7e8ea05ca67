"""Files from the web, on moto: POST /uploads hands out a presigned POST whose conditions S3
enforces (moto does not, so devstack.s3_post checks the form as S3 would, on the very form the API
answered), opening and replying take the upload ids, only the caller's own uploads for that
ticket are accepted, and a file the malware scan tagged infected is held.

Bad inputs tried: a file over MaxAttachmentBytes, another content type than granted, another key,
an extra metadata field, an expired or tampered policy; refused types and extensions at the grant;
unknown, malformed, another account's, another ticket's and too many upload ids; THREATS_FOUND."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from devstack.s3_post import PostRefused, check_post
from tests.support.harness import ANA, BRUNO, LUIS, NAMES


@pytest.fixture
def ana_authorized(api):
    api.authorize(ANA, "ana@cliente.example")


PNG = b"\x89PNG\r\n\x1a\n" + bytes(300)
PDF = b"%PDF-1.4\n" + b"respuesta " * 50


def grant(api: Any, who: dict[str, Any], name: str, content_type: str, size: int, **extra: Any) -> Any:
    return api.post("/uploads", who, {"name": name, "content_type": content_type, "size": size, **extra})


def s3_post(form: dict[str, str], body: bytes, **changes: str) -> None:
    """What S3 does with the browser's form: check it, then store the file."""
    posted = check_post(
        NAMES["MailBucket"], {**form, **changes}, body, secret_key=os.environ["AWS_SECRET_ACCESS_KEY"]
    )
    boto3.client("s3").put_object(
        Bucket=posted.bucket,
        Key=posted.key,
        Body=posted.body,
        ContentType=posted.content_type or "binary/octet-stream",
        Metadata=posted.metadata,
    )


def upload(api: Any, who: dict[str, Any], name: str, content_type: str, body: bytes, **extra: Any) -> str:
    result = grant(api, who, name, content_type, len(body), **extra)
    assert result.status == 201, result.body
    s3_post(result.json()["fields"], body)
    return str(result.json()["upload_id"])


def open_with(api: Any, who: dict[str, Any], upload_ids: list[str]) -> Any:
    body = {
        "department": "soporte",
        "subject": "Error en el panel",
        "body": "Adjunto captura.",
        "attachments": upload_ids,
    }
    return api.post("/tickets", who, body)


def test_the_form_fixes_key_type_metadata_and_size(api):
    result = grant(api, ANA, "captura.png", "image/png", len(PNG))
    assert result.status == 201, result.body
    out = result.json()
    fields = out["fields"]
    assert out["max_bytes"] == 15 * 1024 * 1024
    assert out["expires_in"] == 600
    assert fields["Content-Type"] == "image/png"
    assert fields["key"].startswith("uploads/new/customer-acct-1001-")
    assert fields["key"].endswith("/" + out["upload_id"])
    assert fields["x-amz-meta-ticket"] == "new"
    assert "ana@" not in fields["key"]  # a digest names the person, not the address

    too_large = bytes(out["max_bytes"] + 1)
    with pytest.raises(PostRefused) as refused:
        s3_post(fields, too_large)
    assert (refused.value.status, refused.value.code) == (400, "EntityTooLarge")
    with pytest.raises(PostRefused) as refused:
        s3_post(fields, b"")
    assert refused.value.code == "EntityTooSmall"
    for change in (
        {"Content-Type": "text/html"},
        {"key": fields["key"].replace("/new/", "/NZ-00000001/")},
        {"key": "attachments/web/" + out["upload_id"]},
        {"x-amz-meta-uploader": "customer-acct-2002-0000000000000000"},
        {"x-amz-meta-extra": "1"},
    ):
        with pytest.raises(PostRefused) as refused:
            s3_post(fields, PNG, **change)
        assert (refused.value.status, refused.value.code) == (403, "AccessDenied"), change
    with pytest.raises(PostRefused) as refused:
        s3_post(fields, PNG, policy=fields["policy"][:-8] + "AAAAAAA=")
    assert refused.value.code in ("SignatureDoesNotMatch", "InvalidPolicyDocument")
    later = datetime.now(UTC) + timedelta(minutes=11)
    with pytest.raises(PostRefused, match="Policy expired"):
        check_post(
            NAMES["MailBucket"], fields, PNG, secret_key=os.environ["AWS_SECRET_ACCESS_KEY"], now=later
        )
    s3_post(fields, PNG)  # the form as handed out is accepted


@pytest.mark.parametrize(
    ("name", "content_type", "size", "reason_word"),
    [
        ("pagina.html", "text/html", 10, "html"),
        ("factura.pdf", "text/html", 10, "text/html"),
        ("dibujo.svg", "image/svg+xml", 10, "svg"),
        ("instalar.exe", "application/octet-stream", 10, "exe"),
        ("nada.bin", "application/x-msdownload", 10, "x-msdownload"),
        ("enorme.zip", "application/zip", 15 * 1024 * 1024 + 1, "15 MB"),
        ("vacio.txt", "text/plain", 0, "0 bytes"),
    ],
)
def test_refused_files_get_a_sentence_in_each_language(api, name, content_type, size, reason_word):
    es = grant(api, ANA, name, content_type, size)
    assert es.status == 422, es.body
    assert es.json()["error"]["code"] == "attachment_refused"
    assert reason_word in es.json()["error"]["message"]
    en = api.post(
        "/uploads",
        ANA,
        {"name": name, "content_type": content_type, "size": size},
        headers={"Accept-Language": "en"},
    )
    assert en.headers["content-language"] == "en"
    assert en.json()["error"]["message"] != es.json()["error"]["message"]


def test_a_screenshot_opens_a_ticket_the_operator_downloads_and_a_pdf_answers_it(api):
    screenshot = upload(api, ANA, "captura de pantalla.png", "image/png", PNG)
    opened = open_with(api, ANA, [screenshot])
    assert opened.status == 201, opened.body
    ticket_id = opened.json()["id"]
    [first] = api.ticket(ticket_id, LUIS)["messages"]
    [attachment] = first["attachments"]
    assert attachment == {
        "name": "captura de pantalla.png",
        "content_type": "image/png",
        "size": len(PNG),
        "download_path": f"/tickets/{ticket_id}/messages/{first['id']}/attachments/0",
        "preview": True,
    }
    link = api.get(attachment["download_path"], LUIS, headers={"Accept": "application/json"})
    assert link.status == 200
    assert link.headers["x-content-type-options"] == "nosniff"
    assert downloaded(link.json()["url"]) == PNG
    assert "response-content-disposition=attachment" in link.json()["url"]
    assert "response-content-type=image%2Fpng" in link.json()["url"]

    pdf = upload(api, LUIS, "solución.pdf", "application/pdf", PDF, ticket_id=ticket_id)
    answered = api.reply(ticket_id, LUIS, "Siga estos pasos.", attachments=[pdf])
    assert answered.status == 201, answered.body
    assert answered.json()["attachments"][0]["preview"] is False
    reply_link = api.get(
        answered.json()["attachments"][0]["download_path"], ANA, headers={"Accept": "application/json"}
    )
    assert reply_link.status == 200
    url = reply_link.json()["url"]
    assert downloaded(url) == PDF
    # RFC 6266: an ASCII fallback and the exact UTF-8 name (RFC 5987), percent-encoded in the link.
    assert "filename%3D%22solucion.pdf%22" in url
    assert "filename%2A%3DUTF-8%27%27soluci%25C3%25B3n.pdf" in url
    # Another account sees neither the ticket nor the file.
    assert api.get(answered.json()["attachments"][0]["download_path"], BRUNO).status == 404


def downloaded(url: str) -> bytes:
    """What S3 answers a presigned GET (moto reads the key from the link)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    key = path.split("/", 1)[1] if path.startswith(NAMES["MailBucket"] + "/") else path
    return bytes(boto3.client("s3").get_object(Bucket=NAMES["MailBucket"], Key=unquote(key))["Body"].read())


def test_uploads_of_another_caller_or_ticket_are_not_found_without_saying_whose(api):
    theirs = upload(api, BRUNO, "suyo.png", "image/png", PNG)
    mine_unfinished = grant(api, ANA, "no-subido.png", "image/png", len(PNG)).json()["upload_id"]
    ticket_id = api.open()["id"]
    for_that_ticket = upload(api, ANA, "para-otro.png", "image/png", PNG, ticket_id=ticket_id)
    for ids, field in (
        ([theirs], "attachments.0"),
        ([mine_unfinished], "attachments.0"),
        ([upload(api, ANA, "bien.png", "image/png", PNG), for_that_ticket], "attachments.1"),
    ):
        refused = open_with(api, ANA, ids)
        assert refused.status == 422, refused.body
        assert refused.json()["error"]["code"] == "attachment_refused"
        assert refused.json()["error"]["details"][0]["field"] == field
        assert "bruno" not in refused.body.lower()
        assert "acct-2002" not in refused.body
    # The same message from Bruno, naming his own upload, is fine.
    assert open_with(api, BRUNO, [theirs]).status == 201
    # An upload for a ticket of another account is refused at the grant: no such ticket.
    assert grant(api, BRUNO, "x.png", "image/png", 10, ticket_id=ticket_id).status == 404
    # A new-ticket upload cannot be put on a reply, nor a reply's on another ticket.
    assert (
        api.reply(ticket_id, ANA, "mire", attachments=[upload(api, ANA, "n.png", "image/png", PNG)]).status
        == 422
    )
    malformed = api.reply(ticket_id, ANA, "mire", attachments=["../../etc/passwd"])
    assert malformed.status == 422
    assert malformed.json()["error"]["details"][0]["field"] == "attachments.0"


def test_limits_are_the_mail_ones(api, gateway, monkeypatch):
    ticket_id = api.open()["id"]
    ids = [upload(api, ANA, f"foto{n}.png", "image/png", PNG, ticket_id=ticket_id) for n in range(11)]
    too_many = api.reply(ticket_id, ANA, "fotos", attachments=ids)
    assert too_many.status == 422
    assert "10" in too_many.json()["error"]["message"]
    assert api.reply(ticket_id, ANA, "fotos", attachments=ids[:10]).status == 201
    # Files that each fit but together exceed MaxAttachmentBytes.
    monkeypatch.setenv("MAX_ATTACHMENT_BYTES", str(2 * len(PNG) - 1))
    gateway.cold_start()
    pair = [upload(api, ANA, f"g{n}.png", "image/png", PNG, ticket_id=ticket_id) for n in range(2)]
    total = api.reply(ticket_id, ANA, "dos", attachments=pair)
    assert total.status == 422
    assert total.json()["error"]["details"][0]["field"] == "attachments"


def test_one_table_write_and_three_s3_requests_per_file(api):
    from helpdesk import runtime

    ticket_id = api.open()["id"]
    ids = [upload(api, ANA, f"f{n}.png", "image/png", PNG, ticket_id=ticket_id) for n in range(2)]
    calls: list[str] = []
    runtime.file_bucket()._client.meta.events.register(
        "before-call.s3", lambda model, **_: calls.append(model.name)
    )
    runtime.dynamodb().meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name)
    )
    assert api.reply(ticket_id, ANA, "dos fotos", attachments=ids).status == 201
    assert calls == [
        "HeadObject",
        "HeadObject",
        "HeadObject",
        "CopyObject",
        "HeadObject",
        "CopyObject",
        "TransactWriteItems",
    ]
    calls.clear()
    # The same files again (a retry): found copied already, nothing copied twice.
    assert api.reply(ticket_id, ANA, "otra vez", attachments=ids).status == 201
    assert calls == ["HeadObject", "HeadObject", "HeadObject", "HeadObject", "TransactWriteItems"]


def test_a_refused_write_leaves_no_copy_behind(api):
    ticket_id = api.open()["id"]
    file_id = upload(api, ANA, "f.png", "image/png", PNG, ticket_id=ticket_id)
    stale = {"If-Match": '"0"'}  # the ticket is at version 1: the write is refused
    refused = api.reply(ticket_id, ANA, "una más", attachments=[file_id], headers=stale)
    assert refused.status == 409, refused.body
    listed = boto3.client("s3").list_objects_v2(Bucket=NAMES["MailBucket"], Prefix="attachments/web/")
    assert listed.get("KeyCount", 0) == 0


def test_a_file_the_scan_marks_infected_is_held(api):
    ticket_id = open_with(api, ANA, [upload(api, ANA, "factura.pdf", "application/pdf", PDF)]).json()["id"]
    [message] = api.ticket(ticket_id, ANA)["messages"]
    path = message["attachments"][0]["download_path"]
    s3 = boto3.client("s3")
    [stored] = s3.list_objects_v2(Bucket=NAMES["MailBucket"], Prefix="attachments/web/")["Contents"]
    assert api.get(path, ANA).status == 302  # not scanned, no scan required: downloadable
    s3.put_object_tagging(
        Bucket=NAMES["MailBucket"],
        Key=stored["Key"],
        Tagging={"TagSet": [{"Key": "GuardDutyMalwareScanStatus", "Value": "THREATS_FOUND"}]},
    )
    for who in (ANA, LUIS):
        held = api.get(path, who)
        assert held.status == 409, held.body
        assert held.json()["error"]["code"] == "attachment_held"
        assert "factura.pdf" in held.json()["error"]["message"]
        assert "location" not in held.headers


def test_with_a_scan_required_only_clean_files_download(api, gateway, monkeypatch):
    monkeypatch.setenv("MALWARE_SCAN_REQUIRED", "true")
    gateway.cold_start()
    ticket_id = open_with(api, ANA, [upload(api, ANA, "log.txt", "text/plain", b"error 500")]).json()["id"]
    path = api.ticket(ticket_id, ANA)["messages"][0]["attachments"][0]["download_path"]
    waiting = api.get(path, ANA, headers={"Accept-Language": "en"})
    assert waiting.status == 409
    assert "still being scanned" in waiting.json()["error"]["message"]
    s3 = boto3.client("s3")
    [stored] = s3.list_objects_v2(Bucket=NAMES["MailBucket"], Prefix="attachments/web/")["Contents"]
    s3.put_object_tagging(
        Bucket=NAMES["MailBucket"],
        Key=stored["Key"],
        Tagging={"TagSet": [{"Key": "GuardDutyMalwareScanStatus", "Value": "NO_THREATS_FOUND"}]},
    )
    assert api.get(path, ANA).status == 302


def test_mail_attachments_of_risky_types_download_as_octet_stream(api, mailbox, ana_authorized):
    from tests.integration.test_inbound_email import mail_with_attachments

    raw = mail_with_attachments(("pagina.html", "text/html", b"<script>alert(1)</script>"))
    ticket_id = mailbox.deliver(raw)["ticket_id"]
    [message] = api.ticket(ticket_id, ANA)["messages"]
    assert message["attachments"][0]["preview"] is False
    url = api.get(
        message["attachments"][0]["download_path"], ANA, headers={"Accept": "application/json"}
    ).json()["url"]
    assert "response-content-type=application%2Foctet-stream" in url
    assert "response-content-disposition=attachment" in url
