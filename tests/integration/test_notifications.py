"""Mail to customers, sent from the table's stream: receipt, operator reply, auto-close notice,
close confirmation; threading headers, signed Reply-To, loops and rate limits (on answers to
inbound mail only)."""

from datetime import timedelta

import pytest

from tests.support.harness import ANA, LUIS, SOPORTE, T0, customer, mail

ANA_MAIL = "ana@cliente.example"


@pytest.fixture
def signer(gateway):
    from helpdesk.runtime import mail_identity

    return mail_identity().signer


@pytest.fixture
def ana(api, postman):
    api.authorize(ANA, ANA_MAIL)
    postman.new()  # the confirmation mail: not what these tests are about
    return ANA


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def test_a_ticket_opened_on_the_web_gets_a_receipt(api, postman, ana, signer):
    ticket = api.open(ana, subject="El webmail no carga", body="Desde ayer no puedo entrar.")
    [receipt] = postman.new()
    assert receipt["To"] == ANA_MAIL
    assert receipt["Subject"] == f"[#{ticket['id']}] El webmail no carga"
    body = text_of(receipt)
    for expected in (ticket["id"], "Soporte Técnico", "Abierto", "Desde ayer no puedo entrar."):
        assert expected in body
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert signer.ticket_from_reply_address(receipt["Reply-To"].addresses[0].addr_spec) == ticket["id"]
    assert signer.ticket_from_message_id(receipt["Message-ID"]) == ticket["id"]


def test_an_operator_reply_is_mailed_with_how_to_answer_and_the_72_hours(api, postman, ana, signer):
    ticket = api.open(ana)
    postman.new()
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "¿Qué navegador usa?")
    [reply] = postman.new()
    body = text_of(reply)
    assert "¿Qué navegador usa?" in body
    assert "Espera" in body
    assert "72 horas" in body
    assert "Auto-Submitted" not in reply or reply["Auto-Submitted"] == "no"
    assert signer.ticket_from_message_id(reply["In-Reply-To"]) == ticket["id"]
    assert reply["References"] == reply["In-Reply-To"]


def test_internal_notes_and_customer_replies_send_nothing(api, postman, ana):
    ticket = api.open(ana)
    postman.new()
    api.later(minutes=1)
    api.reply(ticket["id"], LUIS, "nota interna", internal=True)
    api.later(minutes=1)
    api.reply(ticket["id"], ana, "más datos")
    assert postman.new() == []


def test_auto_close_and_close_confirmation(api, postman, ana):
    ticket = api.open(ana)
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "Pruebe ahora")
    postman.new()
    api.auto_close(T0 + timedelta(hours=73))
    [notice] = postman.new()
    assert "72 horas" in text_of(notice)
    assert "reabrir" in text_of(notice).lower()
    api.at(T0 + timedelta(hours=80))
    api.post(f"/tickets/{ticket['id']}/reopen", ana)
    api.post(f"/tickets/{ticket['id']}/close", ana)
    [confirmation] = postman.new()
    assert confirmation["Subject"].startswith(f"[#{ticket['id']}]")
    assert "Cerrado" in text_of(confirmation)


def test_user_text_is_escaped_in_the_html_part(api, postman, ana):
    payload = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    api.open(ana, subject=payload, body=payload)
    [receipt] = postman.new()
    html = html_of(receipt)
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert payload in text_of(receipt)


def test_nothing_is_sent_twice_when_the_stream_redelivers(api, postman, ana):
    api.open(ana)
    assert len(postman.new()) == 1
    # A stream retry hands the same records to the function again.
    for event in list(postman.events):
        assert postman.invoke(event) == {"batchItemFailures": []}
    assert postman.new() == []


def test_all_participating_addresses_are_notified(api, postman, mailbox, ana):
    api.authorize(ana, "soporte-it@cliente.example")
    postman.new()
    outcome = mailbox.deliver(mail(sender="IT <soporte-it@cliente.example>"))
    [receipt] = postman.new()
    assert receipt["To"] == "soporte-it@cliente.example"
    api.later(minutes=5)
    api.reply(outcome["ticket_id"], ana, "Yo también lo veo")  # Ana writes on the web
    api.later(minutes=5)
    api.reply(outcome["ticket_id"], LUIS, "Lo miramos")
    [reply] = postman.new()
    assert sorted(a.addr_spec for a in reply["To"].addresses) == [ANA_MAIL, "soporte-it@cliente.example"]


def test_a_new_customer_gets_the_receipt_of_their_first_web_ticket_at_their_sign_in_address(api, postman):
    newcomer = {**customer("acct-7007", "nuevo@cliente.example"), "email_verified": True}
    ticket = api.open(newcomer)  # no address was ever added to the account
    [receipt] = postman.new()
    assert receipt["To"] == "nuevo@cliente.example"
    assert ticket["id"] in receipt["Subject"]


def test_an_account_without_authorized_addresses_gets_no_mail(api, postman):
    api.open(customer("acct-9", "nadie@x.example"))
    assert postman.new() == []


def test_a_mail_not_sent_is_shown_to_operators_on_the_ticket_never_to_the_customer(api, postman):
    ticket = api.open(ANA, subject="Sin direcciones")  # no confirmed address, no verified sign-in
    assert postman.new() == []
    postman.deliver()  # the stream delivers the record again: still one entry
    [suppressed] = api.ticket(ticket["id"], LUIS)["suppressed_mail"]
    assert (suppressed["kind"], suppressed["reason"]) == ("receipt", "no_recipient")
    assert api.ticket(ticket["id"], ANA)["suppressed_mail"] is None
    # Not a message: the thread and the notifications' stream filter do not see it.
    assert len(api.ticket(ticket["id"], LUIS)["messages"]) == 1


