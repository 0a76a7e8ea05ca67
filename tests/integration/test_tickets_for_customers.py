"""An operator opens a ticket for a customer who called or chatted (POST /tickets with account_id
and channel), through the handlers on moto: the ticket is the account's exactly as if the
customer had opened it (they see it and answer it, another account does not), the customer gets
the receipt with the tracking ID, and the thread says who wrote it down and how. Bad inputs
tried: an operator without account_id, without channel, with channel web or email, with an
unknown account, with an account whose only address is pending; a customer sending account_id
(own and another account's) or channel."""

from __future__ import annotations

import pytest

from tests.support.harness import ANA, BRUNO, LUIS

ANA_MAIL = "ana.perez@cliente.example"
CALL = {
    "department": "soporte",
    "subject": "Llama: sin correo",
    "body": "Dice que no recibe correo desde ayer.",
}


@pytest.fixture
def ana(api, postman):
    api.authorize(ANA, ANA_MAIL)
    postman.new()  # the confirmation mail
    return ANA


def test_a_phone_call_becomes_the_customers_ticket_with_its_receipt(api, postman, ana):
    opened = api.post("/tickets", LUIS, {**CALL, "account_id": "acct-1001", "channel": "phone"})
    assert opened.status == 201, opened.body
    ticket = opened.json()
    assert (ticket["account_id"], ticket["status"], ticket["priority"]) == ("acct-1001", "OPEN", "normal")
    [receipt] = postman.new()
    assert receipt["To"] == ANA_MAIL
    assert receipt["Subject"] == f"[#{ticket['id']}] Llama: sin correo"
    assert ticket["id"] in receipt.get_body(preferencelist=("plain",)).get_content()
    # The customer sees it as theirs and answers it; the thread says who wrote it down and how.
    mine = api.ticket(ticket["id"], ana)
    first = mine["messages"][0]
    # Customers never see an operator's address: one named by it shows as the department.
    assert (first["channel"], first["opened_by"], first["author_role"]) == (
        "phone",
        "Soporte Técnico",
        "customer",
    )
    assert first["author"] == ANA_MAIL
    # The history says it too, from the create's own write, to the customer and the desk.
    for reader, shown in ((ana, "Soporte Técnico"), (LUIS, LUIS["email"])):
        [entry] = api.ticket(ticket["id"], reader)["history"]
        assert (entry["code"], entry["actor_role"], entry["actor"], entry["params"]) == (
            "opened_on_behalf",
            "operator",
            shown,
            {"channel": "phone"},
        )
    assert entry["text"] == f"{LUIS['email']} abrió este ticket en nombre del cliente (por teléfono)."
    assert [t["id"] for t in api.get("/tickets", ana).json()["items"]] == [ticket["id"]]
    assert api.reply(ticket["id"], ana, "Sigue sin llegar").status == 201
    assert api.get(f"/tickets/{ticket['id']}", BRUNO).status == 404
    # It waits in the queue like any new ticket.
    queue = api.get("/tickets", LUIS, query={"sort": "queue", "status": "OPEN"}).json()["items"]
    assert [t["id"] for t in queue] == [ticket["id"]]


def test_a_chat_is_recorded_as_a_chat(api, ana):
    opened = api.post("/tickets", LUIS, {**CALL, "account_id": "acct-1001", "channel": "chat"})
    assert opened.status == 201, opened.body
    thread = api.ticket(opened.json()["id"])
    assert thread["messages"][0]["channel"] == "chat"
    english = api.get(f"/tickets/{opened.json()['id']}", LUIS, headers={"Accept-Language": "en"}).json()
    assert (
        english["history"][0]["text"]
        == f"{LUIS['email']} opened this ticket on the customer's behalf (by chat)."
    )


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({"channel": "phone"}, {"account_id"}),
        ({"account_id": "acct-1001"}, {"channel"}),
        ({}, {"account_id", "channel"}),
        ({"account_id": "acct-1001", "channel": "web"}, {"channel"}),
        ({"account_id": "acct-1001", "channel": "email"}, {"channel"}),
        ({"account_id": "acct-9999", "channel": "phone"}, {"account_id"}),
    ],
)
def test_an_operator_must_name_a_known_account_and_how(api, ana, extra, fields):
    result = api.post("/tickets", LUIS, {**CALL, **extra})
    assert result.status == 422, result.body
    error = result.json()["error"]
    assert {d["field"] for d in error["details"]} == fields
    assert error["message"]


def test_an_account_with_only_a_pending_address_is_not_known(api):
    result, _mail = api.add_address(BRUNO, "bruno@otro.example")
    assert result.status == 202
    refused = api.post("/tickets", LUIS, {**CALL, "account_id": "acct-2002", "channel": "phone"})
    assert refused.status == 422
    assert refused.json()["error"]["message"] == (
        "No hay ninguna cuenta acct-2002 con una dirección confirmada a la que enviar el acuse."
    )


@pytest.mark.parametrize(
    "extra",
    [{"account_id": "acct-1001"}, {"account_id": "acct-2002"}, {"channel": "phone"}, {"channel": "chat"}],
)
def test_customers_cannot_choose_account_or_channel(api, extra):
    result = api.post("/tickets", ANA, {**CALL, **extra}, headers={"Accept-Language": "en"})
    assert result.status == 422, result.body
    error = result.json()["error"]
    assert [d["field"] for d in error["details"]] == list(extra)
    assert error["details"][0]["message"] == "is not a field you can set"
    assert api.get("/tickets", ANA).json()["items"] == []
