"""Measurement 4: what one auto-close run reads in a large table, against what a Scan would."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from bench.api import START, Api
from bench.report import ok, table
from bench.stack import Stack, put_items, scan_cost
from bench.tickets import population, ticket_item

TICKETS = 20_000
DUE = 50
WAITING_NOT_DUE = 500  # in the sparse index, but with deadlines ahead: must not be read


@dataclass(frozen=True)
class AutoCloseRun:
    tickets: int
    due: int
    result: dict[str, Any]
    operations: list[str]
    seconds: float
    scan_items: int
    scan_requests: int
    engine: str

    @property
    def target_items(self) -> int:
        return self.due

    @property
    def target_requests(self) -> int:
        # one index page, then one conditional write per due ticket; the run's reminder index page
        return self.due + 2

    @property
    def passed(self) -> bool:
        return (
            self.result["closed"] == self.due
            and self.result["items_read"] <= self.target_items
            and len(self.operations) <= self.target_requests
        )


def seed(client: Any, now: datetime) -> int:
    return put_items(client, (ticket_item(t) for t in population(TICKETS, DUE, WAITING_NOT_DUE, now)))


def run(stack: Stack) -> AutoCloseRun:
    api = Api(stack.gateway)
    now = START
    tickets = seed(stack.client, now)
    scan_items, scan_requests = scan_cost(stack.client)  # before the run adds its messages
    invocation = api.schedule(now)
    stack.requests.take()
    started = time.perf_counter()
    result = api.invoke(invocation)
    seconds = time.perf_counter() - started
    operations = stack.requests.take().operations
    return AutoCloseRun(tickets, DUE, result, operations, seconds, scan_items, scan_requests, stack.engine)


def report(out: TextIO, run: AutoCloseRun) -> None:
    queries = run.operations.count("Query")
    writes = len(run.operations) - queries
    items_read = int(run.result["items_read"])
    table(
        out,
        f"4. Auto-close in a table of {run.tickets:,} tickets, {run.due} due",
        ["tickets in table", "due", "closed", "index items read", "requests", "target", "ok?"],
        [
            [
                f"{run.tickets:,}",
                str(run.result["due"]),
                str(run.result["closed"]),
                str(items_read),
                f"{len(run.operations)} ({queries} Query + {writes} write)",
                f"items ≤ {run.target_items}, requests ≤ {run.target_requests}",
                ok(run.passed),
            ]
        ],
        align="rrrrlll",
        notes=[
            f"{WAITING_NOT_DUE} more tickets are WAITING with deadlines ahead (in the index, not due).",
            f"Contrast, a Scan-based run: {run.scan_items:,} items in {run.scan_requests} Scan requests "
            f"(1 MB pages) = {run.scan_items / max(items_read, 1):,.0f}x the items this run read.",
            "target: the due tickets, read from one index page, plus one conditional write per due ticket.",
            f"The run took {run.seconds:.2f} s on {run.engine}.",
        ],
    )