def test_english_when_the_account_prefers_it(api, postman, ana):
    assert api.get("/account", ana).json() == {"account_id": "acct-1001", "language": "es"}
    assert api.call("PUT", "/account", ana, body={"language": "en"}).json()["language"] == "en"
    assert api.call("PUT", "/account", ana, body={"language": "fr"}).status == 422
    assert api.get("/account", LUIS).status == 403
    ticket = api.open(ana)
    [receipt] = postman.new()
    assert "ticket number" in text_of(receipt).lower()
    assert "Department: Technical Support" in text_of(receipt)
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "Try now")
    postman.new()
    api.auto_close(T0 + timedelta(hours=73))
    [notice] = postman.new()
    body = text_of(notice)
    assert notice["Content-Language"] == "en"
    assert "closed automatically as resolved" in body
    for spanish in ("Soporte Técnico", "Cerrado", "automáticamente", "Responda por encima"):
        assert spanish not in body


def test_every_mail_links_to_the_ticket_on_the_portal(api, postman, ana):
    ticket = api.open(ana)
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "Pruebe ahora")
    api.later(minutes=5)
    api.post(f"/tickets/{ticket['id']}/close", ana)
    mails = postman.new()
    assert len(mails) == 3  # receipt, reply, close confirmation
    link = f"/#/tickets/{ticket['id']}"
    for message in mails:
        assert link in text_of(message)
        assert f'{link}" style=' in html_of(message)  # a link, not only text


def test_receipts_of_inbound_mail_are_rate_limited_but_what_a_person_did_is_not(api, postman, mailbox, ana):
    for n in range(12):
        api.later(seconds=10)
        assert mailbox.deliver(mail(sender=ANA_MAIL, subject=f"m{n}"))["decision"] == "new_ticket"
    assert len(postman.new()) == 10  # against mail loops: answers to inbound mail are capped
    for n in range(12):
        api.later(seconds=10)
        api.open(ana, subject=f"t{n}")
    assert len(postman.new()) == 12  # the receipt of every ticket opened on the web is sent


# ------------------------------------------------------------------ answering by mail
def test_replying_to_the_receipt_by_mail_lands_on_the_ticket(api, postman, mailbox, ana):
    ticket = api.open(ana)
    [receipt] = postman.new()
    reply_to = receipt["Reply-To"].addresses[0].addr_spec
    api.later(minutes=10)
    raw = mail(
        to=reply_to,
        subject=f"Re: {receipt['Subject']}",
        body="Sigue sin funcionar.\n\nEl mié, 25 nov 2026 a las 13:00, Netz0 escribió:\n> texto citado",
        In_Reply_To=receipt["Message-ID"],
        References=receipt["Message-ID"],
    )
    outcome = mailbox.deliver(raw, to=(reply_to,))
    assert (outcome["decision"], outcome["ticket_id"]) == ("reply:reply_address", ticket["id"])
    last = api.ticket(ticket["id"], ana)["messages"][-1]
    assert (last["body"], last["channel"]) == ("Sigue sin funcionar.", "email")


def test_a_forged_reply_address_is_not_followed(api, postman, mailbox, ana):
    ticket = api.open(ana)
    [receipt] = postman.new()
    forged = receipt["Reply-To"].addresses[0].addr_spec.replace(".", ".x", 1)
    outcome = mailbox.deliver(mail(to=forged, subject="hola"), to=(forged, SOPORTE))
    assert outcome["decision"] == "new_ticket"
    assert outcome["ticket_id"] != ticket["id"]


def test_an_auto_reply_to_our_receipt_makes_no_loop(api, postman, mailbox, ana):
    ticket = api.open(ana)
    [receipt] = postman.new()
    raw = mail(
        subject=f"Fuera de la oficina: {receipt['Subject']}",
        Auto_Submitted="auto-replied",
        In_Reply_To=receipt["Message-ID"],
    )
    assert mailbox.deliver(raw)["decision"] == "automatic:auto_submitted"
    assert postman.new() == []
    assert len(api.ticket(ticket["id"])["messages"]) == 1


def test_our_own_notification_coming_back_is_ignored(api, postman, mailbox, ana):
    api.open(ana)
    [receipt] = postman.new()
    outcome = mailbox.deliver(receipt.as_bytes(), to=(SOPORTE,))
    assert outcome["decision"] == "automatic:our_own"


def test_an_unknown_sender_gets_one_notice_a_day(api, postman, mailbox):
    stranger = "Extraño <extrano@desconocido.example>"
    assert mailbox.deliver(mail(sender=stranger))["decision"] == "unknown_sender"
    assert mailbox.deliver(mail(sender=stranger))["decision"] == "unknown_sender"
    notices = [m for m in postman.new() if m["To"] == "extrano@desconocido.example"]
    assert len(notices) == 1
    assert notices[0]["Auto-Submitted"] == "auto-replied"
    api.later(hours=25)
    mailbox.deliver(mail(sender=stranger))
    assert len(postman.new()) == 1


def test_a_spoofed_unknown_sender_gets_no_notice(api, postman, mailbox):
    mailbox.deliver(mail(sender="extrano@desconocido.example"), verdicts={"spf": "FAIL", "dkim": "FAIL"})
    assert postman.new() == []
