"""Escalation: on a schedule, find the tickets whose response target falls due within the
warning window (in business minutes) or has passed, and alert once per target and stage ("due in
N minutes", then "breached").

Each alert moves the ticket's stored response clock to its new stage and adds a history entry
(operators only, rendered in the reader's language) in one transaction guarded by the clock it
found (still OPEN, same start, same stage) and by a processing marker, so a reply that lands
first wins and overlapping or repeated runs alert once.

Each Query asks only for clocks that started early enough to be at risk, so a run reads the
tickets at risk and few others. The SLA index (`sla_response`) is keyed by department: it is asked
with the normal priority's thresholds, which also finds every ticket whose priority's policy is
no stricter there (low, usually). The tickets of a priority whose policy is stricter than normal
in some department (urgent's 24x7 30 minutes) are in `sla_by_priority` too, keyed by priority,
and it is asked once per such priority, target and stage with that priority's thresholds (the
latest start at risk in any department), so an urgent ticket is alerted when it is at risk under
its own policy. A ticket both reads return is judged once per run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from helpdesk.config import Settings
from helpdesk.domain import history
from helpdesk.domain.attributes import Priority
from helpdesk.domain.history import EntryCode, HistoryEntry
from helpdesk.domain.models import Ticket
from helpdesk.domain.sla import (
    DEFAULT_PRIORITY,
    AlertStage,
    ResponseClock,
    SlaPolicies,
    SlaPolicy,
    SlaTarget,
    sla_view,
)
from helpdesk.domain.status_machine import Status
from helpdesk.observability import logger
from helpdesk.store.protocols import AlreadyProcessed, ChangeRefused


class ResponseClocks(Protocol):
    """What escalation needs of the store."""

    def clocks_started_by(
        self, department: str, target: SlaTarget, stage: AlertStage, moment: datetime
    ) -> Iterator[tuple[list[Ticket], int]]: ...

    def priority_clocks_started_by(
        self, priority: str, target: SlaTarget, stage: AlertStage, moment: datetime
    ) -> Iterator[tuple[list[Ticket], int]]:
        """The same for the tickets of `priority` (not normal), in every department."""

    def record_alert(
        self,
        ticket_id: str,
        *,
        found: ResponseClock,
        alerted: ResponseClock,
        entry: HistoryEntry,
        marker: str,
        now: datetime,
    ) -> None:
        """Raises ChangeRefused (the clock changed) or AlreadyProcessed (alerted already)."""


_TARGETS = (SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE)
_STAGES = (AlertStage.NONE, AlertStage.WARNED)  # the clocks not warned yet, and those warned


class AlertChoice(StrEnum):
    WARNED = "warned"
    BREACHED = "breached"
    NOT_YET = "not_yet"  # read, but more time left than the window under its own policy
    SKIPPED = "skipped"  # a reply, a close or another run got there first


@dataclass(frozen=True)
class EscalationReport:
    warned: int
    breached: int
    not_yet: int
    skipped: int
    items_read: int  # index items DynamoDB read
    queries: int


def alert_marker(ticket_id: str, clock: ResponseClock, stage: AlertStage) -> str:
    return f"sla:{ticket_id}:{clock.target.value}:{clock.since.isoformat()}:{stage.value}"


class Escalator:
    def __init__(
        self,
        store: ResponseClocks,
        settings: Settings,
        policies: SlaPolicies,
    ) -> None:
        self._store = store
        self._settings = settings
        self._policies = policies
        self._window = timedelta(minutes=settings.sla_warning_minutes)

    def run(self, now: datetime) -> EscalationReport:
        counts = dict.fromkeys(AlertChoice, 0)
        items_read = queries = 0
        judged: set[str] = set()  # a ticket both indexes return is judged once

        def judge(pages: Iterator[tuple[list[Ticket], int]]) -> None:
            nonlocal items_read, queries
            queries += 1
            for page, read in pages:
                items_read += read
                for ticket in page:
                    if ticket.id not in judged:
                        judged.add(ticket.id)
                        counts[self.alert_one(ticket, now)] += 1

        # Stricter priorities first: their tickets are judged on the freshest read.
        for priority, target, stage, latest_start in self._stricter_queries(now):
            judge(self._store.priority_clocks_started_by(priority, target, stage, latest_start))
        for department in self._settings.departments:
            normal = self._policies.for_ticket(department.id, DEFAULT_PRIORITY)
            for target in _TARGETS:
                for stage in _STAGES:
                    latest_start = self._latest_start(normal, target, stage, now)
                    judge(self._store.clocks_started_by(department.id, target, stage, latest_start))
        return EscalationReport(
            warned=counts[AlertChoice.WARNED],
            breached=counts[AlertChoice.BREACHED],
            not_yet=counts[AlertChoice.NOT_YET],
            skipped=counts[AlertChoice.SKIPPED],
            items_read=items_read,
            queries=queries,
        )

    def alert_one(self, ticket: Ticket, now: datetime) -> AlertChoice:
        clock = ticket.response_clock
        if clock is None or ticket.status is not Status.OPEN:
            return AlertChoice.SKIPPED
        policy = self._policies.for_ticket(ticket.department, ticket.priority.value)
        view = sla_view(ticket.status, clock, policy, now)
        assert view.left is not None
        assert view.due_at is not None
        if view.breached:
            stage, code = AlertStage.BREACHED, EntryCode.SLA_BREACHED
        elif view.left <= self._window and clock.stage is AlertStage.NONE:
            stage, code = AlertStage.WARNED, EntryCode.SLA_WARNING
        else:
            return AlertChoice.NOT_YET
        if clock.stage >= stage:
            return AlertChoice.NOT_YET
        local_due = view.due_at.astimezone(policy.calendar.time_zone)
        params = {"target": clock.target.value, "due": local_due.strftime("%d/%m/%Y %H:%M")}
        if code is EntryCode.SLA_WARNING:
            params["minutes"] = str(max(0, int(view.left.total_seconds() // 60)))
        entry = history.entry(code, now, None, **params)
        try:
            self._store.record_alert(
                ticket.id,
                found=clock,
                alerted=replace(clock, stage=stage),
                entry=entry,
                marker=alert_marker(ticket.id, clock, stage),
                now=now,
            )
        except (ChangeRefused, AlreadyProcessed):
            logger.info(
                "SLA alert skipped: the ticket changed or was alerted", extra={"ticket_id": ticket.id}
            )
            return AlertChoice.SKIPPED
        logger.info("SLA alert", extra={"ticket_id": ticket.id, "target": clock.target, "stage": stage})
        return AlertChoice.BREACHED if stage is AlertStage.BREACHED else AlertChoice.WARNED

    def _stricter_queries(self, now: datetime) -> Iterator[tuple[str, SlaTarget, AlertStage, datetime]]:
        """(priority, target, stage, latest start) for each priority whose policy puts a clock at
        risk sooner than the normal one in some department: the department Query, asked with
        normal's thresholds, would find its tickets late. The latest start is the latest at risk
        in any such department (each ticket is then judged on its own policy)."""
        for priority in Priority:
            if priority.value == DEFAULT_PRIORITY:
                continue
            for target in _TARGETS:
                for stage in _STAGES:
                    sooner: list[datetime] = []
                    for department in self._settings.departments:
                        own = self._policies.for_ticket(department.id, priority.value)
                        normal = self._policies.for_ticket(department.id, DEFAULT_PRIORITY)
                        start = self._latest_start(own, target, stage, now)
                        if start > self._latest_start(normal, target, stage, now):
                            sooner.append(start)
                    if sooner:
                        yield priority.value, target, stage, max(sooner)

    def _latest_start(
        self, policy: SlaPolicy, target: SlaTarget, stage: AlertStage, now: datetime
    ) -> datetime:
        """The latest start of a clock at `stage` that is at risk now: its next alert is due."""
        if stage is AlertStage.NONE:
            return self._warn_from(policy, target, now)
        return self._breach_from(policy, target, now)

    def _warn_from(self, policy: SlaPolicy, target: SlaTarget, now: datetime) -> datetime:
        """The latest start at which a clock has at most the warning window left now."""
        allowed = policy.allowed(target)
        assert allowed is not None
        if allowed <= self._window:
            return now
        return policy.calendar.subtract(now, allowed - self._window)

    @staticmethod
    def _breach_from(policy: SlaPolicy, target: SlaTarget, now: datetime) -> datetime:
        """The latest start at which a clock has used up its target by now."""
        allowed = policy.allowed(target)
        assert allowed is not None
        return policy.calendar.subtract(now, allowed)
