"""inbound_email: each decision in its order, with real SES receipt events and real MIME."""

import pytest

from tests.support.harness import ANA, BRUNO, COMERCIAL, LUIS, mail


@pytest.fixture
def ana_authorized(api):
    api.authorize(ANA, "ana@cliente.example")
    api.authorize(BRUNO, "bruno@otro.example")


def tickets_of(api, who=ANA):
    return api.get("/tickets", who).json()["items"]


def test_a_mail_from_an_authorized_address_opens_a_ticket(api, mailbox, ana_authorized):
    outcome = mailbox.deliver(mail())
    assert outcome["decision"] == "new_ticket"
    [ticket] = tickets_of(api)
    assert (ticket["id"], ticket["subject"], ticket["department"]) == (
        outcome["ticket_id"],
        "No puedo acceder al webmail",
        "soporte",
    )
    thread = api.ticket(ticket["id"], ANA)
    [message] = thread["messages"]
    assert (message["channel"], message["author"], message["body"]) == (
        "email",
        "ana@cliente.example",
        "Desde ayer el webmail no carga.",
    )


def test_the_department_is_the_address_it_was_sent_to(api, mailbox, ana_authorized):
    mailbox.deliver(mail(to=COMERCIAL), to=(COMERCIAL,))
    assert tickets_of(api)[0]["department"] == "comercial"


def test_the_same_message_delivered_five_times_has_one_effect(api, mailbox, ana_authorized):
    raw = mail()
    outcomes = [mailbox.deliver(raw, ses_id="same-ses-id")["decision"] for _ in range(5)]
    assert outcomes == ["new_ticket"] + ["duplicate"] * 4
    assert len(tickets_of(api)) == 1


def test_the_same_message_id_under_another_ses_id_is_a_duplicate(api, mailbox, ana_authorized):
    raw = mail(message_id="<only-once@mail.cliente.example>")
    assert mailbox.deliver(raw)["decision"] == "new_ticket"
    assert mailbox.deliver(raw)["decision"] == "duplicate"
    assert len(tickets_of(api)) == 1


@pytest.mark.parametrize(
    ("verdicts", "decision"),
    [
        ({"virus": "FAIL"}, "virus"),
        ({"spam": "FAIL"}, "spam"),
        ({"dmarc": "FAIL"}, "dmarc_fail"),
        ({"spf": "FAIL", "dkim": "FAIL"}, "unauthenticated"),
        ({"spf": "GRAY", "dkim": "MISSING"}, "unauthenticated"),
        ({"spf": "PROCESSING_FAILED", "dkim": "PROCESSING_FAILED"}, "unauthenticated"),
    ],
)
def test_failed_verdicts_create_nothing(api, mailbox, ana_authorized, verdicts, decision):
    assert mailbox.deliver(mail(), verdicts=verdicts)["decision"] == decision
    assert tickets_of(api) == []


@pytest.mark.parametrize("policy", ["reject", {"status": "REJECT"}, "none"])
def test_dmarc_policy_as_string_or_object(api, mailbox, ana_authorized, policy):
    outcome = mailbox.deliver(mail(), verdicts={"dmarc": "FAIL"}, dmarc_policy=policy)
    assert outcome["decision"] == "dmarc_fail"


@pytest.mark.parametrize("verdicts", [{"dmarc": "MISSING"}, {"spf": "FAIL"}, {"dkim": "FAIL"}])
def test_one_of_spf_or_dkim_passing_is_enough(api, mailbox, ana_authorized, verdicts):
    assert mailbox.deliver(mail(), verdicts=verdicts)["decision"] == "new_ticket"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "auto_submitted"),
        ({"Precedence": "bulk"}, "precedence"),
        ({"X_Autoreply": "yes"}, "autoreply_header"),
        ({"List_Id": "<clientes.lists.example>"}, "mailing_list"),
        ({"X_Netz0_Helpdesk": "notification"}, "our_own"),
    ],
)
def test_automatic_mail_never_creates_a_ticket(api, mailbox, ana_authorized, headers, reason):
    outcome = mailbox.deliver(mail(**headers))
    assert outcome["decision"] == f"automatic:{reason}"
    assert tickets_of(api) == []


def test_a_bounce_creates_nothing(api, mailbox, ana_authorized):
    raw = mail(sender="Mail Delivery Subsystem <MAILER-DAEMON@cliente.example>", subject="Undelivered Mail")
    assert mailbox.deliver(raw)["decision"] == "automatic:bounce"
    assert tickets_of(api) == []


def test_an_unknown_sender_creates_nothing(api, mailbox, ana_authorized):
    raw = mail(sender="Desconocido <quien@desconocido.example>")
    assert mailbox.deliver(raw)["decision"] == "unknown_sender"
    assert tickets_of(api) == []
    assert api.get("/tickets", LUIS).json()["items"] == []


@pytest.mark.parametrize(
    "sender", ["a@x.example, ana@cliente.example", "Ana <ana@cliente.example", "nadie", "<>", ""]
)
def test_a_malformed_from_creates_nothing(api, mailbox, ana_authorized, sender):
    # Written as raw bytes: a mail library would repair the header before sending it.
    raw = mail(sender="placeholder@cliente.example").replace(
        b"From: placeholder@cliente.example", b"From: " + sender.encode()
    )
    assert mailbox.deliver(raw)["decision"] == "unknown_sender"
    assert api.get("/tickets", LUIS).json()["items"] == []


