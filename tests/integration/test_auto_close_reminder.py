"""The reminder before the automatic close, through the handlers on moto with the table from
template.yaml: the auto-close schedule records it 24 hours before the close (one UpdateItem,
one index item read), the table's stream mails it in the account's language with the time on
Netz0's clock, the thread shows it as a history entry (the same write) to the customer and to
operators in their languages, a reply to that mail answers the ticket, a repeated or overlapping run mails
nothing more, and a customer reply that lands just before the reminder's write cancels it."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.test_races import before_next_write, client_of
from tests.support.harness import ANA, LUIS, T0, mail

ANA_MAIL = "ana@cliente.example"
REPLIED = T0 + timedelta(minutes=5)
CLOSES = REPLIED + timedelta(hours=72)  # Saturday 28 November 2026, 12:05 UTC = 13:05 in Madrid
REMIND = CLOSES - timedelta(hours=24)


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def waiting(api, postman, *, language="es"):
    api.authorize(ANA, ANA_MAIL)
    api.call("PUT", "/account", ANA, body={"language": language})
    ticket = api.open(ANA, subject="El DNS no resuelve")
    api.at(REPLIED)
    assert api.reply(ticket["id"], LUIS, "Pruebe ahora").status == 201
    postman.new()  # confirmation, receipt, reply
    # The reply took the ticket (its entry, operators only); history() leaves that entry out.
    taken = api.ticket(ticket["id"], LUIS)["history"]
    assert [(e["code"], e["params"].get("how")) for e in taken] == [("assigned", "reply")]
    return ticket["id"]


def history(api, ticket_id, who, language):
    """The thread's history after the reply that made the ticket wait (and took it)."""
    result = api.get(f"/tickets/{ticket_id}", who, headers={"Accept-Language": language})
    assert result.status == 200, result.body
    entries = [e for e in result.json()["history"] if e["code"] != "assigned"]
    return [(e["code"], e["actor_role"], e["at"], e["text"]) for e in entries]


def dynamodb_calls(client) -> list[str]:
    """The names of the DynamoDB operations this client sends from now on."""
    calls: list[str] = []
    client.meta.events.register(
        "before-call.dynamodb", lambda event_name, **_: calls.append(event_name.rsplit(".", 1)[-1])
    )
    return calls


def test_the_reminder_is_mailed_once_a_day_before_the_close_and_a_reply_to_it_answers(
    api, gateway, postman, mailbox
):
    ticket_id = waiting(api, postman, language="en")
    before = api.auto_close(REMIND - timedelta(minutes=1))
    assert before["reminders"] == {"due": 0, "reminded": 0, "skipped": 0, "items_read": 0}
    assert postman.new() == []

    calls = dynamodb_calls(client_of(gateway, "AutoCloseFunction"))
    run = api.auto_close(REMIND)
    assert run["reminders"] == {"due": 1, "reminded": 1, "skipped": 0, "items_read": 1}
    # the closes' index Query, the reminders' index Query, one guarded UpdateItem (with the entry)
    assert calls == ["Query", "Query", "UpdateItem"]
    # The thread says it, to the customer and to operators, each in the language they read in.
    at = "2026-11-27T12:05:00.000Z"
    assert history(api, ticket_id, ANA, "en") == [
        (
            "auto_close_reminded",
            "system",
            at,
            "Reminder sent: the ticket will close as resolved on 28/11/2026 13:05 (CET) "
            "unless we receive an answer.",
        )
    ]
    assert history(api, ticket_id, LUIS, "es") == [
        (
            "auto_close_reminded",
            "system",
            at,
            "Recordatorio enviado: el ticket se cerrará como resuelto el 28/11/2026 13:05 (CET) "
            "si no recibimos respuesta.",
        )
    ]
    [reminder] = postman.new()
    assert reminder["To"] == ANA_MAIL
    assert reminder["Subject"] == f"[#{ticket_id}] El DNS no resuelve"
    assert reminder["Content-Language"] == "en"
    body = text_of(reminder)
    assert "it will be closed as resolved on Saturday 28 November 2026 at 13:05 (CET)." in body
    assert f"#/tickets/{ticket_id}" in body
    assert api.ticket(ticket_id, ANA)["status"] == "WAITING"

    for again in (REMIND, REMIND + timedelta(minutes=5)):  # a repeated event, the next run
        assert api.auto_close(again)["reminders"]["due"] == 0
    assert postman.new() == []
    assert [code for code, *_ in history(api, ticket_id, ANA, "en")] == ["auto_close_reminded"]

    reply_to = reminder["Reply-To"].addresses[0].addr_spec
    api.at(REMIND + timedelta(hours=1))
    raw = mail(to=reply_to, subject=f"Re: {reminder['Subject']}", body="Still broken.",
               In_Reply_To=reminder["Message-ID"], References=reminder["Message-ID"])  # fmt: skip
    outcome = mailbox.deliver(raw, to=(reply_to,))
    assert (outcome["decision"], outcome["ticket_id"]) == ("reply:reply_address", ticket_id)
    after = api.ticket(ticket_id, ANA)
    assert after["status"] == "OPEN"
    assert after["messages"][-1]["body"] == "Still broken."
    assert api.auto_close(CLOSES + timedelta(hours=1))["closed"] == 0  # answered: it stays open


