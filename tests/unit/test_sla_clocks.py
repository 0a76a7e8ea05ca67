"""SLA clocks from a ticket's history, as the status machine writes it. The office works Monday to
Friday 09:00-19:00 (Europe/Madrid); first response 60 business minutes, next response 120,
resolution 480."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.domain.calendars import BusinessCalendar, Holidays, WorkingPeriod
from helpdesk.domain.sla import (
    ClockState,
    EventKind,
    SlaPolicy,
    SlaTarget,
    TicketEvent,
    events_from_actions,
    sla_clocks,
)
from helpdesk.domain.status_machine import Action, Status

MADRID = ZoneInfo("Europe/Madrid")
OFFICE_WEEK = ((WorkingPeriod(time(9), time(19)),),) * 5 + ((), ())


def policy(*holidays: date, resolution: int | None = 480) -> SlaPolicy:
    return SlaPolicy(
        calendar=BusinessCalendar("oficina", MADRID, OFFICE_WEEK, Holidays(frozenset(holidays))),
        first_response=timedelta(minutes=60),
        next_response=timedelta(minutes=120),
        resolution=None if resolution is None else timedelta(minutes=resolution),
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)


def history(opened: str, *steps: tuple[str, Action]) -> list[TicketEvent]:
    return events_from_actions(at(opened), [(at(when), action) for when, action in steps])


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def test_the_issue_example_friday_evening_is_due_monday_morning() -> None:
    clocks = sla_clocks(history("2026-11-20 18:55"), policy(), as_of=at("2026-11-21 12:00"))
    first = clocks.clock(SlaTarget.FIRST_RESPONSE)
    assert first is not None
    assert first.state is ClockState.RUNNING
    assert first.due_at == at("2026-11-23 09:55")
    assert first.elapsed == minutes(5)  # five minutes on Friday; Saturday does not count
    assert first.left == minutes(55)
    assert not first.breached


def test_a_holiday_on_that_monday_moves_it_to_tuesday() -> None:
    clocks = sla_clocks(history("2026-11-20 18:55"), policy(date(2026, 11, 23)), as_of=at("2026-11-23 12:00"))
    first = clocks.clock(SlaTarget.FIRST_RESPONSE)
    assert first is not None
    assert first.due_at == at("2026-11-24 09:55")
    assert first.left == minutes(55)


def test_the_clock_stands_still_while_the_ticket_waits_for_the_customer() -> None:
    steps = history(
        "2026-11-23 10:00",
        ("2026-11-23 10:20", Action.OPERATOR_REPLY),  # first response met; WAITING
        ("2026-11-25 11:00", Action.CUSTOMER_REPLY),  # two days later: OPEN, next response starts
    )
    waiting = sla_clocks(steps, policy(), as_of=at("2026-11-24 16:00"))
    assert waiting.status is Status.WAITING
    resolution = waiting.clock(SlaTarget.RESOLUTION)
    assert resolution is not None
    assert resolution.state is ClockState.PAUSED
    assert resolution.elapsed == minutes(20)
    assert resolution.due_at is None  # no due time while it stands still
    assert resolution.left == minutes(460)
    assert waiting.clock(SlaTarget.NEXT_RESPONSE) is None
    assert waiting.next_due is None
    (first,) = waiting.ended
    assert (first.target, first.state, first.elapsed, first.breached) == (
        SlaTarget.FIRST_RESPONSE,
        ClockState.MET,
        minutes(20),
        False,
    )

    # A day later the same: nothing counted while WAITING.
    assert sla_clocks(steps, policy(), as_of=at("2026-11-25 10:59")).clock(SlaTarget.RESOLUTION) == resolution

    answered = sla_clocks(steps, policy(), as_of=at("2026-11-25 12:00"))
    resolution = answered.clock(SlaTarget.RESOLUTION)
    assert resolution is not None
    assert resolution.state is ClockState.RUNNING
    assert resolution.elapsed == minutes(80)
    assert resolution.due_at == at("2026-11-25 18:40")  # the 460 minutes left, from 11:00
    following = answered.clock(SlaTarget.NEXT_RESPONSE)
    assert following is not None
    assert (following.started_at, following.due_at) == (at("2026-11-25 11:00"), at("2026-11-25 13:00"))
    assert answered.next_due == following


def test_an_internal_note_does_not_stop_the_clock() -> None:
    steps = history("2026-11-23 10:00", ("2026-11-23 10:30", Action.INTERNAL_NOTE))
    first = sla_clocks(steps, policy(), as_of=at("2026-11-23 11:30")).clock(SlaTarget.FIRST_RESPONSE)
    assert first is not None
    assert first.state is ClockState.RUNNING
    assert first.due_at == at("2026-11-23 11:00")
    assert first.breached
    assert first.left == -minutes(30)


@pytest.mark.parametrize(
    ("reply", "breached"),
    [("2026-11-23 11:00", False), ("2026-11-23 11:00:00.001", True), ("2026-11-23 10:59", False)],
    ids=["at-the-due-instant", "a-millisecond-late", "early"],
)
def test_a_public_reply_meets_the_target(reply: str, breached: bool) -> None:
    steps = history("2026-11-23 10:00", (reply, Action.OPERATOR_REPLY))
    clocks = sla_clocks(steps, policy(), as_of=at("2026-11-23 12:00"))
    (first,) = clocks.ended
    assert first.state is ClockState.MET
    assert first.ended_at == at(reply)
    assert first.breached is breached


def test_each_customer_message_after_an_operator_reply_restarts_next_response() -> None:
    steps = history(
        "2026-11-23 10:00",
        ("2026-11-23 10:10", Action.OPERATOR_REPLY),
        ("2026-11-23 11:00", Action.CUSTOMER_REPLY),  # next response starts
        ("2026-11-23 11:30", Action.CUSTOMER_REPLY),  # still waiting on the 11:00 message
        ("2026-11-23 12:00", Action.OPERATOR_REPLY),
        ("2026-11-23 15:00", Action.CUSTOMER_REPLY),  # starts again
    )
    clocks = sla_clocks(steps, policy(resolution=None), as_of=at("2026-11-23 16:00"))
    assert [(c.target, c.started_at, c.elapsed) for c in clocks.ended] == [
        (SlaTarget.FIRST_RESPONSE, at("2026-11-23 10:00"), minutes(10)),
        (SlaTarget.NEXT_RESPONSE, at("2026-11-23 11:00"), minutes(60)),
    ]
    current = clocks.clock(SlaTarget.NEXT_RESPONSE)
    assert current is not None
    assert (current.started_at, current.due_at, current.left) == (
        at("2026-11-23 15:00"),
        at("2026-11-23 17:00"),
        minutes(60),
    )
    assert clocks.clock(SlaTarget.RESOLUTION) is None  # the policy has no resolution target


def test_closing_cancels_a_pending_response_and_meets_resolution() -> None:
    steps = history("2026-11-23 10:00", ("2026-11-23 10:30", Action.CLOSE))
    clocks = sla_clocks(steps, policy(), as_of=at("2026-11-24 10:00"))
    assert clocks.status is Status.CLOSED
    assert clocks.active == ()
    first, resolution = clocks.ended
    assert (first.target, first.state, first.breached) == (
        SlaTarget.FIRST_RESPONSE,
        ClockState.CANCELLED,
        False,
    )
    assert (resolution.state, resolution.elapsed, resolution.ended_at) == (
        ClockState.MET,
        minutes(30),
        at("2026-11-23 10:30"),
    )


def test_a_breach_stays_when_the_customer_closes_afterwards() -> None:
    steps = history("2026-11-23 10:00", ("2026-11-23 12:00", Action.CLOSE))
    (first, _resolution) = sla_clocks(steps, policy(), as_of=at("2026-11-23 12:00")).ended
    assert first.state is ClockState.CANCELLED
    assert first.breached
    assert first.due_at == at("2026-11-23 11:00")


def test_reopening_starts_next_response_and_resumes_resolution() -> None:
    steps = history(
        "2026-11-23 10:00",
        ("2026-11-23 10:30", Action.OPERATOR_REPLY),
        ("2026-11-23 11:00", Action.CLOSE),
        ("2026-11-26 10:00", Action.REOPEN),
    )
    clocks = sla_clocks(steps, policy(), as_of=at("2026-11-26 10:15"))
    assert clocks.status is Status.OPEN
    following = clocks.clock(SlaTarget.NEXT_RESPONSE)
    resolution = clocks.clock(SlaTarget.RESOLUTION)
    assert following is not None
    assert resolution is not None
    assert following.due_at == at("2026-11-26 12:00")
    assert resolution.elapsed == minutes(30 + 15)  # OPEN 10:00-10:30 on Monday, and since reopening
    assert resolution.state is ClockState.RUNNING


def test_a_customer_reply_to_a_closed_ticket_reopens_it_and_starts_next_response() -> None:
    steps = history(
        "2026-11-23 10:00",
        ("2026-11-23 10:30", Action.OPERATOR_REPLY),
        ("2026-11-23 12:00", Action.CLOSE),
        ("2026-11-24 09:30", Action.CUSTOMER_REPLY),
    )
    following = sla_clocks(steps, policy(), as_of=at("2026-11-24 09:30")).clock(SlaTarget.NEXT_RESPONSE)
    assert following is not None
    assert following.due_at == at("2026-11-24 11:30")


def test_a_breach_while_open_stays_visible_while_paused() -> None:
    """Met late: the resolution clock breached during the first OPEN stretch, then WAITING."""
    steps = history("2026-11-23 09:00", ("2026-11-24 09:30", Action.OPERATOR_REPLY))
    clocks = sla_clocks(steps, policy(), as_of=at("2026-11-25 10:00"))
    resolution = clocks.clock(SlaTarget.RESOLUTION)
    assert resolution is not None
    assert resolution.state is ClockState.PAUSED
    assert resolution.breached
    assert resolution.due_at == at("2026-11-23 17:00")
    assert resolution.left == -minutes(10 * 60 + 30 - 480)


def test_events_after_the_time_asked_are_ignored() -> None:
    steps = history("2026-11-23 10:00", ("2026-11-23 10:30", Action.OPERATOR_REPLY))
    first = sla_clocks(steps, policy(), as_of=at("2026-11-23 10:20")).clock(SlaTarget.FIRST_RESPONSE)
    assert first is not None
    assert (first.state, first.elapsed) == (ClockState.RUNNING, minutes(20))


def test_actions_the_status_does_not_allow_are_not_history() -> None:
    events = history(
        "2026-11-23 10:00",
        ("2026-11-23 10:05", Action.ASSIGN),  # no status change: nothing for a clock
        ("2026-11-23 10:10", Action.REOPEN),  # refused on an OPEN ticket
        ("2026-11-23 10:20", Action.CLOSE),
        ("2026-11-23 10:30", Action.OPERATOR_REPLY),  # refused on a CLOSED ticket
    )
    assert [(e.kind, e.status) for e in events] == [
        (EventKind.OPENED, Status.OPEN),
        (EventKind.STATUS_CHANGED, Status.CLOSED),
    ]


@pytest.mark.parametrize(
    ("events", "as_of"),
    [
        pytest.param([], "2026-11-23 10:00", id="no-history"),
        pytest.param(
            [TicketEvent(at("2026-11-23 10:00"), EventKind.CUSTOMER_MESSAGE, Status.OPEN)],
            "2026-11-23 11:00",
            id="no-opening",
        ),
        pytest.param(history("2026-11-23 10:00"), "2026-11-23 09:00", id="asked-before-opening"),
    ],
)
def test_a_history_without_its_opening_is_refused(events: list[TicketEvent], as_of: str) -> None:
    with pytest.raises(ValueError, match="starts with its opening"):
        sla_clocks(events, policy(), as_of=at(as_of))