def test_a_reply_by_subject_id_from_the_owner_is_attached(api, mailbox, ana_authorized):
    ticket = api.open(ANA)
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "¿Qué navegador usa?")
    api.later(minutes=5)
    outcome = mailbox.deliver(mail(subject=f"Re: [#{ticket['id']}] El webmail no carga", body="Firefox"))
    assert (outcome["decision"], outcome["ticket_id"]) == ("reply:subject", ticket["id"])
    after = api.ticket(ticket["id"], ANA)
    assert after["status"] == "OPEN"
    assert (after["messages"][-1]["body"], after["messages"][-1]["channel"]) == ("Firefox", "email")


def test_a_mail_reply_reopens_a_closed_ticket(api, mailbox, ana_authorized):
    ticket = api.open(ANA)
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    mailbox.deliver(mail(subject=f"Re: [#{ticket['id']}]", body="Ha vuelto a fallar"))
    assert api.ticket(ticket["id"])["status"] == "OPEN"


def test_a_ticket_id_of_another_account_is_never_followed(api, mailbox, ana_authorized):
    brunos = api.open(BRUNO)
    outcome = mailbox.deliver(mail(subject=f"Re: [#{brunos['id']}] intruso", body="inyección"))
    assert outcome["decision"] == "new_ticket"
    assert outcome["ticket_id"] != brunos["id"]
    assert [m["body"] for m in api.ticket(brunos["id"])["messages"]] == ["Desde ayer no puedo entrar."]
    assert len(tickets_of(api)) == 1  # the mail became Ana's own new ticket


def test_automatic_replies_to_our_mail_never_reopen_or_restart_the_clock(api, mailbox, ana_authorized):
    ticket = api.open(ANA)
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "Pruebe ahora")
    before = api.ticket(ticket["id"])
    raw = mail(subject=f"Fuera de la oficina: [#{ticket['id']}]", Auto_Submitted="auto-replied")
    assert mailbox.deliver(raw)["decision"] == "automatic:auto_submitted"
    assert api.ticket(ticket["id"]) == before


def mail_with_attachments(*files: tuple[str, str, bytes], **kwargs: str) -> bytes:
    from email import message_from_bytes, policy

    message = message_from_bytes(mail(**kwargs), policy=policy.default)
    for name, content_type, content in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_attachments_are_kept_listed_and_downloadable_by_who_may_read(api, mailbox, ana_authorized):
    from urllib.parse import unquote, urlsplit

    import boto3

    from tests.support.harness import NAMES

    pdf = b"%PDF-1.4 factura " * 100
    raw = mail_with_attachments(
        ("factura noviembre.pdf", "application/pdf", pdf), ("log.txt", "text/plain", b"error 500")
    )
    ticket_id = mailbox.deliver(raw)["ticket_id"]
    [message] = api.ticket(ticket_id, ANA)["messages"]
    assert [(a["name"], a["content_type"], a["size"]) for a in message["attachments"]] == [
        ("factura noviembre.pdf", "application/pdf", len(pdf)),
        ("log.txt", "text/plain", 9),
    ]
    path = message["attachments"][0]["download_path"]
    result = api.get(path, ANA)
    assert result.status == 302
    location = urlsplit(result.headers["location"])
    path_style = location.path.startswith(f"/{NAMES['MailBucket']}/")
    key = unquote(location.path.split("/", 2)[2] if path_style else location.path[1:])
    stored = boto3.client("s3").get_object(Bucket=NAMES["MailBucket"], Key=key)["Body"].read()
    assert stored == pdf
    assert "filename%2A%3DUTF-8%27%27factura%2520noviembre.pdf" in location.query
    assert api.get(path, LUIS).status == 302
    as_json = api.get(path, ANA, headers={"Accept": "application/json"})
    assert as_json.status == 200, as_json.body
    assert as_json.json()["expires_in"] == 300
    assert as_json.json()["url"].startswith("https://")
    assert api.get(path, BRUNO).status == 404
    assert api.get(path.replace("/attachments/0", "/attachments/7"), ANA).status == 404


def test_attachments_over_the_limits_are_reported_not_silently_dropped(
    api, mailbox, ana_authorized, monkeypatch
):
    files = [(f"foto{n}.png", "image/png", b"\x89PNG" + bytes(100)) for n in range(12)]
    outcome = mailbox.deliver(mail_with_attachments(*files))
    [message] = api.ticket(outcome["ticket_id"], ANA)["messages"]
    assert len(message["attachments"]) == 10
    assert outcome["refused_attachments"] == ["foto10.png", "foto11.png"]


def test_a_mail_that_cannot_be_processed_is_kept_and_reported(
    api, mailbox, gateway, ana_authorized, monkeypatch
):
    """The handler raises (so Lambda retries, then hands the event to InboundMailFailures) and the
    raw message stays in the bucket; a later delivery processes it normally."""
    import boto3

    from tests.support.harness import NAMES

    spec = next(s for s in gateway.specs if s.logical_id == "InboundEmailFunction")
    processor = gateway.module(spec).processor

    def broken(*args, **kwargs):
        raise RuntimeError("DynamoDB is unavailable")

    monkeypatch.setattr(processor, "_reply_or_open", broken)
    raw = mail()
    with pytest.raises(RuntimeError, match="unavailable"):
        mailbox.deliver(raw, ses_id="kept-for-retry")
    stored = boto3.client("s3").get_object(Bucket=NAMES["MailBucket"], Key="inbound/kept-for-retry")
    assert stored["Body"].read() == raw
    assert tickets_of(api) == []
    monkeypatch.undo()
    assert mailbox.deliver(raw, ses_id="kept-for-retry")["decision"] == "new_ticket"
