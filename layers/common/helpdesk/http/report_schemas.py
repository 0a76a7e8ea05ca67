"""What GET /reports answers: the figures of each day and of the whole period."""

from pydantic import Field

from helpdesk.domain.models import Channel, ClosedReason
from helpdesk.domain.reports import (
    CSAT_BAD,
    CSAT_GOOD,
    REOPENED,
    Measure,
    Report,
    Tally,
    closed_counter,
    opened_counter,
    percentile,
    sla_counter,
)
from helpdesk.domain.sla import RESPONSE_TARGETS, SlaTarget
from helpdesk.http.schemas import Schema


class DurationOut(Schema):
    median_seconds: int | None = Field(description="Nearest-rank median; null without any.")
    p90_seconds: int | None = Field(description="Nearest-rank 90th percentile; null without any.")


class TimesOut(Schema):
    count: int
    business: DurationOut = Field(description="In business time of the department's calendar.")
    calendar: DurationOut = Field(description="In calendar (wall-clock) time.")


class ShareOut(Schema):
    total: int
    by: dict[str, int]


class AttainmentOut(Schema):
    met: int
    missed: int
    rate: float | None = Field(description="met / (met + missed); null when neither.")


class SatisfactionOut(Schema):
    good: int
    bad: int
    rate: float | None = Field(description="good / (good + bad); null without ratings.")


class FiguresOut(Schema):
    opened: ShareOut = Field(description="Tickets opened, by channel.")
    closed: ShareOut = Field(description="Closings, by reason.")
    reopened: int
    first_response: TimesOut = Field(description="From opening to the first public operator reply.")
    resolution: TimesOut = Field(description="From opening to each closing.")
    sla: dict[str, AttainmentOut] = Field(description="Response targets met and missed, by target.")
    satisfaction: SatisfactionOut
    backlog: int = Field(description="Tickets not closed at the end of the day (of the period, in total).")

    @classmethod
    def of(cls, tally: Tally, backlog: int) -> "FiguresOut":
        counts = tally.counts
        channels = _names([c.value for c in Channel], counts, "opened_")
        reasons = _names([r.value for r in ClosedReason], counts, "closed_")
        opened = {c: counts.get(opened_counter(c), 0) for c in channels}
        closed = {r: counts.get(closed_counter(r), 0) for r in reasons}
        targets = [t for t in SlaTarget if t in RESPONSE_TARGETS]
        return cls(
            opened=ShareOut(total=sum(opened.values()), by=opened),
            closed=ShareOut(total=sum(closed.values()), by=closed),
            reopened=counts.get(REOPENED, 0),
            first_response=_times(tally, Measure.FIRST_RESPONSE_BUSINESS, Measure.FIRST_RESPONSE_CALENDAR),
            resolution=_times(tally, Measure.RESOLUTION_BUSINESS, Measure.RESOLUTION_CALENDAR),
            sla={
                t.value: _attainment(
                    counts.get(sla_counter(t, True), 0), counts.get(sla_counter(t, False), 0)
                )
                for t in targets
            },
            satisfaction=_satisfaction(counts.get(CSAT_GOOD, 0), counts.get(CSAT_BAD, 0)),
            backlog=backlog,
        )


class DayOut(FiguresOut):
    date: str


class ReportOut(Schema):
    start: str = Field(description="The first day (the `from` asked, or 30 days before `to`).")
    end: str = Field(description="The last day (the `to` asked, or today).")
    department: str | None
    operator: str | None
    time_zone: str = Field(description="Days are local days of this time zone.")
    days: list[DayOut]
    total: FiguresOut
    items_read: int = Field(description="Aggregate items DynamoDB read for this report.")

    @classmethod
    def of(cls, report: Report) -> "ReportOut":
        return cls(
            start=report.start.isoformat(),
            end=report.end.isoformat(),
            department=report.department,
            operator=report.operator,
            time_zone=report.time_zone,
            days=[
                DayOut(date=d.day.isoformat(), **FiguresOut.of(d.tally, d.backlog).model_dump())
                for d in report.days
            ],
            total=FiguresOut.of(report.total, report.backlog),
            items_read=report.items_read,
        )


def _names(known: list[str], counts: dict[str, int], prefix: str) -> list[str]:
    seen = sorted(c.removeprefix(prefix) for c in counts if c.startswith(prefix))
    return known + [name for name in seen if name not in known]


def _times(tally: Tally, business: Measure, calendar: Measure) -> TimesOut:
    def of(measure: Measure) -> DurationOut:
        values = tally.durations.get(measure, [])
        return DurationOut(median_seconds=percentile(values, 0.5), p90_seconds=percentile(values, 0.9))

    return TimesOut(
        count=len(tally.durations.get(calendar, [])), business=of(business), calendar=of(calendar)
    )


def _attainment(met: int, missed: int) -> AttainmentOut:
    return AttainmentOut(
        met=met, missed=missed, rate=round(met / (met + missed), 4) if met + missed else None
    )


def _satisfaction(good: int, bad: int) -> SatisfactionOut:
    return SatisfactionOut(good=good, bad=bad, rate=round(good / (good + bad), 4) if good + bad else None)