def test_each_waiting_period_gets_its_own_reminder(api, postman):
    ticket_id = waiting(api, postman)
    api.at(REMIND - timedelta(hours=2))
    api.reply(ticket_id, ANA, "Sigue igual")
    assert api.auto_close(REMIND)["reminders"]["due"] == 0  # the answer cancelled it
    api.at(REMIND)
    api.reply(ticket_id, LUIS, "¿Y ahora?")
    postman.new()
    second_close = REMIND + timedelta(hours=72)
    assert api.auto_close(second_close - timedelta(hours=24))["reminders"]["reminded"] == 1
    [reminder] = postman.new()
    says = "se cerrará como resuelto el lunes 30 de noviembre de 2026 a las 13:05 (CET)"
    assert says in text_of(reminder)


def test_a_customer_reply_just_before_the_reminders_write_wins(api, gateway, postman):
    ticket_id = waiting(api, postman)
    auto_close = client_of(gateway, "AutoCloseFunction")
    api.at(REMIND)
    customer = before_next_write(auto_close, "UpdateItem", lambda: api.reply(ticket_id, ANA, "Aquí sigo"))
    run = api.auto_close(REMIND)
    assert customer[0].status == 201
    assert run["reminders"] == {"due": 1, "reminded": 0, "skipped": 1, "items_read": 1}
    assert postman.new() == []  # no reminder of a ticket the customer just answered
    assert history(api, ticket_id, LUIS, "es") == []  # nor an entry saying one was sent
    assert api.ticket(ticket_id, ANA)["status"] == "OPEN"


def test_overlapping_runs_remind_once(api, gateway, postman):
    """A second run starts while the first is about to write: both found the reminder due; the
    first run's guarded write fails on the second's, so exactly one reminder is recorded."""
    ticket_id = waiting(api, postman)
    auto_close = client_of(gateway, "AutoCloseFunction")
    second = before_next_write(auto_close, "UpdateItem", lambda: api.auto_close(REMIND))
    first = api.auto_close(REMIND)
    assert second[0]["reminders"]["reminded"] == 1
    assert first["reminders"] == {"due": 1, "reminded": 0, "skipped": 1, "items_read": 1}
    [reminder] = postman.new()
    assert reminder["Subject"].startswith(f"[#{ticket_id}]")
    assert [code for code, *_ in history(api, ticket_id, LUIS, "es")] == ["auto_close_reminded"]


def test_a_waiting_ticket_merged_into_another_is_not_reminded(api, postman):
    ticket_id = waiting(api, postman)
    target = api.open(ANA, subject="El DNS sigue sin resolver")
    assert api.post(f"/tickets/{ticket_id}/merge", LUIS, body={"into": target["id"]}).status == 200
    assert api.auto_close(REMIND)["reminders"] == {"due": 0, "reminded": 0, "skipped": 0, "items_read": 0}
