"""Measurement 1: DynamoDB requests per operation, counted at botocore (real API calls)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TextIO

from bench.api import CUSTOMER, NEW_TICKET, OPERATOR, Api, as_reply
from bench.report import ok, table
from bench.stack import Stack

WRITE = 1  # every state change is one request
SINGLE_READ = 1  # a ticket with its thread is one Query
LIST_PAGE = 1  # a listing answers from one index page (on a table this small)
# one index page, then one conditional write per due ticket; and the reminder index's page
AUTO_CLOSE_ONE = 3
# A reply is guarded to an active ticket; only when that write's refusal says the ticket is
# closed is it written again, reopening it with its history entry (docs/decisions.md).
REPLY_REOPENING = 2
# Operators also see the account's addresses our mail no longer reaches: one Query of its listing.
UNDELIVERABLE_READ = 1
MERGE = 2  # one BatchGetItem of both tickets, one TransactWriteItems
REPLY_TO_MERGED = 2  # the refused write says where the ticket went; the reply is written there
# A ticket event for integrations: one read (its marker and the ticket item), the bus, the marker.
PUBLISH_ONE = 3
PUBLISH_AGAIN = 1  # the same stream record delivered again: the read finds the marker


@dataclass(frozen=True)
class Row:
    operation: str
    operations: list[str]
    target: int
    answer: str  # what the handler answered, e.g. "201" or "closed 1"
    worked: bool  # the operation did what it should, so its count means something

    @property
    def passed(self) -> bool:
        return self.worked and len(self.operations) <= self.target


class Scenario:
    """One customer's ticket walked through every operation, counting each one's requests."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.api = Api(stack.gateway)
        self.rows: list[Row] = []

    def counted[T](self, run: Callable[[], T]) -> tuple[T, list[str]]:
        self.stack.requests.take()  # drop whatever the set-up steps did
        result = run()
        return result, self.stack.requests.take().operations

    def http(
        self,
        operation: str,
        target: int,
        status: int,
        method: str,
        path: str,
        who: dict[str, Any],
        *,
        check: Callable[[Any], bool] = lambda _body: True,
        **kwargs: Any,
    ) -> Any:
        invocation = self.api.prepare(method, path, who, **kwargs)
        reply, operations = self.counted(lambda: as_reply(self.api.invoke(invocation)))
        worked = reply.status == status and check(reply.body)
        self.rows.append(Row(operation, operations, target, str(reply.status), worked))
        return reply.body


