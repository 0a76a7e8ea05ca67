"""`make run` end to end: the local stack started in-process on a free port and driven over real
HTTP, tokens from its local issuer, the AWS calls going to its embedded moto server."""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack.auth import Identity, Role
from devstack.server import LocalStack
from tests.support.local_stack import CLIENT_TIMEOUT, Client, running_stack

TICKET = {"department": "soporte", "subject": "El webmail no carga", "body": "Desde ayer no puedo entrar."}


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(table_name="helpdesk-local-test") as local:
        yield local


@pytest.fixture(scope="module")
def client(stack: LocalStack) -> Client:
    return Client(stack.url)


@pytest.fixture(scope="module")
def customer(client: Client) -> str:
    return client.token("customer", account_id="acct-demo", email="cliente@demo.netz0.example")


@pytest.fixture(scope="module")
def operator(client: Client) -> str:
    return client.token("operator", email="operador@netz0.example")


def test_stop_puts_the_environment_back() -> None:
    # Runs before the module's stack starts (it is the first test), so the two never overlap.
    before = os.environ.copy()
    with LocalStack(port=0, table_name="helpdesk-local-env", schedule_interval=None, smtp_port=0) as local:
        assert os.environ["AWS_ENDPOINT_URL"] == local.aws_endpoint
        assert (
            Client(local.url).call("GET", "/departments", Client(local.url).token("operator")).status == 200
        )
    assert os.environ == before


def test_schedule_runs_by_itself_and_survives_errors() -> None:
    runs: list[datetime] = []

    def flaky(logical_id: str, at: datetime) -> dict[str, int]:
        runs.append(at)
        if len(runs) == 1:
            raise RuntimeError("first run fails")
        return {"closed": 0, "skipped": 0, "due": 0, "items_read": 0}

    with LocalStack(
        port=0, table_name="helpdesk-local-schedule", schedule_interval=0.05, smtp_port=0
    ) as local:
        local.api.gateway.run_schedule = flaky  # type: ignore[method-assign]
        deadline = time.monotonic() + 5
        while len(runs) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(runs) >= 3
    assert all(at.tzinfo is UTC for at in runs)


def test_ticket_lifecycle_over_http(client: Client, customer: str, operator: str) -> None:
    opened = client.call("POST", "/tickets", customer, TICKET)
    assert opened.status == 201, opened.body
    assert opened.body["status"] == "OPEN"
    path = f"/tickets/{opened.body['id']}"

    assert client.call("POST", f"{path}/assign", operator).status == 200
    assert client.call("POST", f"{path}/replies", operator, {"body": "¿Qué navegador usa?"}).status == 201
    waiting = client.call("GET", path, customer).body
    assert (waiting["status"], waiting["status_label"]) == ("WAITING", "Espera")

    assert client.call("POST", f"{path}/replies", customer, {"body": "Firefox"}).status == 201
    assert client.call("GET", path, customer).body["status"] == "OPEN"

    assert (
        client.call("POST", f"{path}/replies", operator, {"body": "Pruebe ahora, por favor."}).status == 201
    )
    due = client.call("GET", path, operator).body["auto_close_at"]
    assert due is not None
    # Handlers take "now" from the event, i.e. the wall clock at request time: 73 h later is past due.
    at = (datetime.now(UTC) + timedelta(hours=73)).isoformat()
    run = client.call("POST", "/_local/auto-close", body={"at": at})
    assert run.status == 200, run.body
    assert run.body["closed"] >= 1
    assert set(run.body) == {"closed", "skipped", "due", "items_read", "reminders"}
    closed = client.call("GET", path, customer).body
    assert (closed["status"], closed["closed_reason"]) == ("CLOSED", "inactivity")

    reopened = client.call("POST", f"{path}/reopen", customer)
    assert reopened.status == 200, reopened.body
    assert reopened.body["status"] == "OPEN"

    stranger = client.token("customer", account_id="acct-2002", email="bruno@otro.example")
    assert client.call("GET", path, stranger).status == 404


