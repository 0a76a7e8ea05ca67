"""`make run`'s production side over real HTTP on the local stack (DynamoDB Local, moto):
- the outbox can say a mail bounced: POST /_local/outbox/bounce hands SES's event record
  (SNS-wrapped, from events/) to the real mail_feedback function; the address is then marked on
  the account page, notify sends it nothing, and the customer can confirm it again. Bad input
  tried: no body, no address, an unknown type, not JSON;
- the table's stream feeds publish_events too, and GET /_local/events shows what reached the
  ticket event bus (moto's EventBridge, read from the archive), each detail valid for its schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devstack.server import DEMO_CUSTOMER, LocalStack
from tests.support.event_schemas import validate_detail
from tests.support.local_stack import Client, running_stack

DEMO = DEMO_CUSTOMER.email
TICKET = {"department": "soporte", "subject": "El webmail no carga", "body": "Desde ayer no puedo entrar."}


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(table_name="helpdesk-local-feedback", stream_interval=None) as local:
        yield local


@pytest.fixture(scope="module")
def client(stack: LocalStack) -> Client:
    return Client(stack.url)


def outbox(client: Client) -> list[dict[str, Any]]:
    return list(client.call("GET", f"/_local/outbox?to={DEMO}").body)


def demo_address(client: Client, token: str) -> dict[str, Any]:
    items = client.call("GET", "/account/emails", token).body["items"]
    return next(e for e in items if e["email"] == DEMO)


def test_a_simulated_bounce_marks_the_address_and_stops_the_mail(client: Client) -> None:
    customer = client.token("customer", account_id="acct-demo", email=DEMO)
    operator = client.token("operator", email="operador@netz0.example")
    ticket = client.call("POST", "/tickets", customer, TICKET).body
    assert len(outbox(client)) == 1  # the receipt

    soft = client.call("POST", "/_local/outbox/bounce", body={"email": DEMO, "type": "transient"})
    assert (soft.status, soft.body["decisions"][0]["outcome"]) == (200, "counted")
    assert demo_address(client, customer)["undeliverable"] is None

    hard = client.call("POST", "/_local/outbox/bounce", body={"email": DEMO})
    assert hard.status == 200
    assert hard.body["decisions"] == [{"address": DEMO, "kind": "permanent_bounce", "outcome": "marked"}]
    assert demo_address(client, customer)["undeliverable"]["reason"] == "bounce"

    reply = client.call("POST", f"/tickets/{ticket['id']}/replies", operator, {"body": "¿Qué navegador usa?"})
    assert reply.status == 201
    assert len(outbox(client)) == 1  # nothing more to the bouncing address
    seen = client.call("GET", f"/tickets/{ticket['id']}", operator).body["customer_undeliverable"]
    assert [s["email"] for s in seen] == [DEMO]

    again = client.call("POST", f"/account/emails/{DEMO}/reconfirm", customer)
    assert (again.status, again.body["status"]) == (202, "pending")
    assert "Confirm" in outbox(client)[0]["subject"] or "Confirme" in outbox(client)[0]["subject"]


@pytest.mark.parametrize(
    "body", [None, {}, {"email": ""}, {"email": DEMO, "type": "bounced"}, {"type": "bounce"}, "not json"]
)
def test_a_bounce_request_that_names_no_address_or_kind_says_what_to_send(client: Client, body: Any) -> None:
    reply = client.call("POST", "/_local/outbox/bounce", body=body)
    assert reply.status == 400
    assert "email" in reply.body["error"]["message"]


def test_what_happens_to_a_ticket_reaches_the_event_bus(client: Client) -> None:
    customer = client.token("customer", account_id="acct-demo", email=DEMO)
    operator = client.token("operator", email="operador@netz0.example")
    ticket = client.call("POST", "/tickets", customer, TICKET).body
    client.call("POST", f"/tickets/{ticket['id']}/replies", operator, {"body": "nota", "internal": True})
    assert client.call("POST", f"/tickets/{ticket['id']}/close", customer).status == 200
    found = client.call("GET", f"/_local/events?ticket_id={ticket['id']}")
    assert found.status == 200
    assert [e["detail-type"] for e in found.body] == ["TicketOpened", "MessageAdded", "TicketClosed"]
    for event in found.body:
        assert event["source"] == "netz0.helpdesk"
        validate_detail(event["detail-type"], event["detail"])
    closes = client.call("GET", "/_local/events?detail_type=TicketClosed").body
    assert ticket["id"] in [e["detail"]["ticket_id"] for e in closes]


def test_a_bounce_is_reported_at_the_stacks_time(client: Client) -> None:
    # Last in this module: the clock only moves forward. SES reports a bounce of a mail sent just
    # now, and "now" is the stack's time: the account's addresses were confirmed in it.
    customer = client.token("customer", account_id="acct-clock", email="reloj@demo.netz0.example")
    assert client.call("POST", "/tickets", customer, TICKET).status == 201
    moved = client.call("POST", "/_local/clock", body={"advance": "P3D"}).body
    reply = client.call("POST", "/_local/outbox/bounce", body={"email": "reloj@demo.netz0.example"})
    assert reply.body["decisions"][0]["outcome"] == "marked", reply.body
    marked = next(e for e in client.call("GET", "/account/emails", customer).body["items"])
    assert marked["undeliverable"]["since"][:10] == moved["now"][:10]
