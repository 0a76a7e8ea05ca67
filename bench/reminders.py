"""Measurement 8: what the auto-close reminder costs in a large table with 50 reminders due,
against what a Scan would (issue 11): the scheduled auto-close run reads the sparse reminder
index and writes one guarded UpdateItem per reminder; the same event again reads nothing."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO

from bench.api import START, Api
from bench.report import ok, table
from bench.stack import Stack, put_items, scan_cost
from bench.tickets import DEPARTMENTS, SUBJECTS, ticket_item
from helpdesk.domain.models import ClosedReason, Ticket
from helpdesk.domain.status_machine import Status

TICKETS = 20_000
DUE = 50  # WAITING, reminder time passed, not reminded yet
NOT_YET = 500  # WAITING with the reminder time ahead: in the index, must not be read
REMINDED = 500  # WAITING, reminded already: out of the index
REMINDER_HOURS = 24
CLOSE_HOURS = 72


@dataclass(frozen=True)
class ReminderRun:
    tickets: int
    first: dict[str, Any]  # the function's answer
    again: dict[str, Any]  # the same scheduled event once more
    operations: list[str]
    again_operations: list[str]
    seconds: float
    scan_items: int
    scan_requests: int
    engine: str

    @property
    def passed(self) -> bool:
        first, again = self.first["reminders"], self.again["reminders"]
        return (
            first["reminded"] == DUE
            and first["items_read"] <= DUE
            and self.operations.count("UpdateItem") == DUE
            and self.operations.count("Query") <= 2
            and again["reminded"] == 0
            and again["items_read"] == 0
        )


def population(now: datetime, seed: int = 11) -> Iterator[Ticket]:
    rng = random.Random(seed)
    for n in range(TICKETS):
        created = now - timedelta(days=rng.uniform(1, 400))
        status, closes, remind, closed_at = Status.CLOSED, None, None, None
        if n < DUE + NOT_YET + REMINDED:
            status = Status.WAITING
            ahead = DUE <= n < DUE + NOT_YET  # its reminder is still to come
            low, high = (REMINDER_HOURS, CLOSE_HOURS) if ahead else (0, REMINDER_HOURS)
            closes = now + timedelta(hours=rng.uniform(low + 0.1, high - 0.1))
            if n < DUE + NOT_YET:  # the reminded ones have left the index
                remind = closes - timedelta(hours=REMINDER_HOURS)
            created = min(created, closes - timedelta(hours=CLOSE_HOURS))
        elif rng.random() < 0.3:
            status = Status.OPEN
        else:
            closed_at = created + timedelta(hours=rng.uniform(1, 96))
        yield Ticket(
            id=f"NZ-{n:08d}",
            status=status,
            department=rng.choice(DEPARTMENTS),
            subject=rng.choice(SUBJECTS),
            account_id=f"acct-{rng.randrange(1000, 3000)}",
            created_at=created,
            updated_at=closes - timedelta(hours=CLOSE_HOURS) if closes else (closed_at or created),
            version=rng.randrange(1, 9),
            auto_close_at=closes,
            remind_at=remind,
            closed_at=closed_at,
            closed_reason=ClosedReason.OPERATOR if closed_at else None,
        )


def seed(client: Any, now: datetime) -> int:
    return put_items(client, (ticket_item(t) for t in population(now)))


def run(stack: Stack) -> ReminderRun:
    api = Api(stack.gateway)
    now = START
    tickets = seed(stack.client, now)
    scan_items, scan_requests = scan_cost(stack.client)
    invocation = api.schedule(now)
    stack.requests.take()
    started = time.perf_counter()
    first = api.invoke(invocation)
    seconds = time.perf_counter() - started
    operations = stack.requests.take().operations
    again = api.invoke(invocation)
    again_operations = stack.requests.take().operations
    return ReminderRun(
        tickets, first, again, operations, again_operations, seconds, scan_items, scan_requests, stack.engine
    )


def report(out: TextIO, run: ReminderRun) -> None:
    first, again = run.first["reminders"], run.again["reminders"]
    table(
        out,
        f"9. Auto-close reminders in a table of {run.tickets:,} tickets, {DUE} due",
        ["run", "reminded", "reminder index items read", "requests", "target", "ok?"],
        [
            [
                "first",
                str(first["reminded"]),
                str(first["items_read"]),
                f"{len(run.operations)} ({run.operations.count('Query')} Query + "
                f"{run.operations.count('UpdateItem')} UpdateItem)",
                f"items ≤ {DUE}, 1 UpdateItem per reminder",
                ok(run.passed),
            ],
            [
                "same event again",
                str(again["reminded"]),
                str(again["items_read"]),
                f"{len(run.again_operations)} ({run.again_operations.count('Query')} Query)",
                "0 items, 0 writes",
                ok(run.passed),
            ],
        ],
        align="lrrlll",
        notes=[
            f"{NOT_YET} more WAITING tickets have their reminder ahead (in the index, not due); "
            f"{REMINDED} were reminded already (out of the index).",
            "The run is the auto-close schedule's: its first Query (closes due) finds none here.",
            f"Contrast, a Scan-based run: {run.scan_items:,} items in {run.scan_requests} Scan requests "
            f"= {run.scan_items / max(int(first['items_read']), 1):,.0f}x the items this run read.",
            "Per reminder: 1 UpdateItem here, then the notify function's thread Query, the account's "
            "addresses and language, its marker check and mark, and the SES send, as for any mail.",
            f"The first run took {run.seconds:.2f} s on {run.engine}.",
        ],
    )
