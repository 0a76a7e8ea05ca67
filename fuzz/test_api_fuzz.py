"""The API fuzzed from its own OpenAPI document (schemathesis): the local stack is started on free
ports, the document is read from its GET /openapi.json, and every operation gets generated
requests, valid and invalid, each sent as the demo customer and as an operator, with real ticket,
message and attachment ids for the path parameters. Every answer must be no 5xx, carry a status
code the document lists for the operation, and match the document's schema and content type.
Bounded by FUZZ_EXAMPLES per operation (`make fuzz`, part of `make test`)."""

from __future__ import annotations

import json
import os
import smtplib
import zlib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devstack.openapi import OUTPUT as DOCUMENT
from devstack.server import DEMO_CUSTOMER, LocalStack
from tests.support.local_stack import Client, running_stack

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(table_name="helpdesk-fuzz") as local:
        yield local


@pytest.fixture(scope="module")
def seeded(stack: LocalStack) -> dict[str, Any]:
    """Tokens for both roles and things that exist: the demo customer's tickets (one by the API,
    one by mail with an attachment), so path parameters can name them."""
    client = Client(stack.url)
    customer = client.token("customer", account_id=DEMO_CUSTOMER.account_id, email=DEMO_CUSTOMER.email)
    operator = client.token("operator", email="operador@netz0.example")
    opened = client.call(
        "POST",
        "/tickets",
        customer,
        body={"department": "soporte", "subject": "Fuzz", "body": "Un ticket para el fuzzer."},
    )
    assert opened.status == 201, opened.body
    mail = EmailMessage()
    mail["From"] = DEMO_CUSTOMER.email
    mail["To"] = f"soporte@{stack.mail_domain}"
    mail["Subject"] = "Factura adjunta"
    mail.set_content("Les envío la factura.")
    mail.add_attachment(b"%PDF-1.4 factura", maintype="application", subtype="pdf", filename="factura.pdf")
    assert stack.smtp_address is not None
    with smtplib.SMTP(*stack.smtp_address, timeout=30) as smtp:
        smtp.send_message(mail)
    stack.drain()
    by_mail = next(
        t for t in client.call("GET", "/tickets", customer).body["items"] if t["subject"] == "Factura adjunta"
    )
    thread = client.call("GET", f"/tickets/{by_mail['id']}", customer).body
    with_file = next(m for m in thread["messages"] if m["attachments"])
    return {
        "tokens": {"customer": customer, "operator": operator},
        "ticket_ids": [opened.body["id"], by_mail["id"]],
        "message_id": with_file["id"],
        "email": DEMO_CUSTOMER.email,
    }


@pytest.fixture(scope="module")
def api_schema(stack: LocalStack) -> Any:
    return schemathesis.openapi.from_url(f"{stack.url}/openapi.json")


# The operations of the committed document (a test in tests/ holds it equal to what is served).
OPERATIONS = [
    (method.upper(), path)
    for path, operations in json.loads(DOCUMENT.read_text(encoding="utf-8"))["paths"].items()
    for method in operations
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_answers_as_its_document_says(
    method: str, path: str, api_schema: Any, stack: LocalStack, seeded: dict[str, Any]
) -> None:
    operation = api_schema[path][method]

    # Requests the document allows, and requests it does not (wrong types, missing fields, ...).
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows the request as sent
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: Case) -> None:
        _with_real_ids(case, seeded)
        for token in seeded["tokens"].values():
            case.call_and_validate(
                base_url=stack.url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, timeout=120
            )

    answers_as_documented()


def _with_real_ids(case: Case, seeded: dict[str, Any]) -> None:
    """Point path parameters at things that exist, three times in four: the generated values keep
    reaching the 404s, the real ones the operations themselves."""
    parameters = case.path_parameters
    if not parameters or zlib.crc32(repr(sorted(parameters.items())).encode()) % 4 == 0:
        return
    if "id" in parameters:
        parameters["id"] = seeded["ticket_ids"][len(str(parameters["id"])) % 2]
    if "message_id" in parameters:
        parameters["id"] = seeded["ticket_ids"][1]
        parameters["message_id"] = seeded["message_id"]
        parameters["index"] = 0