def run_scenario(stack: Stack) -> list[Row]:
    s = Scenario(stack)
    ticket = s.http("open ticket", WRITE, 201, "POST", "/tickets", CUSTOMER, body=NEW_TICKET)["id"]
    key = {"Idempotency-Key": "bench-retry-0001"}
    first = s.http(
        "open ticket with Idempotency-Key",
        WRITE,
        201,
        "POST",
        "/tickets",
        CUSTOMER,
        body=NEW_TICKET,
        headers=key,
    )
    s.http(
        "idempotent retry (replay)",
        WRITE,
        201,
        "POST",
        "/tickets",
        CUSTOMER,
        body=NEW_TICKET,
        headers=key,
        check=lambda body: body["id"] == first["id"],  # the same ticket, not a second one
    )
    path = f"/tickets/{ticket}"
    s.http("get ticket", SINGLE_READ, 200, "GET", path, CUSTOMER)
    s.http(
        "get ticket (operator: + the account's undeliverable addresses)",
        SINGLE_READ + UNDELIVERABLE_READ,
        200,
        "GET",
        path,
        OPERATOR,
        check=lambda body: body["customer_undeliverable"] == [],
    )
    s.http("list tickets (customer)", LIST_PAGE, 200, "GET", "/tickets", CUSTOMER)
    s.http(
        "list, status filter (operator)",
        LIST_PAGE,
        200,
        "GET",
        "/tickets",
        OPERATOR,
        query={"status": "OPEN"},
    )
    s.http("search q=webmail (operator)", LIST_PAGE, 200, "GET", "/tickets", OPERATOR, query={"q": "webmail"})
    reply = {"body": "Hemos reiniciado el servicio de webmail; ¿puede probar de nuevo?"}
    s.http("operator reply", WRITE, 201, "POST", f"{path}/replies", OPERATOR, body=reply)
    s.http(
        "customer reply", WRITE, 201, "POST", f"{path}/replies", CUSTOMER, body={"body": "Sigue sin cargar."}
    )
    note = {"body": "Revisar el proxy del clúster 3.", "internal": True}
    s.http("internal note", WRITE, 201, "POST", f"{path}/replies", OPERATOR, body=note)
    s.http("assign", WRITE, 200, "POST", f"{path}/assign", OPERATOR)
    s.http(
        "priority and tags (PATCH, + history entries)",
        WRITE,
        200,
        "PATCH",
        path,
        OPERATOR,
        body={"priority": "high", "tags": ["webmail"]},
        check=lambda body: body["priority"] == "high" and body["tags"] == ["webmail"],
    )
    # Each status change writes its history entry in the same request (entry on the ticket item).
    s.http("close (+ history entry)", WRITE, 200, "POST", f"{path}/close", CUSTOMER)
    s.http("reopen (+ history entry)", WRITE, 200, "POST", f"{path}/reopen", CUSTOMER)
    s.http("close again", WRITE, 200, "POST", f"{path}/close", CUSTOMER)
    s.http(
        "customer reply reopening a closed ticket (+ entry)",
        REPLY_REOPENING,
        201,
        "POST",
        f"{path}/replies",
        CUSTOMER,
        body={"body": "Vuelve a fallar."},
    )
    _auto_close_one(s, first["id"])
    _merge(s, ticket)
    _canned_replies(s)
    _remind_one(s, first["id"])
    _publish_one(s, ticket)
    return s.rows


def _publish_one(s: Scenario, ticket: str) -> None:
    """publish_events handed one stream record (the ticket item's INSERT, as DynamoDB Streams
    shapes it), then the same record again; its EventBridge calls counted beside DynamoDB's."""
    from helpdesk.store.codec import dump_item
    from helpdesk.store.keys import ticket_key

    table = s.stack.gateway.environment()["TABLE_NAME"]
    key = dump_item(ticket_key(ticket))
    item = s.stack.client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    record = {
        "eventID": "bench0publish0000000000000000001",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764676800,
            "Keys": key,
            "NewImage": item,
            "SequenceNumber": "100000000000000000001",
            "SizeBytes": 512,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": f"arn:aws:dynamodb:eu-west-1:123456789012:table/{table}/stream/2026-12-02",
    }
    spec = next(f for f in s.stack.gateway.specs if f.logical_id == "PublishEventsFunction")
    from helpdesk import runtime

    s.stack.requests.attach(runtime.events_client(), "events")  # PutEvents counted in its place
    for operation, target in (
        ("publish a ticket event (stream record → bus)", PUBLISH_ONE),
        ("the same stream record again (not republished)", PUBLISH_AGAIN),
    ):
        result, operations = s.counted(lambda: s.stack.gateway.invoke(spec, {"Records": [record]}))
        worked = result == {"batchItemFailures": []} and operations.count("PutEvents") == (
            1 if target == PUBLISH_ONE else 0
        )
        s.rows.append(Row(operation, operations, target, "no failures" if worked else str(result), worked))


def _canned_replies(s: Scenario) -> None:
    body = {"title": "Resuelto", "body": "Hola {{customer_name}}: {{ticket_id}} está resuelto."}
    reply = s.http("canned reply: create", WRITE, 201, "POST", "/canned-replies", OPERATOR, body=body)
    s.http("canned replies: list", LIST_PAGE, 200, "GET", "/canned-replies", OPERATOR)
    path = f"/canned-replies/{reply['id']}"
    s.http(
        "canned reply: change", WRITE, 200, "PUT", path, OPERATOR, body={**body, "title": "Resuelto (DNS)"}
    )
    s.http("canned reply: delete", WRITE, 204, "DELETE", path, OPERATOR)


