"""What one ticket write and one rating write add to the reports (helpdesk.domain.reports), the
aggregator's exactly-once on the in-memory store, and the readings (percentiles, backlog at the end of a day).
soporte: office hours 09:00-19:00 Monday to Friday, first response 60 business minutes, next 120;
comercial: 24x7."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from helpdesk.domain.models import ClosedReason
from helpdesk.domain.reports import (
    BACKLOG,
    CSAT_BAD,
    CSAT_GOOD,
    Measure,
    RatingChanged,
    RatingFacts,
    Scope,
    TicketChanged,
    TicketFacts,
    backlog_at_end_of_days,
    percentile,
    rating_tallies,
    tallies,
)
from helpdesk.domain.sla import AlertStage, ResponseClock, SlaTarget
from helpdesk.domain.status_machine import Status
from helpdesk.services.reports import AggregationOutcome, ReportAggregator
from tests.support.domain import SLA_POLICIES, madrid
from tests.support.fakes import InMemoryReportStore

OPENED = madrid("2026-11-27 18:55")  # a Friday, five minutes before closing
SOPORTE = Scope("soporte")
LUIS = Scope("soporte", "luis")
FRIDAY, MONDAY = date(2026, 11, 27), date(2026, 11, 30)

NEW = TicketFacts(
    id="NZ-00000001",
    status=Status.OPEN,
    department="soporte",
    channel="email",
    created_at=OPENED,
    updated_at=OPENED,
    response_clock=ResponseClock(SlaTarget.FIRST_RESPONSE, OPENED),
)


def change(before, after, event_id="e1"):
    return tallies(TicketChanged(event_id, before, after), SLA_POLICIES.for_ticket)


def test_an_opening_counts_by_channel_on_its_day_and_enters_the_backlog():
    added = change(None, NEW)
    assert added[(SOPORTE, FRIDAY)].counts == {"opened_email": 1, BACKLOG: 1}
    assert list(added) == [(SOPORTE, FRIDAY)]  # nobody's yet: no operator's figures


def test_the_first_public_reply_is_timed_in_business_and_calendar_time_and_judged_once():
    assigned = replace(NEW, assignee="luis")
    reply_at = madrid("2026-11-30 09:55")  # 5 + 55 business minutes: the due instant is in time
    replied = replace(
        assigned, status=Status.WAITING, updated_at=reply_at, first_response_at=reply_at, response_clock=None
    )
    added = change(assigned, replied)
    day = added[(SOPORTE, MONDAY)]
    assert day.durations == {
        Measure.FIRST_RESPONSE_BUSINESS: [3600],
        Measure.FIRST_RESPONSE_CALENDAR: [int((reply_at - OPENED).total_seconds())],
    }
    assert day.counts == {"sla_first_response_met": 1}
    assert added[(LUIS, MONDAY)].counts == {"sla_first_response_met": 1}

    later = reply_at + timedelta(minutes=1)
    second = replace(replied, updated_at=later)  # another reply: first_response_at stays as it was
    assert change(replied, second) == {}


def test_a_late_reply_misses_and_a_close_after_the_due_time_misses_too():
    late = madrid("2026-11-30 09:56")
    replied = replace(
        NEW, status=Status.WAITING, updated_at=late, first_response_at=late, response_clock=None
    )
    assert change(NEW, replied)[(SOPORTE, MONDAY)].counts["sla_first_response_missed"] == 1

    closed = replace(
        NEW, status=Status.CLOSED, updated_at=late, closed_reason=ClosedReason.CUSTOMER, response_clock=None
    )
    counts = change(NEW, closed)[(SOPORTE, MONDAY)].counts
    assert counts == {"closed_customer": 1, "sla_first_response_missed": 1, BACKLOG: -1}


def test_a_close_in_time_is_neither_met_nor_missed():
    early = madrid("2026-11-30 09:10")
    closed = replace(
        NEW, status=Status.CLOSED, updated_at=early, closed_reason=ClosedReason.OPERATOR, response_clock=None
    )
    day = change(NEW, closed)[(SOPORTE, MONDAY)]
    assert day.counts == {"closed_operator": 1, BACKLOG: -1}
    assert day.durations[Measure.RESOLUTION_BUSINESS] == [15 * 60]


def test_an_escalation_alert_moves_the_stage_and_counts_nothing():
    alerted = replace(NEW, response_clock=replace(NEW.response_clock, stage=AlertStage.WARNED))
    assert change(NEW, alerted) == {}


def test_a_reopen_counts_and_returns_to_the_backlog_of_its_assignee():
    closed = replace(NEW, status=Status.CLOSED, assignee="luis", response_clock=None)
    reopened = replace(closed, status=Status.OPEN, updated_at=madrid("2026-11-30 12:00"))
    added = change(closed, reopened)
    assert added[(SOPORTE, MONDAY)].counts == {"reopened": 1, BACKLOG: 1}
    assert added[(LUIS, MONDAY)].counts == {"reopened": 1, BACKLOG: 1}


def test_a_reassignment_moves_the_backlog_between_operators_only():
    mine = replace(NEW, assignee="luis")
    hers = replace(mine, assignee="marta", updated_at=madrid("2026-11-30 12:00"))
    added = change(mine, hers)
    assert {scope: t.counts for (scope, _day), t in added.items()} == {
        LUIS: {BACKLOG: -1},
        Scope("soporte", "marta"): {BACKLOG: 1},
    }


def test_the_day_is_the_local_day_of_the_department():
    after_midnight = madrid("2026-12-01 00:30")  # 23:30 UTC on Monday: Tuesday in Madrid
    opened = replace(NEW, created_at=after_midnight, updated_at=after_midnight)
    assert list(change(None, opened)) == [(SOPORTE, date(2026, 12, 1))]


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [([], None, None), ([7], 7, 7), ([1, 2], 1, 2), ([5, 1, 4, 2, 3], 3, 5), (list(range(1, 11)), 5, 9)],
)
def test_percentiles_are_nearest_rank_values_that_occurred(values, median, p90):
    assert (percentile(values, 0.5), percentile(values, 0.9)) == (median, p90)


def test_the_backlog_at_the_end_of_a_day_is_now_less_every_later_delta():
    days = [date(2026, 11, 28), date(2026, 11, 29)]
    deltas = {date(2026, 11, 28): 2, date(2026, 11, 29): -1, date(2026, 11, 30): 3}
    assert backlog_at_end_of_days(days, deltas, now_total=10) == {
        date(2026, 11, 29): 7,
        date(2026, 11, 28): 8,
    }


def test_the_aggregator_counts_a_redelivered_record_once():
    store = InMemoryReportStore()
    aggregator = ReportAggregator(store, SLA_POLICIES)
    opening = TicketChanged("record-1", None, NEW)
    assert aggregator.handle(opening) is AggregationOutcome.COUNTED
    assert aggregator.handle(opening) is AggregationOutcome.DUPLICATE
    assert aggregator.handle(TicketChanged("record-2", NEW, replace(NEW, updated_at=NEW.updated_at))) is (
        AggregationOutcome.NOTHING
    )
    read = store.days_from(SOPORTE, FRIDAY)
    assert read.days[FRIDAY].counts == {"opened_email": 1, BACKLOG: 1}
    assert read.backlog_now == 1


# ---------------------------------------------------------------------- satisfaction
# The closing rated: 23:30 UTC on Monday, 00:30 on Tuesday in Madrid (the department's day).
CLOSING = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
TUESDAY = date(2026, 12, 1)
GOOD = RatingFacts(
    ticket_id="NZ-00000001",
    closed_at=CLOSING,
    department="soporte",
    assignee="luis",
    value="good",
    rated_at=CLOSING + timedelta(days=2),  # rated later: the closing's day counts, not this one
)


def rated(before, after, event_id="r1"):
    return tallies_of(rating_tallies(RatingChanged(event_id, before, after), SLA_POLICIES.for_ticket))


def tallies_of(added):
    return {key: tally.counts for key, tally in added.items()}


def test_a_first_rating_counts_on_the_closings_local_day_for_the_department_and_the_assignee():
    assert rated(None, GOOD) == {(SOPORTE, TUESDAY): {CSAT_GOOD: 1}, (LUIS, TUESDAY): {CSAT_GOOD: 1}}


def test_an_unassigned_closing_counts_for_the_department_only():
    assert rated(None, replace(GOOD, assignee=None, value="bad")) == {(SOPORTE, TUESDAY): {CSAT_BAD: 1}}


def test_a_changed_rating_moves_its_count_from_one_value_to_the_other():
    bad = replace(GOOD, value="bad", rated_at=GOOD.rated_at + timedelta(hours=1))
    assert rated(GOOD, bad) == {
        (SOPORTE, TUESDAY): {CSAT_GOOD: -1, CSAT_BAD: 1},
        (LUIS, TUESDAY): {CSAT_GOOD: -1, CSAT_BAD: 1},
    }


def test_a_comment_added_to_the_same_rating_counts_nothing():
    assert rated(GOOD, replace(GOOD, rated_at=GOOD.rated_at + timedelta(minutes=5))) == {}


def test_a_rating_without_the_closings_department_counts_nothing():
    # A rating stored before ratings carried the department was never counted; changed later, the
    # new value counts once (nothing is taken back from a count that never happened).
    old = replace(GOOD, department="", assignee=None)
    assert rated(None, old) == {}
    assert rated(old, replace(GOOD, value="bad")) == {
        (SOPORTE, TUESDAY): {CSAT_BAD: 1},
        (LUIS, TUESDAY): {CSAT_BAD: 1},
    }


def test_the_aggregator_counts_a_redelivered_rating_once_and_a_change_moves_it():
    store = InMemoryReportStore()
    aggregator = ReportAggregator(store, SLA_POLICIES)
    first = RatingChanged("rating-1", None, GOOD)
    assert aggregator.handle(first) is AggregationOutcome.COUNTED
    assert aggregator.handle(first) is AggregationOutcome.DUPLICATE
    assert store.days_from(LUIS, TUESDAY).days[TUESDAY].counts == {CSAT_GOOD: 1}
    changed = RatingChanged("rating-2", GOOD, replace(GOOD, value="bad"))
    assert aggregator.handle(changed) is AggregationOutcome.COUNTED
    counts = store.days_from(SOPORTE, TUESDAY).days[TUESDAY].counts
    assert (counts[CSAT_GOOD], counts[CSAT_BAD]) == (0, 1)
    assert store.backlog.get(SOPORTE, 0) == 0  # a rating moves no backlog
