"""Measurement 1b: the operator directory's cost per operation, DynamoDB and Cognito requests
counted at botocore, with the container cold (its copy of the operators group empty) and warm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

from bench.api import CUSTOMER, Api, as_reply
from bench.report import ok, table
from bench.stack import RESOURCE_NAMES, Stack
from devstack.provision import enlist_operator


@dataclass(frozen=True)
class Row:
    operation: str
    dynamodb: list[str]
    cognito: list[str]
    dynamodb_target: int
    cognito_target: int
    answer: str
    worked: bool

    @property
    def passed(self) -> bool:
        return (
            self.worked
            and len(self.dynamodb) <= self.dynamodb_target
            and len(self.cognito) <= self.cognito_target
        )


class CognitoLog:
    def __init__(self) -> None:
        self.operations: list[str] = []

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.cognito-idp", self._before)

    def _before(self, model: Any, **_kwargs: Any) -> None:
        self.operations.append(model.name)

    def take(self) -> list[str]:
        taken, self.operations = self.operations, []
        return taken


def _operator(email: str, name: str) -> dict[str, Any]:
    sub, shown = enlist_operator(RESOURCE_NAMES["UserPool"], email, name)
    return {"sub": sub, "email": email, "name": shown, "cognito:groups": ["operators"], "token_use": "id"}


def run(stack: Stack) -> list[Row]:
    from helpdesk import runtime

    api = Api(stack.gateway)
    lucia = _operator("lucia@netz0.example", "Lucía Romero")
    marcos = _operator("marcos@netz0.example", "Marcos Díaz")
    ticket = api.open_ticket()
    # Every handler shares the process's one directory (runtime.operator_directory, built at import).
    cognito = CognitoLog()
    group: Any = runtime.operator_directory()._group  # the CognitoOperators adapter
    cognito.attach(group._client)
    rows: list[Row] = []

    def measure(name: str, targets: tuple[int, int], status: int, method: str, path: str, **kw: Any) -> None:
        invocation = api.prepare(method, path, **kw)
        stack.requests.take()
        cognito.take()
        reply = as_reply(api.invoke(invocation))
        dynamodb, calls = stack.requests.take().operations, cognito.take()
        rows.append(Row(name, dynamodb, calls, *targets, str(reply.status), reply.status == status))

    measure("GET /operators, cold container", (1, 1), 200, "GET", "/operators", who=lucia)
    measure("GET /operators, warm", (1, 0), 200, "GET", "/operators", who=marcos)
    measure("GET /operators/me", (1, 0), 200, "GET", "/operators/me", who=lucia)
    body = {"departments": ["soporte"], "notifications": ["assigned", "customer_reply"], "language": "es"}
    measure("PUT /operators/me", (1, 0), 200, "PUT", "/operators/me", who=lucia, body=body)
    path = f"/tickets/{ticket}"
    measure("assign: the caller takes it", (1, 0), 200, "POST", f"{path}/assign", who=lucia)
    to_marcos = {"assignee": marcos["sub"]}
    measure("assign: to a colleague (warm)", (1, 0), 200, "POST", f"{path}/assign", who=lucia, body=to_marcos)
    nobody = {"assignee": None}
    measure("assign: null (unassign)", (1, 0), 200, "POST", f"{path}/assign", who=marcos, body=nobody)
    reply = {"body": "Lo miro yo."}
    measure("operator reply taking it", (1, 0), 201, "POST", f"{path}/replies", who=marcos, body=reply)
    measure("get ticket (names stored)", (1, 0), 200, "GET", path, who=CUSTOMER)
    measure("list tickets (names stored)", (1, 0), 200, "GET", "/tickets", who=CUSTOMER)
    return rows


def report(out: TextIO, rows: list[Row]) -> None:
    table(
        out,
        "1b. Operator directory and assignment: DynamoDB and Cognito requests per operation",
        ["operation", "DynamoDB", "Cognito", "target", "answer", "ok?"],
        [
            [
                row.operation,
                f"{len(row.dynamodb)} ({', '.join(row.dynamodb)})",
                f"{len(row.cognito)}" + (f" ({', '.join(row.cognito)})" if row.cognito else ""),
                f"≤ {row.dynamodb_target} / ≤ {row.cognito_target}",
                row.answer,
                ok(row.passed),
            ]
            for row in rows
        ],
        align="llllll",
        notes=[
            "Cognito: ListUsersInGroup pages (60 operators each), only when the container's copy of the",
            "group is empty or older than 60 s, or to look up an id it does not know; ticket reads never.",
        ],
    )