def _merge(s: Scenario, target: str) -> None:
    """A duplicate merged into the ticket; then a reply to the duplicate, which lands on it."""
    duplicate = s.api.expect(201, "POST", "/tickets", CUSTOMER, body=NEW_TICKET)["id"]
    s.http(
        "merge (+ entries on both)",
        MERGE,
        200,
        "POST",
        f"/tickets/{duplicate}/merge",
        OPERATOR,
        body={"into": target},
        check=lambda body: body["merged_into"] == target,
    )
    s.http(
        "get ticket with one merged into it (operator)",
        SINGLE_READ + 1 + UNDELIVERABLE_READ,
        200,
        "GET",
        f"/tickets/{target}",
        OPERATOR,
        check=lambda body: duplicate in {m["ticket_id"] for m in body["messages"]},
    )
    s.http(
        "reply to the merged ticket (lands on the target)",
        REPLY_TO_MERGED,
        201,
        "POST",
        f"/tickets/{duplicate}/replies",
        CUSTOMER,
        body={"body": "¿Alguna novedad?"},
        check=lambda body: body["ticket_id"] == target,
    )


def _auto_close_one(s: Scenario, ticket: str) -> None:
    """The only WAITING ticket goes past its deadline; one scheduled run closes it."""
    s.api.expect(201, "POST", f"/tickets/{ticket}/replies", OPERATOR, body={"body": "¿Sigue pasando?"})
    hours = int(s.stack.gateway.environment()["AUTO_CLOSE_HOURS"])
    run = s.api.schedule(s.api.tick(timedelta(hours=hours + 1)))
    result, operations = s.counted(lambda: s.api.invoke(run))
    worked = result["closed"] == 1 and result["due"] == 1
    s.rows.append(
        Row("auto-close one due ticket", operations, AUTO_CLOSE_ONE, f"closed {result['closed']}", worked)
    )


def _remind_one(s: Scenario, ticket: str) -> None:
    """The closed ticket is reopened and answered; a day before its close one run reminds."""
    s.api.expect(200, "POST", f"/tickets/{ticket}/reopen", CUSTOMER)
    s.api.expect(201, "POST", f"/tickets/{ticket}/replies", OPERATOR, body={"body": "¿Lo ha probado?"})
    environment = s.stack.gateway.environment()
    hours = int(environment["AUTO_CLOSE_HOURS"]) - int(environment["AUTO_CLOSE_REMINDER_HOURS"])
    run = s.api.schedule(s.api.tick(timedelta(hours=hours, minutes=1)))
    result, operations = s.counted(lambda: s.api.invoke(run))
    reminded = result["reminders"]["reminded"]
    worked = reminded == 1 and result["closed"] == 0
    row = Row("auto-close reminder, one due", operations, AUTO_CLOSE_ONE, f"reminded {reminded}", worked)
    s.rows.append(row)


def report(out: TextIO, rows: list[Row]) -> None:
    table(
        out,
        "1. DynamoDB requests per operation (counted at botocore, before-call.dynamodb)",
        ["operation", "requests", "operation names", "target", "answer", "ok?"],
        [
            [
                row.operation,
                str(len(row.operations)),
                ", ".join(row.operations),
                f"≤ {row.target}",
                row.answer,
                ok(row.passed),
            ]
            for row in rows
        ],
        align="lrllll",
        notes=[
            "target: 1 per write, 1 per single-ticket read, 1 index page per listing;",
            "auto-close: 1 index page + 1 write per due ticket, and 1 page of the reminder index",
            "(+ 1 write per reminder due). ok? also requires the expected answer.",
            "publishing a ticket event also counts EventBridge's PutEvents (1 entry per event).",
        ],
    )
