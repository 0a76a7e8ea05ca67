"""Requests to the handlers in the shapes API Gateway and EventBridge deliver, on a clock the
benchmark moves forward (handlers take "now" from the event)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from devstack.events import scheduled_event
from devstack.gateway import LocalGateway
from devstack.template import FunctionSpec

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AUTO_CLOSE = "AutoCloseFunction"

CUSTOMER: dict[str, Any] = {
    "sub": "sub-ana",
    "email": "ana@cliente.example",
    "custom:account_id": "acct-1001",
    "token_use": "id",
    "cognito:username": "sub-ana",
}
OPERATOR: dict[str, Any] = {
    "sub": "sub-luis",
    "email": "luis@netz0.example",
    "cognito:groups": ["operators"],
    "token_use": "id",
}
NEW_TICKET = {
    "department": "soporte",
    "subject": "El webmail no carga",
    "body": "Desde ayer no puedo entrar al webmail de mi dominio; el navegador se queda en blanco.",
}


@dataclass(frozen=True)
class Invocation:
    """A handler and the event it will be called with: built before the clock starts."""

    spec: FunctionSpec
    event: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


def as_reply(result: Any) -> Reply:
    """A handler's HTTP result (payload v2 response) as status and decoded JSON body."""
    body = result.get("body") or ""
    return Reply(int(result["statusCode"]), json.loads(body) if body else None)


class Api:
    def __init__(self, gateway: LocalGateway, start: datetime = START) -> None:
        self.gateway = gateway
        self.now = start

    def tick(self, delta: timedelta = timedelta(seconds=1)) -> datetime:
        self.now += delta
        return self.now

    def prepare(
        self,
        method: str,
        path: str,
        who: dict[str, Any],
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Invocation:
        found = self.gateway.event_for(
            method, path, claims=who, query=query, headers=headers, body=body, at=self.tick()
        )
        assert found is not None, f"no route for {method} {path}"
        spec, _route, event = found
        return Invocation(spec, event)

    def schedule(self, at: datetime) -> Invocation:
        spec = next(s for s in self.gateway.specs if s.logical_id == AUTO_CLOSE)
        return Invocation(spec, scheduled_event(at))

    def invoke(self, invocation: Invocation) -> Any:
        return self.gateway.invoke(invocation.spec, invocation.event)

    def send(self, method: str, path: str, who: dict[str, Any], **kwargs: Any) -> Reply:
        return as_reply(self.invoke(self.prepare(method, path, who, **kwargs)))

    def expect(self, status: int, method: str, path: str, who: dict[str, Any], **kwargs: Any) -> Any:
        """Set-up steps must work, or every figure after them would be meaningless."""
        reply = self.send(method, path, who, **kwargs)
        if reply.status != status:
            raise RuntimeError(f"{method} {path} answered {reply.status}: {reply.body}")
        return reply.body

    def open_ticket(self, who: dict[str, Any] = CUSTOMER) -> str:
        return str(self.expect(201, "POST", "/tickets", who, body=NEW_TICKET)["id"])
