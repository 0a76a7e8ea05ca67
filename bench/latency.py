"""Measurement 2: each handler's warm latency on moto, beside a bare put_item on the same moto.

moto answers in Python, and what it costs grows with the table (it reads every item to answer an
index query and deep-copies the table for each transaction), so every series runs in a fresh
stack seeded alike, and the items a call adds are deleted (untimed) before the next call."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TextIO

from bench.api import CUSTOMER, OPERATOR, Api
from bench.report import ms, ratio, table
from bench.stack import TABLE, RequestLog, Stack, embedded_stack
from bench.tickets import sample_ticket_item

ITERATIONS = 200
WARMUP = 10  # not timed: lets caches (botocore's, pydantic's) fill as a warm container's have
BASELINE = "bare put_item (baseline)"


@dataclass(frozen=True)
class Timing:
    label: str
    totals: list[float]  # milliseconds per call
    in_dynamodb: list[float]  # of which inside DynamoDB API calls (botocore before- to after-call)

    @property
    def median(self) -> float:
        return statistics.median(self.totals)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.totals, n=20)[18]

    @property
    def dynamodb_median(self) -> float:
        return statistics.median(self.in_dynamodb)

    @property
    def own_median(self) -> float:
        return statistics.median(t - d for t, d in zip(self.totals, self.in_dynamodb, strict=True))


@dataclass(frozen=True)
class Seed:
    """Tickets every stack starts with: the customer has 30, some in the state a workload needs."""

    read: str  # has a short thread
    assigned: str
    closing: str
    reopening: str  # CLOSED
    waiting: str
    replied: str


# A workload's prepare() runs untimed (ticket state, event) and returns the call to time.
Prepare = Callable[[], Callable[[], Any]]


@dataclass(frozen=True)
class Workload:
    label: str
    make: Callable[[Stack, Api, Seed], Prepare]
    check: Callable[[Any], bool]  # untimed: the call did what it should


def _seed(api: Api) -> Seed:
    for _ in range(24):  # more than one page of the customer's listing
        api.open_ticket()
    read = api.open_ticket()
    api.expect(201, "POST", f"/tickets/{read}/replies", OPERATOR, body={"body": "¿Desde qué navegador?"})
    api.expect(201, "POST", f"/tickets/{read}/replies", CUSTOMER, body={"body": "Firefox."})  # not WAITING
    assigned, closing, reopening, waiting, replied = (api.open_ticket() for _ in range(5))
    api.expect(200, "POST", f"/tickets/{reopening}/close", CUSTOMER)
    return Seed(read, assigned, closing, reopening, waiting, replied)


def _keys(client: Any) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    kwargs: dict[str, Any] = {"TableName": TABLE, "ProjectionExpression": "pk, sk"}
    while True:
        response = client.scan(**kwargs)
        keys.update((item["pk"]["S"], item["sk"]["S"]) for item in response["Items"])
        if "LastEvaluatedKey" not in response:
            return keys
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _restore(client: Any, seeded: set[tuple[str, str]]) -> None:
    """Deletes what the last call added (tickets, messages), keeping moto's table the same size."""
    for pk, sk in _keys(client) - seeded:
        client.delete_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}})


def _measure(workload: Workload) -> Timing:
    with embedded_stack() as stack:
        api = Api(stack.gateway)
        seed = _seed(api)
        seeded = _keys(stack.client)
        prepare = workload.make(stack, api, seed)
        log = RequestLog()  # the bench's own client makes the baseline's calls
        log.attach(stack.client)
        totals: list[float] = []
        in_dynamodb: list[float] = []
        gc.collect()  # start each series from the same heap, not with the last one's garbage
        for n in range(WARMUP + ITERATIONS):
            call = prepare()
            stack.requests.take()  # forget the set-up's calls
            log.take()
            started = time.perf_counter()
            result = call()
            elapsed = time.perf_counter() - started
            dynamodb = stack.requests.take().seconds + log.take().seconds
            if not workload.check(result):
                raise RuntimeError(f"{workload.label}: unexpected result {result!r}")
            if n >= WARMUP:
                totals.append(elapsed * 1000)
                in_dynamodb.append(dynamodb * 1000)
            _restore(stack.client, seeded)
        return Timing(workload.label, totals, in_dynamodb)


def _status(code: int) -> Callable[[Any], bool]:
    return lambda result: result["statusCode"] == code


def _put_item(stack: Stack, _api: Api, _seed: Seed) -> Prepare:
    def prepare() -> Callable[[], Any]:
        item = sample_ticket_item("NZ-99999999")
        return lambda: stack.client.put_item(TableName=TABLE, Item=item)

    return prepare


