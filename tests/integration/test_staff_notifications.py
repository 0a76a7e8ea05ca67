"""Mail to operators through the table's stream and notify, on moto (Cognito's operators group,
the operators' preferences in the table): new tickets to the department's operators, customer
replies to the assignee (or the department when unassigned), assignments to the new assignee,
colleagues' notes, SLA alerts; never to whoever acted, only what each wants, in their language,
exactly once per stream record and operator."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.harness import ANA, enlist, mail

HOSTILE = '<img src=x onerror="alert(1)"> & co'


def text_of(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: Any) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def to(mails: list[Any], address: str) -> list[Any]:
    return [m for m in mails if m["To"] == address]


@pytest.fixture
def staff(api) -> dict[str, dict[str, Any]]:
    people = {
        "lucia": enlist("lucia@netz0.example", "Lucía Romero"),
        "marcos": enlist("marcos@netz0.example", "Marcos Díaz"),
        "elena": enlist("elena@netz0.example", "Elena Vidal"),
    }
    every = ["new_ticket", "customer_reply", "assigned", "note", "sla_alert"]
    for who, departments, language in (
        ("lucia", ["soporte"], "es"),
        ("marcos", ["soporte"], "es"),
        ("elena", ["comercial"], "en"),
    ):
        body = {"departments": departments, "notifications": every, "language": language}
        assert api.call("PUT", "/operators/me", people[who], body=body).status == 200
    return people


def staff_mail(postman) -> list[Any]:
    """The mail sent since the last call to anyone at netz0.example (the operators)."""
    return [m for m in postman.new() if m["To"].endswith("@netz0.example")]


def test_the_desks_day_open_assign_by_name_customer_replies(api, postman, staff):
    lucia, marcos = staff["lucia"], staff["marcos"]
    ticket = api.open(ANA, subject=f"Webmail {HOSTILE}", body=f"No entra. {HOSTILE}")
    new = staff_mail(postman)
    assert sorted(m["To"] for m in new) == ["lucia@netz0.example", "marcos@netz0.example"]  # not Elena
    [lucias] = to(new, "lucia@netz0.example")
    assert lucias["Subject"].strip() == f"[#{ticket['id']}] Nuevo ticket: Webmail {HOSTILE}"  # folded: long
    body = text_of(lucias)
    for expected in (
        ticket["id"],
        f"Webmail {HOSTILE}",
        "acct-1001",
        f"No entra. {HOSTILE}",
        "Soporte Técnico",
    ):
        assert expected in body
    assert f"#/tickets/{ticket['id']}" in body
    markup = html_of(lucias)
    assert "<img" not in markup
    assert "&lt;img src=x" in markup
    assert lucias["Auto-Submitted"] == "auto-generated"
    assert lucias["Content-Language"] == "es"

    api.later(minutes=2)
    assert api.post(f"/tickets/{ticket['id']}/assign", lucia, {"assignee": marcos["sub"]}).status == 200
    [handed] = staff_mail(postman)
    assert handed["To"] == "marcos@netz0.example"
    assert f"Lucía Romero le ha asignado el ticket {ticket['id']}" in text_of(handed)

    api.later(minutes=2)
    api.reply(ticket["id"], ANA, "Sigue sin entrar")
    [answer] = staff_mail(postman)
    assert answer["To"] == "marcos@netz0.example"
    assert "El cliente ha respondido" in answer["Subject"]
    assert "Sigue sin entrar" in text_of(answer)


def test_never_to_whoever_acted_and_notes_only_from_colleagues(api, postman, staff):
    lucia, marcos = staff["lucia"], staff["marcos"]
    ticket = api.open(ANA)
    staff_mail(postman)
    api.later(minutes=1)
    api.post(f"/tickets/{ticket['id']}/assign", lucia)  # she takes it herself: nobody is told
    api.later(minutes=1)
    api.reply(ticket["id"], lucia, "Mirando", internal=True)  # her own note on her ticket
    api.later(minutes=1)
    api.reply(ticket["id"], lucia, "¿Qué navegador usa?")  # an operator reply: the customer's mail only
    assert staff_mail(postman) == []
    api.later(minutes=1)
    api.reply(ticket["id"], marcos, "Es el proxy", internal=True)
    [note] = staff_mail(postman)
    assert note["To"] == "lucia@netz0.example"
    assert "Marcos Díaz ha dejado una nota interna" in text_of(note)
    assert "Es el proxy" in text_of(note)


def test_an_unassigned_customer_reply_goes_to_the_department(api, postman, staff):
    ticket = api.open(ANA, department="comercial")
    [new] = staff_mail(postman)
    assert new["To"] == "elena@netz0.example"
    assert new["Content-Language"] == "en"
    assert new["Subject"].startswith(f"[#{ticket['id']}] New ticket:")
    api.later(minutes=1)
    api.reply(ticket["id"], ANA, "Any news?")
    [answer] = staff_mail(postman)
    assert answer["To"] == "elena@netz0.example"
    assert "The customer replied to ticket" in text_of(answer)


def test_each_operator_gets_only_what_they_want(api, postman, staff):
    body = {"departments": ["soporte"], "notifications": ["assigned"], "language": "es"}
    assert api.call("PUT", "/operators/me", staff["marcos"], body=body).status == 200
    api.open(ANA)
    assert [m["To"] for m in staff_mail(postman)] == ["lucia@netz0.example"]


def test_a_ticket_by_mail_reaches_the_department_too(api, postman, mailbox, staff):
    api.authorize(ANA, "ana@cliente.example")
    postman.new()
    assert mailbox.deliver(mail(subject="Factura duplicada"))["decision"] == "new_ticket"
    assert sorted(m["To"] for m in staff_mail(postman)) == ["lucia@netz0.example", "marcos@netz0.example"]


def test_a_redelivered_stream_batch_mails_nobody_twice(api, postman, staff):
    api.open(ANA)
    assert len(staff_mail(postman)) == 2
    for batch in list(postman.events):
        postman.invoke(batch)
    assert staff_mail(postman) == []


MADRID = ZoneInfo("Europe/Madrid")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)


def test_sla_alerts_mail_the_department_then_the_assignee_once_per_stage(api, postman, staff):
    ticket = api.at(at("2026-11-20 18:55")).open(ANA)
    staff_mail(postman)
    api.escalate(at("2026-11-23 09:25"))
    warned = staff_mail(postman)
    assert sorted(m["To"] for m in warned) == ["lucia@netz0.example", "marcos@netz0.example"]
    assert "SLA a punto de vencer" in warned[0]["Subject"]
    api.escalate(at("2026-11-23 09:25"))  # a duplicated schedule event
    assert staff_mail(postman) == []
    api.at(at("2026-11-23 09:40"))
    api.post(f"/tickets/{ticket['id']}/assign", staff["lucia"], {"assignee": staff["marcos"]["sub"]})
    staff_mail(postman)
    api.escalate(at("2026-11-23 09:56"))
    [breached] = staff_mail(postman)
    assert breached["To"] == "marcos@netz0.example"
    assert "SLA incumplido" in breached["Subject"]
    api.escalate(at("2026-11-23 10:30"))
    assert staff_mail(postman) == []


def test_a_ticket_opened_for_a_caller_is_not_mailed_to_the_operator_who_opened_it(api, postman, staff):
    api.authorize(ANA, "ana.perez@cliente.example")
    postman.new()  # the confirmation mail
    call = {"department": "soporte", "subject": "Llamada", "body": "No llega el correo."}
    opened = api.post("/tickets", staff["lucia"], {**call, "account_id": "acct-1001", "channel": "phone"})
    assert opened.status == 201, opened.body
    # Marcos works soporte too and is told; Lucía wrote it down herself and is not.
    assert [m["To"] for m in staff_mail(postman)] == ["marcos@netz0.example"]
    # The customer sees who opened it by name and department, never an address.
    first = api.ticket(opened.json()["id"], ANA)["messages"][0]
    assert first["opened_by"] == "Lucía Romero · Soporte Técnico"
