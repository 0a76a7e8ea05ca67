"""Assignment and names through the handlers on moto (Cognito's operators group, the table from
template.yaml): who can be an assignee, unassigning, a reply taking an unassigned ticket in the
same write, and what customers see of operators (a name and the department, never an address).
Bad inputs tried: a customer assigning (with and without a body), an assignee who is a customer,
a made-up id, an e-mail address, an empty string, a number; another account's ticket."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from helpdesk import runtime
from tests.integration.test_races import before_next_write, client_of
from tests.support.harness import ANA, BRUNO, TABLE, customer, enlist


@pytest.fixture
def lucia(api) -> dict[str, Any]:
    return enlist("lucia@netz0.example", "Lucía Romero")


@pytest.fixture
def marcos(api) -> dict[str, Any]:
    return enlist("marcos@netz0.example", "Marcos Díaz")


def assign(api, ticket_id: str, who: dict[str, Any], body: Any = None) -> Any:
    return api.post(f"/tickets/{ticket_id}/assign", who, body)


def test_absent_takes_it_an_id_hands_it_over_null_unassigns(api, lucia, marcos):
    ticket = api.open()
    taken = assign(api, ticket["id"], lucia)
    assert taken.status == 200, taken.body
    assert (taken.json()["assignee"], taken.json()["assignee_name"]) == (lucia["sub"], "Lucía Romero")
    assert assign(api, ticket["id"], lucia, {}).json()["assignee"] == lucia["sub"]  # {} too
    handed = assign(api, ticket["id"], lucia, {"assignee": marcos["sub"]})
    assert (handed.json()["assignee"], handed.json()["assignee_name"]) == (marcos["sub"], "Marcos Díaz")
    assert [
        t["id"] for t in api.get("/tickets", lucia, query={"assignee": marcos["sub"]}).json()["items"]
    ] == [ticket["id"]]
    unassigned = assign(api, ticket["id"], marcos, {"assignee": None})
    assert unassigned.status == 200
    assert (unassigned.json()["assignee"], unassigned.json()["assignee_name"]) == (None, None)
    assert api.get("/tickets", lucia, query={"assignee": marcos["sub"]}).json()["items"] == []
    # Each change left its entry, by name; customers see none of them.
    assert [e["text"] for e in api.ticket(ticket["id"], lucia)["history"]] == [
        "Lucía Romero tomó el ticket.",
        "Lucía Romero tomó el ticket.",
        "Lucía Romero asignó el ticket a Marcos Díaz.",
        "Marcos Díaz dejó el ticket sin asignar.",
    ]
    assert api.ticket(ticket["id"], ANA)["history"] == []


def test_an_assignment_is_one_update_with_its_entry(api, gateway, lucia, marcos):
    ticket = api.open()
    client = client_of(gateway, "AssignFunction")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    try:
        assert assign(api, ticket["id"], lucia, {"assignee": None}).status == 200
    finally:
        client.meta.events.unregister("before-call.dynamodb")
    assert calls == ["UpdateItem"]
    assert [e["code"] for e in api.ticket(ticket["id"], lucia)["history"]] == ["unassigned"]


@pytest.mark.parametrize(
    "assignee",
    [customer()["sub"], "00000000-0000-0000-0000-000000000000", "lucia@netz0.example"],
)
def test_anyone_but_an_operator_is_422_unknown_operator(api, lucia, assignee):
    ticket = api.open()
    result = assign(api, ticket["id"], lucia, {"assignee": assignee})
    assert result.status == 422, result.body
    error = result.json()["error"]
    assert error["code"] == "unknown_operator"
    assert [d["field"] for d in error["details"]] == ["assignee"]
    assert api.ticket(ticket["id"], lucia)["assignee"] is None


@pytest.mark.parametrize("body", [{"assignee": ""}, {"assignee": 7}, {"assignee": ["x"]}])
def test_malformed_assignees_are_422(api, lucia, body):
    ticket = api.open()
    assert assign(api, ticket["id"], lucia, body).status == 422


@pytest.mark.parametrize("body", [None, {}, {"assignee": None}, {"assignee": ANA["sub"]}])
def test_customers_get_403_assigning_anything(api, body):
    ticket = api.open()
    result = assign(api, ticket["id"], ANA, body)
    assert result.status == 403, result.body


def test_another_accounts_ticket_is_404_and_shows_nothing(api, lucia):
    ticket = api.open()
    api.reply(ticket["id"], lucia, "Mirando")
    assert api.get(f"/tickets/{ticket['id']}", BRUNO).status == 404
    assert api.reply(ticket["id"], BRUNO, "hola").status == 404


def test_a_reply_takes_an_unassigned_ticket_in_the_one_write(api, gateway, lucia, marcos):
    ticket = api.open()
    client = client_of(gateway, "ReplyFunction")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    assert api.reply(ticket["id"], lucia, "Lo miro").status == 201
    assert calls == ["TransactWriteItems"]
    assert api.ticket(ticket["id"], lucia)["assignee_name"] == "Lucía Romero"
    api.reply(ticket["id"], marcos, "Yo también")  # someone else's reply does not take it from her
    after = api.get(f"/tickets/{ticket['id']}", lucia, headers={"Accept-Language": "en"}).json()
    assert after["assignee"] == lucia["sub"]
    # The write that took it wrote its entry; Marcos's reply to her ticket wrote none.
    assert [(e["code"], e["actor"], e["text"]) for e in after["history"]] == [
        ("assigned", "Lucía Romero", "Lucía Romero took the ticket by replying.")
    ]


def test_a_note_does_not_take_the_ticket(api, lucia):
    ticket = api.open()
    api.reply(ticket["id"], lucia, "nota", internal=True)
    assert api.ticket(ticket["id"], lucia)["assignee"] is None


def test_two_replies_at_once_the_first_to_land_has_it(api, gateway, lucia, marcos):
    ticket = api.open()
    api.later(minutes=1)
    replies = client_of(gateway, "ReplyFunction")
    marcos_reply = before_next_write(
        replies, "TransactWriteItems", lambda: api.reply(ticket["id"], marcos, "M")
    )
    assert api.reply(ticket["id"], lucia, "L").status == 201
    assert marcos_reply[0].status == 201
    after = api.ticket(ticket["id"], lucia)
    assert after["assignee"] == marcos["sub"]  # his write landed first; hers kept it
    assert [(e["code"], e["actor"]) for e in after["history"]] == [("assigned", "Marcos Díaz")]  # once
    # Both replies landed (written at the same instant: no order between them is assumed).
    assert sorted(m["body"] for m in after["messages"] if m["author_role"] == "operator") == ["L", "M"]


def test_customers_see_name_and_department_never_an_address(api, lucia):
    named = {**ANA, "name": "Ana Pérez"}
    ticket = api.open(who=named)
    api.later(minutes=1)
    api.reply(ticket["id"], lucia, "¿Qué navegador usa?")
    seen = api.ticket(ticket["id"], named)
    assert seen["assignee"] is None
    assert seen["assignee_name"] == "Lucía Romero · Soporte Técnico"
    assert [(m["author_role"], m["author"]) for m in seen["messages"]] == [
        ("customer", "Ana Pérez"),
        ("operator", "Lucía Romero · Soporte Técnico"),
    ]
    listed = api.get("/tickets", named).json()["items"][0]
    assert listed["assignee_name"] == "Lucía Romero · Soporte Técnico"
    assert "@netz0" not in str(seen) + str(listed)
    operator_view = api.ticket(ticket["id"], lucia)
    assert operator_view["messages"][1]["author"] == "Lucía Romero"
    assert operator_view["messages"][0]["author"] == "Ana Pérez"


def test_a_ticket_assigned_by_address_before_ids_is_read_as_it_was(api, gateway, lucia):
    ticket = api.open()
    _assigned_by_address(ticket["id"])
    operator_view = api.ticket(ticket["id"], lucia)
    assert (operator_view["assignee"], operator_view["assignee_name"]) == (
        "luis@netz0.example",
        "luis@netz0.example",
    )
    customer_view = api.ticket(ticket["id"], ANA)
    assert (customer_view["assignee"], customer_view["assignee_name"]) == (None, "Soporte Técnico")
    client = client_of(gateway, "ReplyFunction")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    try:
        # It has no assignee guard: the reply that could take it is refused and written again as
        # the plain reply it is (the ticket is Luis's), adding the guard; the next costs one.
        assert api.reply(ticket["id"], lucia, "Sigo yo").status == 201
        assert calls == ["TransactWriteItems", "TransactWriteItems"]
        assert api.reply(ticket["id"], lucia, "Y sigo").status == 201
        assert calls == ["TransactWriteItems"] * 3
    finally:
        client.meta.events.unregister("before-call.dynamodb")
    after = api.ticket(ticket["id"], lucia)
    # The old assignee stays, no wrong name is shown and nobody "took it by replying".
    assert (after["assignee"], after["assignee_name"]) == ("luis@netz0.example", "luis@netz0.example")
    assert after["history"] == []
    # Both landed (written at the same instant: no order between them is assumed).
    replies = sorted(m["body"] for m in after["messages"] if m["author_role"] == "operator")
    assert replies == ["Sigo yo", "Y sigo"]
    stored = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"pk": {"S": f"TICKET#{ticket['id']}"}, "sk": {"S": "TICKET"}}
    )["Item"]
    assert stored["assignee_name"] == {"S": "luis@netz0.example"}  # never the replier's name
    handed = assign(api, ticket["id"], lucia)
    assert handed.json()["assignee_name"] == "Lucía Romero"


def _assigned_by_address(ticket_id: str) -> None:
    """The ticket as a change before operator ids and the assignee guard left it."""
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "TICKET"}},
        UpdateExpression="SET assignee = :a, assignee_pk = :p",
        ExpressionAttributeValues={
            ":a": {"S": "luis@netz0.example"},
            ":p": {"S": "ASSIGNEE#luis@netz0.example"},
        },
    )


def test_a_reply_to_an_old_assigned_ticket_someone_assigns_meanwhile_lands_once(api, gateway, lucia, marcos):
    ticket = api.open()
    _assigned_by_address(ticket["id"])
    replies = client_of(gateway, "ReplyFunction")
    calls: list[str] = []
    took: list[object] = []

    def hook(model, **_):
        calls.append(model.name)
        if len(calls) == 2:  # after the refusal, right before the write from the item it read
            took.append(assign(api, ticket["id"], marcos))

    replies.meta.events.register("before-call.dynamodb.TransactWriteItems", hook)
    try:
        reply = api.reply(ticket["id"], lucia, "Sigo yo")
    finally:
        replies.meta.events.unregister("before-call.dynamodb.TransactWriteItems", hook)
    assert took[0].status == 200
    assert reply.status == 201, reply.body
    # Refused (no guard), refused again (Marcos took it meanwhile), written on his ticket.
    assert calls == ["TransactWriteItems"] * 3
    after = api.ticket(ticket["id"], lucia)
    assert after["assignee"] == marcos["sub"]
    assert [e["text"] for e in after["history"]] == ["Marcos Díaz tomó el ticket."]
    assert [m["body"] for m in after["messages"] if m["author_role"] == "operator"] == ["Sigo yo"]


def test_assign_calls_cognito_only_to_hand_over(api, gateway, lucia, marcos):
    ticket = api.open()
    assign(api, ticket["id"], lucia)  # taking it: the token says who
    spec = next(s for s in gateway.specs if s.logical_id == "AssignFunction")
    group = gateway.module(spec).service._directory._group
    assert group.calls == 0
    assign(api, ticket["id"], lucia, {"assignee": marcos["sub"]})
    assign(api, ticket["id"], marcos, {"assignee": lucia["sub"]})
    assert group.calls == 1  # the container's copy of the group, read once
    assert runtime.operator_directory() is gateway.module(spec).service._directory