def test_the_local_stream_keeps_the_report_aggregates(client: Client, customer: str, operator: str) -> None:
    before = client.call("GET", "/reports", operator)
    assert before.status == 200, before.body
    opened = client.call("POST", "/tickets", customer, TICKET)
    assert opened.status == 201, opened.body
    reply = {"body": "Hecho"}
    assert client.call("POST", f"/tickets/{opened.body['id']}/replies", operator, reply).status == 201
    # The poller delivers the table's stream to AggregateReportsFunction (its FilterCriteria
    # applied) moments after the write, as Lambda would.
    deadline = time.monotonic() + 10
    while True:
        after = client.call("GET", "/reports", operator).body["total"]
        if after["opened"]["total"] > before.body["total"]["opened"]["total"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert after["opened"]["total"] == before.body["total"]["opened"]["total"] + 1
    assert after["first_response"]["count"] == before.body["total"]["first_response"]["count"] + 1
    assert client.call("GET", "/reports", customer).status == 403


def test_the_customer_rates_from_the_close_mail_and_the_report_counts_it(
    client: Client, customer: str, operator: str
) -> None:
    before = client.call("GET", "/reports", operator).body["total"]["satisfaction"]
    ticket_id = client.call("POST", "/tickets", customer, TICKET).body["id"]
    assert client.call("POST", f"/tickets/{ticket_id}/replies", operator, {"body": "Hecho"}).status == 201
    assert client.call("POST", f"/tickets/{ticket_id}/close", customer).status == 200
    # The close mail the demo customer's confirmed address received, and its "good" link.
    sent = client.call("GET", "/_local/outbox?to=cliente@demo.netz0.example").body
    mail = email.message_from_string(
        next(m["raw"] for m in sent if ticket_id in m["subject"] and "#/rate?token=" in m["raw"]),
        policy=email.policy.default,
    )
    text = mail.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"#/rate\?token=([^&\s]+)&rating=good", text)
    assert found, text
    rated = client.call("PUT", "/ratings", None, {"token": unquote(found.group(1)), "rating": "good"})
    assert rated.status == 200, rated.body
    deadline = time.monotonic() + 10  # the poller delivers the rating's stream record
    while True:
        after = client.call("GET", "/reports", operator).body["total"]["satisfaction"]
        if after["good"] > before["good"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (after["good"], after["bad"]) == (before["good"] + 1, before["bad"])


def test_customers_see_only_their_account(client: Client, customer: str) -> None:
    mine = client.call("POST", "/tickets", customer, TICKET).body["id"]
    other = client.token("customer", account_id="acct-3003", email="carla@tercero.example")
    listed = client.call("GET", "/tickets", other)
    assert listed.status == 200
    assert mine not in {t["id"] for t in listed.body["items"]}


def test_no_token_is_unauthorized(client: Client) -> None:
    reply = client.call("GET", "/tickets")
    assert (reply.status, reply.body) == (401, {"message": "Unauthorized"})


def test_token_signed_by_another_key_is_unauthorized(stack: LocalStack, client: Client) -> None:
    claims = stack.issuer.claims(Identity(Role.OPERATOR, "mallory@evil.example"))
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": stack.issuer.kid})
    reply = client.call("GET", "/tickets", forged)
    assert (reply.status, reply.body) == (401, {"message": "Unauthorized"})


def test_expired_token_is_unauthorized(stack: LocalStack, client: Client) -> None:
    expired, _ = stack.issuer.mint(
        Identity(Role.CUSTOMER, "cliente@demo.netz0.example", "acct-demo"),
        now=datetime.now(UTC) - timedelta(hours=13),
    )
    reply = client.call("GET", "/tickets", expired)
    assert reply.status == 401
    assert "expired" in reply.headers["www-authenticate"]


def test_token_for_another_audience_is_unauthorized(stack: LocalStack, client: Client) -> None:
    claims = {**stack.issuer.claims(Identity(Role.OPERATOR, "operador@netz0.example")), "aud": "someone-else"}
    assert client.call("GET", "/tickets", stack.issuer.sign(claims)).status == 401


def test_token_without_bearer_prefix_is_accepted(client: Client, operator: str) -> None:
    # API Gateway takes the token with or without "Bearer ".
    assert client.call("GET", "/tickets", headers={"Authorization": operator}).status == 200


def test_local_token_claims_look_like_cognito(stack: LocalStack, client: Client) -> None:
    reply = client.call("POST", "/_local/token", body={"role": "operator", "email": "marta@netz0.example"})
    claims = reply.body["claims"]
    assert claims["cognito:groups"] == ["operators"]
    assert (claims["iss"], claims["aud"], claims["token_use"]) == (
        stack.issuer.issuer,
        stack.issuer.audience,
        "id",
    )
    assert claims["exp"] - claims["iat"] == 12 * 3600
    again = client.call("POST", "/_local/token", body={"role": "operator", "email": "marta@netz0.example"})
    assert again.body["claims"]["sub"] == claims["sub"]


@pytest.mark.parametrize(
    "body",
    [{"role": "admin"}, {"role": "customer"}, {"role": "customer", "account_id": ""}, ["customer"]],
    ids=["bad-role", "customer-without-account", "empty-account", "not-an-object"],
)
def test_local_token_refuses_bad_requests(client: Client, body: Any) -> None:
    reply = client.call("POST", "/_local/token", body=body)
    assert reply.status == 400
    assert set(reply.body["error"]) == {"code", "message"}


@pytest.mark.parametrize(
    "body",
    [{"at": "yesterday"}, {"at": 12}, {"when": "now"}, ["2026-11-28T12:00:00Z"]],
    ids=["not-iso", "not-text", "no-at", "not-an-object"],
)
def test_local_auto_close_needs_a_time(client: Client, body: Any) -> None:
    reply = client.call("POST", "/_local/auto-close", body=body)
    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/_local/auto-close", "/_local/escalate"])
@pytest.mark.parametrize("body", [None, {}], ids=["no-body", "empty"])
def test_local_schedules_run_at_the_stacks_time_without_one(client: Client, path: str, body: Any) -> None:
    reply = client.call("POST", path, body=body)
    assert reply.status == 200, reply.body
    assert "items_read" in reply.body


def test_the_local_clock_is_the_real_one_until_moved(client: Client) -> None:
    before = datetime.now(UTC)
    shown = client.call("GET", "/_local/clock").body
    now = datetime.fromisoformat(shown["now"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=1) <= now <= datetime.now(UTC) + timedelta(seconds=1)
    assert shown["offset_seconds"] == 0
    assert (shown["time_zone"], datetime.fromisoformat(shown["local"]).utcoffset() is not None) == (
        "Europe/Madrid",
        True,
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b'["PT2H"]', "one field"),
        (b'{"when": "2030-01-04T18:55:00+01:00"}', 'Unknown field "when"'),
        (b'{"at": "2030-01-04T18:55:00"}', "time zone offset"),
        (b'{"at": "2020-01-03T18:55:00+01:00"}', "only moves forward"),
        (b'{"advance": "-PT1H"}', "only moves forward"),
        (b'{"advance": "2 horas"}', "ISO 8601 duration"),
    ],
    ids=["not-json", "not-an-object", "unknown-field", "no-time-zone", "backwards", "negative", "not-iso"],
)
def test_bad_clock_requests_are_400_and_change_nothing(client: Client, raw: bytes, says: str) -> None:
    reply = client.call_raw("POST", "/_local/clock", raw)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "invalid_request"
    assert says in reply.body["error"]["message"]
    # The stack's time is still the real one (this module's stack is never moved).
    assert client.call("GET", "/_local/clock").body["offset_seconds"] == 0


