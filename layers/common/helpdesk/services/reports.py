"""The support lead's reports: kept as aggregates from the table's stream (ReportAggregator, one
transaction per stream record, counted once), read per day (ReportService), so a report's cost
grows with the days asked, not with the tickets. The rules of what counts are in
helpdesk.domain.reports."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from helpdesk.config import Settings
from helpdesk.domain.errors import FieldProblem, InvalidValue, NotAllowed
from helpdesk.domain.models import Caller
from helpdesk.domain.reports import (
    BACKLOG,
    MAX_REPORT_DAYS,
    DayReport,
    RatingChanged,
    Report,
    Scope,
    Tally,
    TicketChanged,
    backlog_at_end_of_days,
    days_between,
    rating_tallies,
    summed,
    tallies,
)
from helpdesk.domain.sla import DEFAULT_PRIORITY, SlaPolicies
from helpdesk.services.departments import known_department
from helpdesk.store.protocols import AlreadyProcessed, ScopeDays

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_REPORT_DAYS = 30


class ReportStore(Protocol):
    def record(self, event_id: str, tallies: Mapping[tuple[Scope, date], Tally], now: datetime) -> None:
        """Raises AlreadyProcessed when the record was counted before."""

    def days_from(self, scope: Scope, start: date) -> ScopeDays: ...


class AggregationOutcome(StrEnum):
    COUNTED = "counted"
    DUPLICATE = "duplicate"  # a redelivered stream record: counted before
    NOTHING = "nothing"  # a write that changes no figure (a note, an alert's stage)


class ReportAggregator:
    def __init__(self, store: ReportStore, policies: SlaPolicies) -> None:
        self._store = store
        self._policies = policies

    def handle(self, change: TicketChanged | RatingChanged) -> AggregationOutcome:
        if isinstance(change, RatingChanged):
            added = rating_tallies(change, self._policies.for_ticket)
            at = change.after.rated_at
        else:
            added = tallies(change, self._policies.for_ticket)
            at = change.after.updated_at
        if not added:
            return AggregationOutcome.NOTHING
        try:
            self._store.record(change.event_id, added, at)
        except AlreadyProcessed:
            return AggregationOutcome.DUPLICATE
        return AggregationOutcome.COUNTED


class ReportService:
    def __init__(self, store: ReportStore, settings: Settings, policies: Callable[[], SlaPolicies]) -> None:
        self._store = store
        self._settings = settings
        self._policies = policies

    def report(
        self,
        caller: Caller,
        *,
        start: str | None,
        end: str | None,
        department: str | None,
        operator: str | None,
        now: datetime,
    ) -> Report:
        if not caller.is_operator:
            raise NotAllowed("reports_operators_only")
        departments = (
            [known_department(self._settings, department).id]
            if department
            else [d.id for d in self._settings.departments]
        )
        zone = self._policies().for_ticket(departments[0], DEFAULT_PRIORITY).calendar.time_zone
        today = now.astimezone(zone).date()
        last = _day(end, "to") if end else today
        # (bounded: a "to" in year 1 has no 30 days before it)
        default_days = min(DEFAULT_REPORT_DAYS - 1, (last - date.min).days)
        first = _day(start, "from") if start else last - timedelta(days=default_days)
        _check_range(first, last, today)
        days = days_between(first, last)
        per_day = {day: Tally() for day in days}
        backlog = dict.fromkeys(days, 0)
        items_read = 0
        for department_id in departments:
            read = self._store.days_from(Scope(department_id, operator or None), first)
            items_read += read.items_read
            deltas = {day: tally.counts.get(BACKLOG, 0) for day, tally in read.days.items()}
            for day, value in backlog_at_end_of_days(days, deltas, read.backlog_now).items():
                backlog[day] += value
            for day, tally in read.days.items():
                if day in per_day:
                    per_day[day].add(tally)
        return Report(
            start=first,
            end=last,
            department=department,
            operator=operator or None,
            time_zone=str(zone),
            days=[DayReport(day, per_day[day], backlog[day]) for day in days],
            total=summed(per_day.values()),
            backlog=backlog[last],
            items_read=items_read,
        )


def _day(text: str, name: str) -> date:
    try:
        if not _ISO_DAY.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            "report_date_invalid", field=name, details=[FieldProblem(name, "not_a_date")]
        ) from None


def _check_range(first: date, last: date, today: date) -> None:
    if first > last:
        raise InvalidValue("report_range_reversed", details=[FieldProblem("from", "not_after_to")])
    if last > today:
        raise InvalidValue(
            "report_in_future", today=today.isoformat(), details=[FieldProblem("to", "not_after_today")]
        )
    if (last - first).days + 1 > MAX_REPORT_DAYS:
        raise InvalidValue(
            "report_range_too_long",
            limit=MAX_REPORT_DAYS,
            details=[FieldProblem("to", "range_too_long", {"limit": MAX_REPORT_DAYS})],
        )
