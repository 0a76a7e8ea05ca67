"""Races, made deterministic: the competing request is run inside a botocore hook that fires
just before the first request's write reaches DynamoDB, i.e. after everything it read or
decided. Each test then checks what a user would: no message lost, nothing done twice."""

from collections.abc import Callable
from datetime import timedelta

from helpdesk import runtime
from helpdesk.domain import ids
from tests.support.harness import ANA, LUIS, MARTA, T0


def client_of(gateway, logical_id):
    """The DynamoDB client the function's module uses: the process's one client (runtime.dynamodb)."""
    gateway.module(next(s for s in gateway.specs if s.logical_id == logical_id))
    return runtime.dynamodb()


def before_next_write(client, operation: str, competitor: Callable[[], object]) -> list[object]:
    """Run `competitor` once, right before this client's next `operation` call is sent."""
    outcome: list[object] = []
    event = f"before-call.dynamodb.{operation}"

    def hook(**_kwargs):
        client.meta.events.unregister(event, hook)  # once, and not for the competitor's own call
        outcome.append(competitor())

    client.meta.events.register(event, hook)
    return outcome


def test_two_operators_replying_at_once_both_keep_their_messages(api, gateway):
    ticket = api.open()
    api.later(minutes=1)
    replies = client_of(gateway, "ReplyFunction")
    marta = before_next_write(replies, "TransactWriteItems", lambda: api.reply(ticket["id"], MARTA, "Marta"))
    luis = api.reply(ticket["id"], LUIS, "Luis")
    assert luis.status == 201
    assert marta[0].status == 201
    after = api.ticket(ticket["id"])
    # Same request time: their order is the message ids', so compare as a set.
    assert sorted(m["body"] for m in after["messages"][1:]) == ["Luis", "Marta"]
    assert after["status"] == "WAITING"
    assert after["version"] == 3


def test_two_operators_with_if_match_the_second_is_told_and_loses_nothing_silently(api, gateway):
    ticket = api.open()
    api.later(minutes=1)
    seen = api.get(f"/tickets/{ticket['id']}", LUIS).headers["etag"]
    replies = client_of(gateway, "ReplyFunction")
    marta = before_next_write(
        replies,
        "TransactWriteItems",
        lambda: api.reply(ticket["id"], MARTA, "Marta", headers={"If-Match": seen}),
    )
    luis = api.reply(ticket["id"], LUIS, "Luis", headers={"If-Match": seen})
    assert marta[0].status == 201
    assert luis.status == 409
    assert luis.json()["error"]["code"] == "version_conflict"
    assert [m["body"] for m in api.ticket(ticket["id"])["messages"]][1:] == ["Marta"]


def test_customer_reply_against_auto_close_the_reply_wins(api, gateway):
    ticket = api.open()
    api.later(minutes=1)
    api.reply(ticket["id"], LUIS, "¿Sigue fallando?")
    auto_close = client_of(gateway, "AutoCloseFunction")
    api.at(T0 + timedelta(hours=72, minutes=59))
    customer = before_next_write(
        auto_close, "UpdateItem", lambda: api.reply(ticket["id"], ANA, "Sí, sigue fallando")
    )
    report = api.auto_close(T0 + timedelta(hours=73))
    assert customer[0].status == 201
    assert (report["due"], report["closed"], report["skipped"]) == (1, 0, 1)
    after = api.ticket(ticket["id"], ANA)
    assert after["status"] == "OPEN"
    assert after["closed_reason"] is None
    assert after["history"] == []
    assert after["messages"][-1]["body"] == "Sí, sigue fallando"


def test_overlapping_auto_close_runs_close_each_ticket_once(api, gateway):
    ticket = api.open()
    api.later(minutes=1)
    api.reply(ticket["id"], LUIS, "pregunta")
    auto_close = client_of(gateway, "AutoCloseFunction")
    at = T0 + timedelta(hours=73)
    other_run = before_next_write(
        auto_close, "UpdateItem", lambda: api.auto_close(at + timedelta(seconds=30))
    )
    first_run = api.auto_close(at)
    assert other_run[0]["closed"] == 1
    assert (first_run["closed"], first_run["skipped"]) == (0, 1)
    # Closed once (after the entry of Luis's reply taking the ticket).
    assert [e["code"] for e in api.ticket(ticket["id"])["history"]] == ["assigned", "closed"]


def test_close_against_a_customer_reply_with_if_match_fails_cleanly(api, gateway):
    ticket = api.open()
    api.later(minutes=1)
    api.reply(ticket["id"], LUIS, "pregunta")
    seen = api.get(f"/tickets/{ticket['id']}", LUIS).headers["etag"]
    closes = client_of(gateway, "CloseFunction")
    before_next_write(closes, "UpdateItem", lambda: api.reply(ticket["id"], ANA, "¡Espere, aún falla!"))
    result = api.post(f"/tickets/{ticket['id']}/close", LUIS, headers={"If-Match": seen})
    assert result.status == 409
    assert api.ticket(ticket["id"])["status"] == "OPEN"


def test_concurrent_creates_get_distinct_ids(api, gateway, monkeypatch):
    drawn = iter(["NZ-11111111", "NZ-11111111", "NZ-22222222"])
    monkeypatch.setattr(ids, "new_ticket_id", lambda: next(drawn))
    client = client_of(gateway, "OpenTicketFunction")
    other = before_next_write(
        client,
        "TransactWriteItems",
        lambda: api.post("/tickets", ANA, {"department": "soporte", "subject": "Segundo", "body": "dos"}),
    )
    first = api.post("/tickets", ANA, {"department": "soporte", "subject": "Primero", "body": "uno"})
    assert other[0].json()["id"] == "NZ-11111111"
    assert first.json()["id"] == "NZ-22222222"
    assert api.ticket("NZ-11111111", ANA)["subject"] == "Segundo"
    assert api.ticket("NZ-22222222", ANA)["subject"] == "Primero"
    assert api.ticket("NZ-22222222", ANA)["messages"][0]["body"] == "uno"


def test_concurrent_idempotent_retries_create_one_ticket(api, gateway):
    client = client_of(gateway, "OpenTicketFunction")
    request = {"department": "soporte", "subject": "Una vez", "body": "solo una"}
    retry = before_next_write(
        client,
        "TransactWriteItems",
        lambda: api.post("/tickets", ANA, request, headers={"Idempotency-Key": "k"}),
    )
    first = api.post("/tickets", ANA, request, headers={"Idempotency-Key": "k"})
    assert first.status == retry[0].status == 201
    assert first.json()["id"] == retry[0].json()["id"]
    assert len(api.get("/tickets", ANA).json()["items"]) == 1
