"""Test harness: moto as the embedded AWS, the table created from template.yaml, the handlers
loaded fresh for each test and called through lambda_handler with real event shapes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.gateway import HttpResult, LocalGateway
from devstack.template import table_definition

TABLE = "helpdesk-test"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

os.environ.update(
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    POWERTOOLS_METRICS_NAMESPACE="Netz0HelpdeskTest",
)
os.environ.pop("AWS_ENDPOINT_URL", None)


def customer(
    account: str = "acct-1001", email: str = "ana@cliente.example", sub: str | None = None
) -> dict[str, Any]:
    return {
        "sub": sub or f"sub-{email}",
        "email": email,
        "custom:account_id": account,
        "token_use": "id",
        "cognito:username": sub or f"sub-{email}",
    }


def operator(email: str = "luis@netz0.example", groups: Any = ("operators",)) -> dict[str, Any]:
    return {
        "sub": f"sub-{email}",
        "email": email,
        "cognito:groups": list(groups),
        "token_use": "id",
    }


ANA = customer()
BRUNO = customer(account="acct-2002", email="bruno@otro.example")
LUIS = operator()
MARTA = operator(email="marta@netz0.example")


class Api:
    """A client for the handlers, shaped like the HTTP API."""

    def __init__(self, gateway: LocalGateway) -> None:
        self.gateway = gateway
        self.now = T0

    def at(self, moment: datetime) -> Api:
        self.now = moment
        return self

    def later(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def call(self, method: str, path: str, who: dict[str, Any] | None, **kwargs: Any) -> HttpResult:
        kwargs.setdefault("at", self.now)
        return self.gateway.request(method, path, claims=who, **kwargs)

    def get(self, path: str, who: dict[str, Any] | None, **kwargs: Any) -> HttpResult:
        return self.call("GET", path, who, **kwargs)

    def post(self, path: str, who: dict[str, Any] | None, body: Any = None, **kwargs: Any) -> HttpResult:
        return self.call("POST", path, who, body=body, **kwargs)

    # conveniences for the common steps
    def open(
        self,
        who: dict[str, Any] = ANA,
        subject: str = "El webmail no carga",
        body: str = "Desde ayer no puedo entrar.",
        department: str = "soporte",
    ) -> dict[str, Any]:
        result = self.post("/tickets", who, {"department": department, "subject": subject, "body": body})
        assert result.status == 201, result.body
        return result.json()

    def reply(
        self,
        ticket_id: str,
        who: dict[str, Any],
        body: str = "Gracias",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> HttpResult:
        return self.post(f"/tickets/{ticket_id}/replies", who, {"body": body, **extra}, headers=headers)

    def ticket(self, ticket_id: str, who: dict[str, Any] = LUIS) -> dict[str, Any]:
        result = self.get(f"/tickets/{ticket_id}", who)
        assert result.status == 200, result.body
        return result.json()

    def auto_close(self, at: datetime) -> dict[str, Any]:
        return self.gateway.run_schedule("AutoCloseFunction", at)


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**table_definition(TABLE))
        yield client


@pytest.fixture
def gateway(aws: Any) -> LocalGateway:
    gw = LocalGateway({"TicketsTable": TABLE})
    os.environ.update(gw.environment())
    gw.cold_start()
    return gw


@pytest.fixture
def api(gateway: LocalGateway) -> Api:
    return Api(gateway)
