"""Measurement 7: what one SLA escalation run reads in a large table with 50 tickets at risk,
against what a Scan would (issue 12)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO, TypedDict

from bench.report import ok, table
from bench.stack import Stack, put_items, scan_cost
from bench.tickets import SUBJECTS, ticket_item
from devstack.events import scheduled_event
from helpdesk.config import sla_policies
from helpdesk.domain.models import ClosedReason, Ticket
from helpdesk.domain.sla import ResponseClock, SlaTarget
from helpdesk.domain.status_machine import Status

TICKETS = 20_000
AT_RISK = 50  # half within the warning window, half past their due time
RUNNING_NOT_AT_RISK = 500  # in the sparse index, with time left: must not be read
# A Monday, 11:00 in Madrid: inside soporte's office hours.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class RunAnswer(TypedDict):
    """What EscalateFunction answers: its service's EscalationReport as a dict."""

    warned: int
    breached: int
    not_yet: int
    skipped: int
    items_read: int
    queries: int


@dataclass(frozen=True)
class EscalationRun:
    tickets: int
    first: RunAnswer
    again: RunAnswer  # the same scheduled time once more (a duplicated event)
    later: RunAnswer  # five minutes later: the clocks that entered the window since
    operations: list[str]
    seconds: float
    scan_items: int
    scan_requests: int
    engine: str

    @property
    def passed(self) -> bool:
        return (
            self.first["warned"] + self.first["breached"] == AT_RISK
            and self.first["items_read"] <= AT_RISK
            and self.again["items_read"] == 0
            and self.again["warned"] + self.again["breached"] == 0
            and self.later["items_read"] == self.later["warned"] + self.later["breached"]
        )


def population(now: datetime, seed: int = 12) -> Iterator[Ticket]:
    """Soporte tickets (first response 60 business minutes): AT_RISK whose clock has 1-29 minutes
    left or is past due, RUNNING_NOT_AT_RISK with more than the 30-minute window left, the rest
    WAITING or CLOSED (no response owed)."""
    rng = random.Random(seed)
    calendar = sla_policies().for_ticket("soporte", "normal").calendar

    def started(minutes_ago: int) -> ResponseClock:
        return ResponseClock(SlaTarget.FIRST_RESPONSE, calendar.subtract(now, timedelta(minutes=minutes_ago)))

    for n in range(TICKETS):
        created = now - timedelta(days=rng.uniform(1, 400))
        status, clock, closed_at = Status.CLOSED, None, None
        if n < AT_RISK // 2:  # 31-59 business minutes into a 60-minute target: warn
            clock = ResponseClock(
                SlaTarget.FIRST_RESPONSE, calendar.subtract(now, timedelta(minutes=rng.randint(31, 59)))
            )
        elif n < AT_RISK:  # past due
            clock = ResponseClock(
                SlaTarget.FIRST_RESPONSE, calendar.subtract(now, timedelta(minutes=rng.randint(61, 600)))
            )
        elif n < AT_RISK + RUNNING_NOT_AT_RISK:
            clock = ResponseClock(
                SlaTarget.FIRST_RESPONSE, calendar.subtract(now, timedelta(minutes=rng.randint(0, 29)))
            )
        elif rng.random() < 0.2:
            status = Status.WAITING
        else:
            closed_at = created + timedelta(hours=rng.uniform(1, 96))
        if clock is not None:
            status, created = Status.OPEN, clock.since
        yield Ticket(
            id=f"NZ-{n:08d}",
            status=status,
            department="soporte",
            subject=rng.choice(SUBJECTS),
            account_id=f"acct-{rng.randrange(1000, 3000)}",
            created_at=created,
            updated_at=closed_at or created,
            version=1,
            closed_at=closed_at,
            closed_reason=ClosedReason.OPERATOR if closed_at else None,
            response_clock=clock,
        )


def seed(client: Any, now: datetime) -> int:
    return put_items(client, (ticket_item(t) for t in population(now)))


def run(stack: Stack) -> EscalationRun:
    tickets = seed(stack.client, NOW)
    scan_items, scan_requests = scan_cost(stack.client)
    spec = next(s for s in stack.gateway.specs if s.logical_id == "EscalateFunction")
    stack.requests.take()
    started = time.perf_counter()
    first = stack.gateway.invoke(spec, scheduled_event(NOW))
    seconds = time.perf_counter() - started
    operations = stack.requests.take().operations
    again = stack.gateway.invoke(spec, scheduled_event(NOW))
    later = stack.gateway.invoke(spec, scheduled_event(NOW + timedelta(minutes=5)))
    return EscalationRun(
        tickets, first, again, later, operations, seconds, scan_items, scan_requests, stack.engine
    )


def report(out: TextIO, run: EscalationRun) -> None:
    queries = run.operations.count("Query")
    writes = len(run.operations) - queries
    items_read = int(run.first["items_read"])
    table(
        out,
        f"7. SLA escalation in a table of {run.tickets:,} tickets, {AT_RISK} at risk",
        ["run", "warned", "breached", "index items read", "requests", "target", "ok?"],
        [
            [
                "first",
                str(run.first["warned"]),
                str(run.first["breached"]),
                str(items_read),
                f"{len(run.operations)} ({queries} Query + {writes} write)",
                f"items ≤ {AT_RISK}",
                ok(run.first["warned"] + run.first["breached"] == AT_RISK and items_read <= AT_RISK),
            ],
            [
                "same event again",
                str(run.again["warned"]),
                str(run.again["breached"]),
                str(run.again["items_read"]),
                f"{run.again['queries']} Query",
                "0 alerts, 0 items (once each)",
                ok(run.again["items_read"] == 0 and run.again["warned"] + run.again["breached"] == 0),
            ],
            [
                "5 min later",
                str(run.later["warned"]),
                str(run.later["breached"]),
                str(run.later["items_read"]),
                f"{run.later['queries']} Query + writes",
                "items = the new alerts",
                ok(run.later["items_read"] == run.later["warned"] + run.later["breached"]),
            ],
        ],
        align="lrrrlll",
        notes=[
            f"{RUNNING_NOT_AT_RISK} more tickets await an answer with more than the 30-minute window "
            "left (in the index, not read).",
            f"Contrast, a Scan-based run: {run.scan_items:,} items in {run.scan_requests} Scan requests "
            f"= {run.scan_items / max(items_read, 1):,.0f}x the items this run read.",
            "One Query per department, target and alert stage; one transaction (clock stage with its "
            "history entry, marker) per alert.",
            f"The first run took {run.seconds:.2f} s on {run.engine}.",
        ],
    )