def test_local_auto_close_takes_a_naive_time_as_utc(client: Client) -> None:
    reply = client.call("POST", "/_local/auto-close", body={"at": "2020-01-01T00:00:00"})
    assert reply.status == 200
    assert reply.body["closed"] == 0


def test_openapi_needs_no_token(client: Client) -> None:
    reply = client.call("GET", "/openapi.json")
    assert reply.status == 200
    assert "/tickets" in reply.body["paths"]


def test_unknown_route_is_not_found(client: Client, operator: str) -> None:
    assert client.call("GET", "/nowhere", operator).status == 404


def test_jwks_publishes_the_signing_key(stack: LocalStack, client: Client) -> None:
    keys = client.call("GET", "/_local/issuer/.well-known/jwks.json").body["keys"]
    assert [k["kid"] for k in keys] == [stack.issuer.kid]


def test_oversized_request_is_refused_like_api_gateway(client: Client, customer: str) -> None:
    connection = http.client.HTTPConnection(client.host, client.port, timeout=CLIENT_TIMEOUT)
    try:
        # Only the declared length matters: the body is refused before it is read.
        connection.putrequest("POST", "/tickets")
        connection.putheader("Authorization", f"Bearer {customer}")
        connection.putheader("Content-Length", str(11 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read()) == {"message": "Request Entity Too Large"}
    finally:
        connection.close()


def test_handlers_use_the_embedded_aws(stack: LocalStack) -> None:
    assert os.environ["AWS_ENDPOINT_URL"] == stack.aws_endpoint


def _raw(client: Client, method: str, path: str, token: str, body: bytes | None = None) -> Any:
    connection = http.client.HTTPConnection(client.host, client.port, timeout=CLIENT_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_a_latin1_body_over_http_is_400_not_500(client: Client, customer: str) -> None:
    raw = b'{"department": "soporte", "subject": "caf\xe9", "body": "x"}'
    status, headers, body = _raw(client, "POST", "/tickets", customer, raw)
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "malformed_body"


def test_an_answer_without_a_body_has_no_content_type(client: Client, customer: str) -> None:
    added = client.call("POST", "/account/emails", customer, body={"email": "sin-cuerpo@cliente.example"})
    assert added.status == 202  # pending until its owner confirms it; removable at once
    status, headers, body = _raw(client, "DELETE", "/account/emails/sin-cuerpo@cliente.example", customer)
    assert (status, body) == (204, b"")
    assert "content-type" not in headers  # it was text/plain, while the document said JSON


def test_the_authorizers_401_is_what_the_document_says(client: Client) -> None:
    document = client.call("GET", "/openapi.json").body
    schema = document["paths"]["/tickets"]["get"]["responses"]["401"]["content"]["application/json"]["schema"]
    refs = [option["$ref"].rsplit("/", 1)[1] for option in schema["anyOf"]]
    assert "GatewayErrorOut" in refs
    assert document["components"]["schemas"]["GatewayErrorOut"]["required"] == ["message"]
    reply = client.call("GET", "/tickets")
    assert (reply.status, reply.body) == (401, {"message": "Unauthorized"})


@pytest.mark.parametrize(
    "body", [{"at": "yesterday"}, {"at": 12}, {"when": "now"}], ids=["not-iso", "not-text", "no-at"]
)
def test_local_escalate_needs_a_time(client: Client, body: Any) -> None:
    reply = client.call("POST", "/_local/escalate", body=body)
    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_request"


def test_local_escalate_reports_a_breach_once(client: Client) -> None:
    customer = client.token("customer", account_id="acct-3003", email="carla@cliente.example")
    operator = client.token("operator", email="luis@netz0.example")
    opened = client.call(
        "POST",
        "/tickets",
        customer,
        {"department": "soporte", "subject": "Sin correo", "body": "Nada llega."},
    )
    path = f"/tickets/{opened.body['id']}"
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    first = client.call("POST", "/_local/escalate", body={"at": later})
    assert first.status == 200, first.body
    assert first.body["breached"] >= 1
    assert client.call("POST", "/_local/escalate", body={"at": later}).body["breached"] == 0
    alerts = [
        e["text"] for e in client.call("GET", path, operator).body["history"] if e["code"].startswith("sla_")
    ]
    assert len(alerts) == 1
    assert alerts[0].startswith("SLA: la primera respuesta venció")


def test_concurrent_replies_all_land(client: Client, customer: str, operator: str) -> None:
    # Handlers run in several containers at once; the conditional writes keep every reply.
    ticket = client.call("POST", "/tickets", customer, TICKET).body["id"]
    texts = [f"Respuesta simultánea {n}" for n in range(24)]

    def reply(number: int) -> int:
        who = customer if number % 2 else operator
        return client.call("POST", f"/tickets/{ticket}/replies", who, {"body": texts[number]}).status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(reply, range(len(texts))))
    assert statuses == [201] * len(texts)
    thread = client.call("GET", f"/tickets/{ticket}", operator).body
    assert set(texts) <= {m["body"] for m in thread["messages"]}


def test_concurrent_callers_each_see_only_their_own_account(client: Client, customer: str) -> None:
    # Invocations that overlap never share a caller: each container serves one at a time.
    other = client.token("customer", account_id="acct-4004", email="dora@cuarto.example")
    mine = client.call("POST", "/tickets", customer, TICKET).body["id"]
    theirs = client.call("POST", "/tickets", other, TICKET).body["id"]
    asks = [(customer, mine, theirs), (other, theirs, mine)] * 12

    def look(ask: tuple[str, str, str]) -> tuple[int, int, int]:
        token, own, foreign = ask
        seen = client.call("GET", f"/tickets/{own}", token)
        return (
            seen.status,
            int(seen.body["id"] == own),
            client.call("GET", f"/tickets/{foreign}", token).status,
        )

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(look, asks))
    assert results == [(200, 1, 404)] * len(asks)


def test_the_table_lives_in_dynamodb_local(stack: LocalStack) -> None:
    # The stack's DynamoDB (and its stream) is DynamoDB Local, not moto: one endpoint for both.
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == stack.dynamodb_endpoint
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] == stack.dynamodb_endpoint
    assert stack.dynamodb_endpoint != stack.aws_endpoint
    table = boto3.client("dynamodb").describe_table(TableName=stack.table_name)["Table"]
    assert ":ddblocal:" in table["LatestStreamArn"]  # how DynamoDB Local names its streams