def _http(
    method: str, path: Callable[[Seed], str], who: dict[str, Any], body: dict[str, Any] | None = None
) -> Callable[[Stack, Api, Seed], Prepare]:
    """A workload that sends the same request every time."""

    def make(_stack: Stack, api: Api, seed: Seed) -> Prepare:
        def prepare() -> Callable[[], Any]:
            invocation = api.prepare(method, path(seed), who, body=body)
            return lambda: api.invoke(invocation)

        return prepare

    return make


def _close(_stack: Stack, api: Api, seed: Seed) -> Prepare:
    def prepare() -> Callable[[], Any]:
        api.send("POST", f"/tickets/{seed.closing}/reopen", CUSTOMER)  # 409 on the first round: still open
        invocation = api.prepare("POST", f"/tickets/{seed.closing}/close", CUSTOMER)
        return lambda: api.invoke(invocation)

    return prepare


def _reopen(_stack: Stack, api: Api, seed: Seed) -> Prepare:
    def prepare() -> Callable[[], Any]:
        api.send("POST", f"/tickets/{seed.reopening}/close", CUSTOMER)  # 409 on the first round: closed
        invocation = api.prepare("POST", f"/tickets/{seed.reopening}/reopen", CUSTOMER)
        return lambda: api.invoke(invocation)

    return prepare


def _auto_close(stack: Stack, api: Api, seed: Seed) -> Prepare:
    hours = int(stack.gateway.environment()["AUTO_CLOSE_HOURS"])

    def prepare() -> Callable[[], Any]:
        # Reopen (a customer reply), start the timer (an operator reply), run past the deadline.
        ticket = f"/tickets/{seed.waiting}/replies"
        api.expect(201, "POST", ticket, CUSTOMER, body={"body": "Sigue igual."})
        api.expect(201, "POST", ticket, OPERATOR, body={"body": "¿Y ahora?"})
        invocation = api.schedule(api.tick(timedelta(hours=hours + 1)))
        return lambda: api.invoke(invocation)

    return prepare


REPLY = {"body": "Adjunto la captura del error que me aparece al entrar."}
NEW = {"department": "comercial", "subject": "Ampliar el plan de hosting", "body": "Necesitamos más espacio."}

WORKLOADS = (
    Workload(BASELINE, _put_item, lambda _result: True),
    Workload(
        "OpenTicketFunction  POST /tickets", _http("POST", lambda _s: "/tickets", CUSTOMER, NEW), _status(201)
    ),
    Workload(
        "ListTicketsFunction  GET /tickets", _http("GET", lambda _s: "/tickets", CUSTOMER), _status(200)
    ),
    Workload(
        "GetTicketFunction  GET /tickets/{id}",
        _http("GET", lambda s: f"/tickets/{s.read}", CUSTOMER),
        _status(200),
    ),
    Workload(
        "ReplyFunction  POST /tickets/{id}/replies",
        _http("POST", lambda s: f"/tickets/{s.replied}/replies", CUSTOMER, REPLY),
        _status(201),
    ),
    Workload(
        "AssignFunction  POST /tickets/{id}/assign",
        _http("POST", lambda s: f"/tickets/{s.assigned}/assign", OPERATOR),
        _status(200),
    ),
    Workload("CloseFunction  POST /tickets/{id}/close", _close, _status(200)),
    Workload("ReopenFunction  POST /tickets/{id}/reopen", _reopen, _status(200)),
    Workload(
        "DepartmentsFunction  GET /departments",
        _http("GET", lambda _s: "/departments", CUSTOMER),
        _status(200),
    ),
    Workload(
        "OpenApiFunction  GET /openapi.json", _http("GET", lambda _s: "/openapi.json", CUSTOMER), _status(200)
    ),
    Workload("AutoCloseFunction  schedule, 1 due", _auto_close, lambda result: result["closed"] == 1),
)


def run() -> list[Timing]:
    """The baseline first, then every handler."""
    return [_measure(workload) for workload in WORKLOADS]


def report(out: TextIO, timings: list[Timing]) -> None:
    baseline = timings[0]
    rows = [
        [
            t.label,
            ms(t.median),
            ms(t.p95),
            ratio(t.median / baseline.median),
            ms(t.dynamodb_median),
            ms(t.own_median),
        ]
        for t in timings
    ]
    table(
        out,
        f"2. Warm handler latency on embedded DynamoDB (moto mock_aws), {ITERATIONS} calls each",
        ["handler", "median ms", "p95 ms", "ratio to bare put_item", "in DynamoDB calls", "own ms"],
        rows,
        align="lrrrrr",
        notes=[
            "ratio = handler median / bare put_item median (a ticket-sized item, same client, same moto).",
            "lambda_handler(event, context) on an already-imported module; events built untimed. Each row",
            "runs in a fresh table seeded alike (30 tickets); what a call adds is deleted before the next.",
            "in DynamoDB calls = botocore before-call to after-call (moto answering, response parsing);",
            "own = the rest: routing, validation, domain, serialisation, logging. Medians of each.",
        ],
    )
