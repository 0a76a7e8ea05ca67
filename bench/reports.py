"""Measurement 8: what a 30-day report reads in a table of 20,000 tickets, against what a Scan
would (issue 12). The aggregates are what AggregateReportsFunction would have written for the
population: every ticket's opening, first reply and closing folded with the function's own rules
(helpdesk.domain.reports.tallies), written through its store (helpdesk.store.reports)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import batched
from typing import Any, TextIO

from bench.api import OPERATOR
from bench.report import ok, table
from bench.stack import TABLE, Stack, put_items, scan_cost
from bench.tickets import DEPARTMENTS, SUBJECTS, ticket_item
from helpdesk.config import sla_policies
from helpdesk.domain.models import ClosedReason, Ticket
from helpdesk.domain.reports import Scope, Tally, TicketChanged, TicketFacts, tallies
from helpdesk.domain.sla import ResponseClock, SlaTarget
from helpdesk.domain.status_machine import Status
from helpdesk.store.reports import DynamoReportStore

TICKETS = 20_000
HISTORY_DAYS = 400
REPORT_DAYS = 30
OPERATORS = ("op-1", "op-2", "op-3", "op-4")
NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # a Monday, 12:00 in Madrid
DAYS_PER_TRANSACTION = 90  # with the marker and the total, under TransactWriteItems' 100


@dataclass(frozen=True)
class ReportRun:
    tickets: int
    aggregate_items: int
    report: dict[str, Any]  # GET /reports, every department, the last 30 days
    operator_items: int  # the same for one operator
    operations: list[str]
    seconds: float
    expected_opened: int  # tickets of the population opened in those 30 days
    scan_items: int
    scan_requests: int
    engine: str

    @property
    def items_read(self) -> int:
        return int(self.report["items_read"])

    @property
    def passed(self) -> bool:
        return (
            self.report["total"]["opened"]["total"] == self.expected_opened
            and self.items_read <= len(DEPARTMENTS) * (REPORT_DAYS + 1)
            and self.operations.count("Query") == len(DEPARTMENTS)
        )


def histories(now: datetime, seed: int = 8) -> Iterator[tuple[Ticket, list[TicketChanged]]]:
    """Each ticket's final state and its writes as the stream shows them: opened; for most,
    answered and assigned; for most of those, closed (by the customer, an operator or inactivity)."""
    rng = random.Random(seed)
    for n in range(TICKETS):
        created = now - timedelta(days=rng.uniform(0, HISTORY_DAYS), minutes=5)
        department = rng.choice(DEPARTMENTS)
        facts = TicketFacts(
            id=f"NZ-{n:08d}",
            status=Status.OPEN,
            department=department,
            channel=rng.choice(("web", "web", "email")),
            created_at=created,
            updated_at=created,
            response_clock=ResponseClock(SlaTarget.FIRST_RESPONSE, created),
        )
        writes = [TicketChanged(f"{n}-open", None, facts)]
        replied = created + timedelta(minutes=rng.expovariate(1 / 180))
        if replied < now and rng.random() < 0.9:
            answered = replace(
                facts,
                status=Status.WAITING,
                updated_at=replied,
                assignee=rng.choice(OPERATORS),
                first_response_at=replied,
                response_clock=None,
            )
            writes.append(TicketChanged(f"{n}-reply", facts, answered))
            facts = answered
            closed = replied + timedelta(hours=rng.uniform(1, 100))
            if closed < now and rng.random() < 0.85:
                reason = rng.choice(list(ClosedReason))
                done = replace(facts, status=Status.CLOSED, updated_at=closed, closed_reason=reason)
                writes.append(TicketChanged(f"{n}-close", facts, done))
                facts = done
        yield _ticket(facts, rng), writes


def _ticket(facts: TicketFacts, rng: random.Random) -> Ticket:
    return Ticket(
        id=facts.id,
        status=facts.status,
        department=facts.department,
        subject=rng.choice(SUBJECTS),
        account_id=f"acct-{rng.randrange(1000, 3000)}",
        created_at=facts.created_at,
        updated_at=facts.updated_at,
        version=len(facts.id) % 3 + 1,
        assignee=facts.assignee,
        closed_at=facts.updated_at if facts.status is Status.CLOSED else None,
        closed_reason=facts.closed_reason,
    )


def seed(client: Any, now: datetime, report_from: date) -> tuple[int, int, int]:
    """The tickets and their aggregates. Returns (tickets, aggregate items, tickets opened in the
    report's days)."""
    policies = sla_policies()
    merged: dict[Scope, dict[date, Tally]] = {}
    tickets = opened_in_period = 0
    zone = policies.for_ticket(DEPARTMENTS[0], "normal").calendar.time_zone
    items_to_write: list[dict[str, Any]] = []
    for ticket, writes in histories(now):
        tickets += 1
        opened_in_period += ticket.created_at.astimezone(zone).date() >= report_from
        for write in writes:
            for (scope, day), tally in tallies(write, policies.for_ticket).items():
                merged.setdefault(scope, {}).setdefault(day, Tally()).add(tally)
        items_to_write.append(ticket_item(ticket))
    put_items(client, items_to_write)
    store = DynamoReportStore(client, TABLE)
    items = 0
    for scope, days in merged.items():
        for n, chunk in enumerate(batched(sorted(days.items()), DAYS_PER_TRANSACTION, strict=False)):
            store.record(
                f"bench-{scope.department}-{scope.operator}-{n}", {(scope, d): t for d, t in chunk}, now
            )
            items += len(chunk)
        items += 1  # its TOTAL
    return tickets, items, opened_in_period


def run(stack: Stack) -> ReportRun:
    zone = sla_policies().for_ticket(DEPARTMENTS[0], "normal").calendar.time_zone
    last = NOW.astimezone(zone).date()
    first = last - timedelta(days=REPORT_DAYS - 1)
    tickets, aggregate_items, expected_opened = seed(stack.client, NOW, first)
    scan_items, scan_requests = scan_cost(stack.client)
    query = {"from": first.isoformat(), "to": last.isoformat()}
    stack.requests.take()
    started = time.perf_counter()
    answer = stack.gateway.request("GET", "/reports", claims=OPERATOR, query=query, at=NOW)
    seconds = time.perf_counter() - started
    operations = stack.requests.take().operations
    assert answer.status == 200, answer.body
    mine = stack.gateway.request(
        "GET", "/reports", claims=OPERATOR, query={**query, "operator": "op-1"}, at=NOW
    )
    assert mine.status == 200, mine.body
    return ReportRun(
        tickets,
        aggregate_items,
        answer.json(),
        int(mine.json()["items_read"]),
        operations,
        seconds,
        expected_opened,
        scan_items,
        scan_requests,
        stack.engine,
    )


def report(out: TextIO, run: ReportRun) -> None:
    total = run.report["total"]
    bound = len(DEPARTMENTS) * (REPORT_DAYS + 1)
    table(
        out,
        f"8. A {REPORT_DAYS}-day report in a table of {run.tickets:,} tickets",
        ["report", "items read", "requests", "target", "ok?"],
        [
            [
                "every department",
                str(run.items_read),
                f"{len(run.operations)} ({run.operations.count('Query')} Query)",
                f"items ≤ {bound} (days + total, per department)",
                ok(run.passed),
            ],
            [
                "one operator",
                str(run.operator_items),
                "",
                f"items ≤ {bound}",
                ok(run.operator_items <= bound),
            ],
        ],
        align="lrrll",
        notes=[
            f"Contrast, a Scan-based report: {run.scan_items:,} items in {run.scan_requests} Scan requests "
            f"= {run.scan_items / max(run.items_read, 1):,.0f}x the items this report read "
            f"(the table holds {run.aggregate_items:,} aggregate items for {HISTORY_DAYS} days).",
            f"The report counted {total['opened']['total']:,} tickets opened in the period "
            f"(the population: {run.expected_opened:,}), {total['closed']['total']:,} closings, "
            f"first response median {total['first_response']['business']['median_seconds']} business s, "
            f"backlog now {total['backlog']:,}.",
            f"It took {run.seconds:.2f} s on {run.engine}.",
        ],
    )
