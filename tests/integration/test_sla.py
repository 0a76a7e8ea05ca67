"""SLA through the handlers on moto, with the template's own policies (soporte: Monday to Friday
09:00-19:00 Europe/Madrid with Madrid's holidays, first response 60 business minutes, next 120;
comercial: the same hours, 120 and 240): the `sla` operators see, ?sort=due, and the escalation
run on its EventBridge schedule event."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import boto3

from devstack.events import fixture
from tests.integration.test_races import before_next_write, client_of
from tests.support.harness import ANA, BRUNO, LUIS, TABLE

MADRID = ZoneInfo("Europe/Madrid")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)


def test_operators_see_the_running_target_and_customers_do_not(api):
    ticket = api.at(at("2026-11-20 18:55")).open()  # a Friday, five minutes before closing
    api.at(at("2026-11-21 12:00"))
    sla = api.ticket(ticket["id"], LUIS)["sla"]
    assert sla == {
        "state": "running",
        "target": "first_response",
        "target_minutes": 60,
        "due_at": "2026-11-23T08:55:00.000Z",  # Monday 09:55 in Madrid
        "minutes_left": 55,
        "breached": False,
    }
    assert api.ticket(ticket["id"], ANA)["sla"] is None
    listed = api.get("/tickets", ANA).json()["items"]
    assert [t["sla"] for t in listed] == [None]

    api.at(at("2026-11-23 10:05"))
    overdue = api.ticket(ticket["id"], LUIS)["sla"]
    assert (overdue["minutes_left"], overdue["breached"]) == (-10, True)

    api.reply(ticket["id"], LUIS, "¿Qué navegador usa?")
    assert api.ticket(ticket["id"], LUIS)["sla"]["state"] == "paused"
    api.at(at("2026-11-23 12:00"))
    api.reply(ticket["id"], ANA, "Firefox")
    following = api.ticket(ticket["id"], LUIS)["sla"]
    assert (following["target"], following["due_at"]) == ("next_response", "2026-11-23T13:00:00.000Z")
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    assert api.ticket(ticket["id"], LUIS)["sla"]["state"] == "stopped"


def test_sort_by_due_lists_what_breaches_next_page_by_page(api):
    api.at(at("2026-11-23 10:00"))
    late = api.open(subject="first")  # soporte, due 11:00
    api.at(at("2026-11-23 09:30"))
    sales = api.open(subject="sales", department="comercial")  # due 11:30
    api.at(at("2026-11-23 09:45"))
    soonest = api.open(subject="soonest")  # due 10:45
    answered = api.open(subject="answered")
    api.reply(answered["id"], LUIS, "Hecho")  # WAITING: nobody owes an answer
    api.at(at("2026-11-23 10:10"))
    first_page = api.get("/tickets", LUIS, query={"sort": "due", "limit": "2"}).json()
    assert [t["id"] for t in first_page["items"]] == [soonest["id"], late["id"]]
    assert first_page["items"][0]["sla"]["minutes_left"] == 35
    second = api.get(
        "/tickets", LUIS, query={"sort": "due", "limit": "2", "cursor": first_page["next_cursor"]}
    ).json()
    assert ([t["id"] for t in second["items"]], second["next_cursor"]) == ([sales["id"]], None)
    only_sales = api.get("/tickets", LUIS, query={"sort": "due", "department": "comercial"}).json()
    assert [t["id"] for t in only_sales["items"]] == [sales["id"]]


def test_sort_by_due_refusals(api):
    """Bad inputs tried: a customer asking, a filter that does not combine, a forged cursor, an
    unknown sort and department."""
    api.open()
    assert api.get("/tickets", ANA, query={"sort": "due"}).status == 403
    refused = api.get("/tickets", LUIS, query={"sort": "due", "status": "OPEN"})
    assert (refused.status, refused.json()["error"]["details"][0]["field"]) == (422, "sort")
    assert api.get("/tickets", LUIS, query={"sort": "due", "cursor": "bm90LWEtY3Vyc29y"}).status == 400
    assert api.get("/tickets", LUIS, query={"sort": "priority"}).status == 422
    assert api.get("/tickets", LUIS, query={"sort": "due", "department": "ventas"}).status == 422


def test_escalation_warns_then_reports_the_breach_once_each(api):
    ticket = api.at(at("2026-11-20 18:55")).open()
    assert api.escalate(at("2026-11-23 09:00"))["warned"] == 0
    first = api.escalate(at("2026-11-23 09:25"))
    assert (first["warned"], first["breached"], first["items_read"]) == (1, 0, 1)
    again = api.escalate(at("2026-11-23 09:25"))  # a duplicated schedule event
    assert (again["warned"], again["items_read"]) == (0, 0)
    assert api.escalate(at("2026-11-23 09:56"))["breached"] == 1
    assert api.escalate(at("2026-11-23 11:00"))["breached"] == 0
    api.at(at("2026-11-23 11:00"))
    alerts = [e["text"] for e in api.ticket(ticket["id"], LUIS)["history"] if e["code"].startswith("sla_")]
    assert alerts == [
        "SLA: la primera respuesta vence el 23/11/2026 09:55 (quedan 30 min hábiles).",
        "SLA: la primera respuesta venció el 23/11/2026 09:55 sin respuesta.",
    ]
    english = api.get(f"/tickets/{ticket['id']}", LUIS, headers={"Accept-Language": "en"}).json()["history"]
    assert english[-1]["text"] == "SLA: the first response was due on 23/11/2026 09:55 and was missed."
    assert api.ticket(ticket["id"], ANA)["history"] == []  # customers never see them
    # The alerts changed nothing the operator loaded: If-Match with the opening version still works.
    reply = api.reply(ticket["id"], LUIS, "Perdone la espera", headers={"if-match": '"1"'})
    assert reply.status == 201, reply.body


def test_the_schedule_fixture_event_runs_the_handler(api, gateway):
    """events/scheduled_escalate.json is a real EventBridge Scheduled Event (2026-11-23T09:00Z,
    10:00 in Madrid)."""
    api.at(at("2026-11-23 09:30"))
    ticket = api.open()
    other = api.open(who=BRUNO, subject="Otro")
    api.reply(other["id"], LUIS, "Listo")
    spec = next(s for s in gateway.specs if s.logical_id == "EscalateFunction")
    report = gateway.invoke(spec, fixture("scheduled_escalate.json"))
    assert (report["warned"], report["breached"], report["items_read"]) == (1, 0, 1)
    api.at(at("2026-11-23 10:00"))
    assert "quedan 30 min" in api.ticket(ticket["id"], LUIS)["history"][-1]["text"]


def test_a_second_customer_message_keeps_the_oldest_unanswered_start(api):
    ticket = api.at(at("2026-11-23 10:00")).open()
    api.at(at("2026-11-23 10:10"))
    api.reply(ticket["id"], LUIS, "¿Desde cuándo?")
    api.at(at("2026-11-23 11:00"))
    api.reply(ticket["id"], ANA, "Desde ayer")
    api.at(at("2026-11-23 11:45"))
    api.reply(ticket["id"], ANA, "¿Hay novedades?")  # still waiting on the 11:00 message
    api.reply(ticket["id"], LUIS, "Lo estoy mirando", internal=True)  # a note does not stop it
    sla = api.ticket(ticket["id"], LUIS)["sla"]
    assert (sla["state"], sla["target"], sla["due_at"]) == (
        "running",
        "next_response",
        "2026-11-23T12:00:00.000Z",  # 13:00 in Madrid: 120 business minutes after 11:00
    )


def test_an_operator_reply_during_the_escalation_run_wins(api, gateway):
    ticket = api.at(at("2026-11-23 10:00")).open()
    escalate = client_of(gateway, "EscalateFunction")
    api.at(at("2026-11-23 11:30"))
    reply = before_next_write(
        escalate, "TransactWriteItems", lambda: api.reply(ticket["id"], LUIS, "Ya está")
    )
    report = api.escalate(at("2026-11-23 11:30"))
    assert reply[0].status == 201
    assert (report["breached"], report["skipped"]) == (0, 1)
    # No alert: the reply won (and took the ticket).
    assert [e["code"] for e in api.ticket(ticket["id"], LUIS)["history"]] == ["assigned"]


def test_overlapping_escalation_runs_alert_once(api, gateway):
    ticket = api.at(at("2026-11-23 10:00")).open()
    escalate = client_of(gateway, "EscalateFunction")
    other_run = before_next_write(
        escalate, "TransactWriteItems", lambda: api.escalate(at("2026-11-23 11:30"))
    )
    first_run = api.escalate(at("2026-11-23 11:30"))
    assert other_run[0]["breached"] == 1
    assert (first_run["breached"], first_run["skipped"]) == (0, 1)
    api.at(at("2026-11-23 11:31"))
    assert [e["code"] for e in api.ticket(ticket["id"], LUIS)["history"]] == ["sla_breached"]


def test_an_urgent_ticket_is_alerted_on_its_own_policy_through_the_priority_index(api, gateway):
    """soporte's urgent policy is 30 minutes on a 24x7 calendar; its normal one counts office
    hours only, so on a Saturday the department's index (asked with normal's thresholds) finds
    nothing: the urgent ticket is read from sla_by_priority, and nothing else is."""
    saturday = at("2026-11-21 10:00")
    urgent = api.at(saturday).open()
    normal = api.open()
    assert api.call("PATCH", f"/tickets/{urgent['id']}", LUIS, body={"priority": "urgent"}).status == 200
    calls: list[str] = []
    escalate = client_of(gateway, "EscalateFunction")
    escalate.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    try:
        warned = api.escalate(at("2026-11-21 10:05"))
    finally:
        escalate.meta.events.unregister("before-call.dynamodb")
    assert (warned["warned"], warned["breached"], warned["items_read"]) == (1, 0, 1)
    assert calls.count("TransactWriteItems") == 1  # the alert's one transaction
    breached = api.escalate(at("2026-11-21 10:31"))
    assert (breached["breached"], breached["items_read"]) == (1, 1)
    api.at(at("2026-11-21 10:32"))
    alerts = [e["code"] for e in api.ticket(urgent["id"], LUIS)["history"] if e["code"].startswith("sla_")]
    assert alerts == ["sla_warning", "sla_breached"]
    assert api.ticket(normal["id"], LUIS)["history"] == []
    # Back to normal, it leaves the priority index: a run reads nothing on a Saturday.
    assert api.call("PATCH", f"/tickets/{urgent['id']}", LUIS, body={"priority": "normal"}).status == 200
    stored = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"pk": {"S": f"TICKET#{urgent['id']}"}, "sk": {"S": "TICKET"}}
    )["Item"]
    assert "sla_priority_pk" not in stored
    assert api.escalate(at("2026-11-21 11:00"))["items_read"] == 0
