"""The support lead's figures as pure functions: what one change of a ticket adds to the day
tallies (opened, closed, reopened, first-response and resolution times, SLA met or missed, the
backlog), how tallies add up, and the percentiles read from them.

A change is the ticket before and after one write (the table's stream gives both images), so the
facts come from the write itself, with no read:
- opened: the ticket appears (by the channel of its first message), on the day it was created;
- closed (by reason) / reopened: the status leaves or returns from CLOSED;
- first response: `first_response_at` appears (set once, by the first public operator reply);
  its time is from the opening to that reply;
- resolution: each closing, timed from the opening (a reopened ticket closed again counts again);
- SLA: a response clock that the change ends. Ended by a public reply (the ticket goes to
  WAITING): met when the business time from its start to the reply is within the target, else
  missed. Ended by a close: missed if it had already run out, otherwise not counted (nobody
  answered late: there was nothing left to answer);
- backlog: tickets not CLOSED. A change that moves a ticket in or out of a scope's backlog (open,
  close, reopen, reassign) adds +1/-1 to that day's delta; the store keeps a running total;
- satisfaction: each rated closing counts good or bad on the day of the closing, for the
  closing's department and assignee (kept on the rating item); a changed rating moves its count
  from one to the other (rating_tallies, from the rating item's own stream record).

Days are local days of the department's calendar time zone; business time is the ticket's
policy calendar's. Each fact counts for the department and, when the ticket has an assignee, for
that operator too (the figures of the tickets assigned to them)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from helpdesk.domain.models import ClosedReason
from helpdesk.domain.sla import DEFAULT_PRIORITY, RESPONSE_TARGETS, ResponseClock, SlaPolicy, SlaTarget
from helpdesk.domain.status_machine import Status

MAX_REPORT_DAYS = 92  # a quarter: what one request may ask for


@dataclass(frozen=True)
class TicketFacts:
    """What the reports read of a ticket as one write left it (a stream image)."""

    id: str
    status: Status
    department: str
    channel: str
    created_at: datetime
    updated_at: datetime
    assignee: str | None = None
    priority: str = DEFAULT_PRIORITY
    closed_reason: ClosedReason | None = None
    first_response_at: datetime | None = None
    response_clock: ResponseClock | None = None


@dataclass(frozen=True)
class TicketChanged:
    """One write of a ticket item: before (None for its creation) and after."""

    event_id: str  # the stream record's id: what makes counting it exactly-once
    before: TicketFacts | None
    after: TicketFacts


@dataclass(frozen=True)
class Scope:
    """Whose figures: a department's, or one operator's within a department."""

    department: str
    operator: str | None = None


class Measure(StrEnum):
    """Durations kept whole (seconds), so percentiles are exact."""

    FIRST_RESPONSE_BUSINESS = "first_response_business"
    FIRST_RESPONSE_CALENDAR = "first_response_calendar"
    RESOLUTION_BUSINESS = "resolution_business"
    RESOLUTION_CALENDAR = "resolution_calendar"


BACKLOG = "backlog"  # the counter holding the day's backlog delta
REOPENED = "reopened"
CSAT_GOOD = "csat_good"  # rated closings, good
CSAT_BAD = "csat_bad"  # rated closings, bad
_CSAT = {"good": CSAT_GOOD, "bad": CSAT_BAD}


@dataclass(frozen=True)
class RatingFacts:
    """What the reports read of a rating item as one write left it (a stream image)."""

    ticket_id: str
    closed_at: datetime  # the closing rated: its day is the one the rating counts on
    department: str
    assignee: str | None
    value: str  # good | bad
    rated_at: datetime


@dataclass(frozen=True)
class RatingChanged:
    """One write of a rating item: before (None when the closing is first rated) and after."""

    event_id: str
    before: RatingFacts | None
    after: RatingFacts


def opened_counter(channel: str) -> str:
    return f"opened_{channel}"


def closed_counter(reason: str) -> str:
    return f"closed_{reason}"


def sla_counter(target: SlaTarget, met: bool) -> str:
    return f"sla_{target.value}_{'met' if met else 'missed'}"


@dataclass
class Tally:
    """Counters and durations of one scope on one day (or summed over several)."""

    counts: dict[str, int] = field(default_factory=dict)
    durations: dict[Measure, list[int]] = field(default_factory=dict)

    def count(self, counter: str, delta: int = 1) -> None:
        self.counts[counter] = self.counts.get(counter, 0) + delta

    def duration(self, measure: Measure, seconds: int) -> None:
        self.durations.setdefault(measure, []).append(seconds)

    def add(self, other: Tally) -> None:
        for counter, value in other.counts.items():
            self.count(counter, value)
        for measure, values in other.durations.items():
            self.durations.setdefault(measure, []).extend(values)

    def __bool__(self) -> bool:
        return any(self.counts.values()) or any(self.durations.values())


PolicyFor = Callable[[str, str], SlaPolicy]  # (department, priority) -> policy


def tallies(change: TicketChanged, policy_for: PolicyFor) -> dict[tuple[Scope, date], Tally]:
    """What one change adds, by scope and day (empty when it changes nothing reported)."""
    after, before = change.after, change.before
    policy = policy_for(after.department, after.priority)
    zone = policy_for(after.department, DEFAULT_PRIORITY).calendar.time_zone
    result: dict[tuple[Scope, date], Tally] = {}

    def tally(scope: Scope, at: datetime) -> Tally:
        return result.setdefault((scope, at.astimezone(zone).date()), Tally())

    def note(at: datetime, apply: Callable[[Tally], None]) -> None:
        apply(tally(Scope(after.department), at))
        if after.assignee:
            apply(tally(Scope(after.department, after.assignee), at))

    if before is None:
        note(after.created_at, lambda t: t.count(opened_counter(after.channel)))
    else:
        _status_facts(before, after, policy, note)
        _sla_facts(before, after, policy, note)
    if after.first_response_at is not None and (before is None or before.first_response_at is None):
        replied = after.first_response_at
        business = _seconds(policy.calendar.between(after.created_at, replied))
        calendar = _seconds(replied - after.created_at)
        note(replied, lambda t: t.duration(Measure.FIRST_RESPONSE_BUSINESS, business))
        note(replied, lambda t: t.duration(Measure.FIRST_RESPONSE_CALENDAR, calendar))
    for scope, delta in backlog_moves(before, after).items():
        tally(scope, after.updated_at).count(BACKLOG, delta)
    return {key: value for key, value in result.items() if value}


def _status_facts(
    before: TicketFacts, after: TicketFacts, policy: SlaPolicy, note: Callable[..., None]
) -> None:
    was_closed, is_closed = before.status is Status.CLOSED, after.status is Status.CLOSED
    at = after.updated_at
    if is_closed and not was_closed:
        reason = (after.closed_reason or ClosedReason.OPERATOR).value
        business = _seconds(policy.calendar.between(after.created_at, at))
        calendar = _seconds(at - after.created_at)
        note(at, lambda t: t.count(closed_counter(reason)))
        note(at, lambda t: t.duration(Measure.RESOLUTION_BUSINESS, business))
        note(at, lambda t: t.duration(Measure.RESOLUTION_CALENDAR, calendar))
    elif was_closed and not is_closed:
        note(at, lambda t: t.count(REOPENED))


def _sla_facts(before: TicketFacts, after: TicketFacts, policy: SlaPolicy, note: Callable[..., None]) -> None:
    clock = before.response_clock
    if clock is None or clock.target not in RESPONSE_TARGETS:
        return
    still = after.response_clock
    if still is not None and (still.target, still.since) == (clock.target, clock.since):
        return  # still running (escalation only moved its alert stage)
    allowed = policy.allowed(clock.target)
    assert allowed is not None  # response targets are required
    at = after.updated_at
    in_time = policy.calendar.between(clock.since, at) <= allowed
    if after.status is Status.WAITING:  # a public reply ended it
        note(at, lambda t: t.count(sla_counter(clock.target, in_time)))
    elif after.status is Status.CLOSED and not in_time:  # closed after it had run out
        note(at, lambda t: t.count(sla_counter(clock.target, False)))


def rating_tallies(change: RatingChanged, policy_for: PolicyFor) -> dict[tuple[Scope, date], Tally]:
    """What one rating write adds: +1 to its value on the closing's day (for the department and
    the closing's assignee), and -1 to the value it replaces; nothing when the value stays (a
    comment added)."""
    result: dict[tuple[Scope, date], Tally] = {}
    for facts, sign in ((change.before, -1), (change.after, 1)):
        if facts is None or facts.value not in _CSAT or not facts.department:
            continue
        zone = policy_for(facts.department, DEFAULT_PRIORITY).calendar.time_zone
        day = facts.closed_at.astimezone(zone).date()
        scopes = [Scope(facts.department)] + (
            [Scope(facts.department, facts.assignee)] if facts.assignee else []
        )
        for scope in scopes:
            result.setdefault((scope, day), Tally()).count(_CSAT[facts.value], sign)
    for tally in result.values():  # a value replaced by itself adds nothing
        tally.counts = {name: n for name, n in tally.counts.items() if n}
    return {key: value for key, value in result.items() if value}


def backlog_moves(before: TicketFacts | None, after: TicketFacts) -> dict[Scope, int]:
    """+1/-1 per scope whose backlog (tickets not CLOSED) the change enters or leaves."""
    moves: dict[Scope, int] = {}
    for facts, sign in ((before, -1), (after, 1)):
        for scope in _backlog_scopes(facts):
            moves[scope] = moves.get(scope, 0) + sign
    return {scope: delta for scope, delta in moves.items() if delta}


def _backlog_scopes(facts: TicketFacts | None) -> tuple[Scope, ...]:
    if facts is None or facts.status is Status.CLOSED:
        return ()
    department = Scope(facts.department)
    return (department, Scope(facts.department, facts.assignee)) if facts.assignee else (department,)


def _seconds(span: timedelta) -> int:
    return int(span.total_seconds())


# ---------------------------------------------------------------------- reading the tallies
@dataclass(frozen=True)
class DayReport:
    day: date
    tally: Tally
    backlog: int  # tickets not closed at the end of the day


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    department: str | None
    operator: str | None
    time_zone: str
    days: list[DayReport]
    total: Tally
    backlog: int  # at the end of the period
    items_read: int  # aggregate items DynamoDB read to answer


def percentile(values: Sequence[int], q: float) -> int | None:
    """The nearest-rank percentile (a value that occurred: the smallest with at least q of the
    values at or below it); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def backlog_at_end_of_days(days: Sequence[date], deltas: dict[date, int], now_total: int) -> dict[date, int]:
    """Backlog at the end of each day: the running total now, less every delta after that day
    (`deltas` must hold every day after the first asked, up to now)."""
    result: dict[date, int] = {}
    later = sum(delta for day, delta in deltas.items() if day > days[-1]) if days else 0
    total = now_total - later
    for day in reversed(days):
        result[day] = total
        total -= deltas.get(day, 0)
    return result


def summed(parts: Iterable[Tally]) -> Tally:
    total = Tally()
    for part in parts:
        total.add(part)
    return total
