"""SLA clocks as pure functions of a ticket's history.

The rules, in one place:
- A clock counts business time (of the policy's calendar) only while the ticket is OPEN, the team's
  turn; WAITING and CLOSED stop it, and it resumes where it stopped.
- First response starts when the ticket is opened; a public operator reply meets it. An internal
  note changes nothing.
- Next response starts at the first customer message after an operator reply (later messages
  before the next reply do not move it: the oldest unanswered message is what the customer waits
  on), and when a ticket becomes OPEN again (reopened) with no response pending; the next public
  operator reply meets it.
- Closing ends a pending response clock as cancelled (nobody breaches on a ticket the customer
  closed); its breach, if it had already breached, stays.
- Resolution (optional) starts when the ticket is opened, counts while OPEN over the whole life of
  the ticket (reopening resumes it) and is met when the ticket closes.
- A target is breached when its elapsed business time exceeds the allowed time: an answer at the
  due instant itself is in time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from helpdesk.domain.attributes import Priority
from helpdesk.domain.calendars import BusinessCalendar
from helpdesk.domain.status_machine import Action, Status, transition_for


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


RESPONSE_TARGETS = frozenset({SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE})


@dataclass(frozen=True)
class SlaPolicy:
    calendar: BusinessCalendar
    first_response: timedelta
    next_response: timedelta
    resolution: timedelta | None = None

    def allowed(self, target: SlaTarget) -> timedelta | None:
        return {
            SlaTarget.FIRST_RESPONSE: self.first_response,
            SlaTarget.NEXT_RESPONSE: self.next_response,
            SlaTarget.RESOLUTION: self.resolution,
        }[target]


@dataclass(frozen=True)
class PolicyRule:
    """A policy for a department and/or priority; None matches any."""

    department: str | None
    priority: str | None
    policy: SlaPolicy


@dataclass(frozen=True)
class SlaPolicies:
    rules: tuple[PolicyRule, ...]

    def __post_init__(self) -> None:
        if not any(r.department is None and r.priority is None for r in self.rules):
            raise ValueError("SLA policies need a catch-all rule (no department, no priority)")

    def for_ticket(self, department: str, priority: str) -> SlaPolicy:
        """The most specific rule: department and priority, then department, then priority, then
        the catch-all."""

        def specificity(rule: PolicyRule) -> int:
            return (2 if rule.department is not None else 0) + (1 if rule.priority is not None else 0)

        matching = [
            r for r in self.rules if r.department in (None, department) and r.priority in (None, priority)
        ]
        return max(matching, key=specificity).policy

    def all(self) -> tuple[SlaPolicy, ...]:
        return tuple(r.policy for r in self.rules)


# ---------------------------------------------------------------------- history
class EventKind(StrEnum):
    OPENED = "opened"
    CUSTOMER_MESSAGE = "customer_message"
    OPERATOR_REPLY = "operator_reply"  # public: the customer reads it
    INTERNAL_NOTE = "internal_note"
    STATUS_CHANGED = "status_changed"  # close, reopen, auto-close, merge...


@dataclass(frozen=True)
class TicketEvent:
    at: datetime
    kind: EventKind
    status: Status  # the ticket's status after the event


_KIND_OF_ACTION = {
    Action.OPERATOR_REPLY: EventKind.OPERATOR_REPLY,
    Action.CUSTOMER_REPLY: EventKind.CUSTOMER_MESSAGE,
    Action.INTERNAL_NOTE: EventKind.INTERNAL_NOTE,
}


def events_from_actions(opened_at: datetime, actions: Iterable[tuple[datetime, Action]]) -> list[TicketEvent]:
    """A ticket's history from the actions applied to it, statuses as the status machine sets them
    (actions the current status does not allow are refused there, so they are skipped here)."""
    status = Status.OPEN
    events = [TicketEvent(opened_at, EventKind.OPENED, status)]
    for at, action in actions:
        transition = transition_for(action)
        if status not in transition.allowed_from:
            continue
        before, status = status, transition.to or status
        kind = _KIND_OF_ACTION.get(action, EventKind.STATUS_CHANGED)
        if kind is EventKind.STATUS_CHANGED and status is before:
            continue  # an assignment, say: nothing a clock follows
        events.append(TicketEvent(at, kind, status))
    return events


# ---------------------------------------------------------------------- clocks
class ClockState(StrEnum):
    RUNNING = "running"  # the ticket is OPEN: counting
    PAUSED = "paused"  # WAITING (or CLOSED, for resolution): standing still
    MET = "met"
    CANCELLED = "cancelled"  # closed before an answer


@dataclass(frozen=True)
class TargetClock:
    target: SlaTarget
    allowed: timedelta
    started_at: datetime
    elapsed: timedelta  # business time counted up to the evaluation (or to its end)
    state: ClockState
    # When the allowed time is (or was) used up: for a running clock always (in the future while
    # time is left); for a paused or ended one only if it was used up while counting.
    due_at: datetime | None
    ended_at: datetime | None = None

    @property
    def left(self) -> timedelta:
        """Business time left; negative: how long overdue."""
        return self.allowed - self.elapsed

    @property
    def breached(self) -> bool:
        return self.elapsed > self.allowed


@dataclass(frozen=True)
class SlaClocks:
    status: Status
    active: tuple[TargetClock, ...]  # running or paused
    ended: tuple[TargetClock, ...]  # met or cancelled, in the order they ended

    def clock(self, target: SlaTarget) -> TargetClock | None:
        return next((c for c in self.active if c.target is target), None)

    @property
    def next_due(self) -> TargetClock | None:
        """The running clock that runs out first."""
        running = [c for c in self.active if c.state is ClockState.RUNNING and c.due_at is not None]
        return min(running, key=lambda c: c.due_at or c.started_at, default=None)


class _Clock:
    def __init__(self, target: SlaTarget, allowed: timedelta, started_at: datetime) -> None:
        self.target = target
        self.allowed = allowed
        self.started_at = started_at
        self.elapsed = timedelta(0)  # before the current stretch
        self.counting_since: datetime | None = None
        self.due_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.state = ClockState.PAUSED

    def run(self, at: datetime) -> None:
        if self.counting_since is None:
            self.counting_since = at
        self.state = ClockState.RUNNING
        self.ended_at = None

    def stop(self, at: datetime, calendar: BusinessCalendar, state: ClockState) -> None:
        if self.counting_since is not None:
            self._count(at, calendar)
            self.counting_since = None
        self.state = state
        self.ended_at = at if state in (ClockState.MET, ClockState.CANCELLED) else None

    def _count(self, until: datetime, calendar: BusinessCalendar) -> None:
        assert self.counting_since is not None
        before = self.elapsed
        self.elapsed = before + calendar.between(self.counting_since, until)
        if self.due_at is None and self.elapsed >= self.allowed:
            self.due_at = calendar.add(self.counting_since, self.allowed - before)

    def as_of(self, at: datetime, calendar: BusinessCalendar) -> TargetClock:
        elapsed, due_at = self.elapsed, self.due_at
        if self.counting_since is not None:
            elapsed += calendar.between(self.counting_since, at)
            if due_at is None:
                due_at = calendar.add(self.counting_since, self.allowed - self.elapsed)
        return TargetClock(
            target=self.target,
            allowed=self.allowed,
            started_at=self.started_at,
            elapsed=elapsed,
            state=self.state,
            due_at=due_at,
            ended_at=self.ended_at,
        )


def _follow_status(
    status: Status,
    at: datetime,
    calendar: BusinessCalendar,
    response: _Clock | None,
    resolution: _Clock | None,
) -> None:
    """Every clock follows the ticket's status: both run while it is OPEN and pause while it waits;
    closing cancels the response clock and meets the resolution clock."""
    if status is Status.OPEN:
        for clock in (response, resolution):
            if clock is not None:
                clock.run(at)
        return
    closed = status is Status.CLOSED
    if response is not None:
        response.stop(at, calendar, ClockState.CANCELLED if closed else ClockState.PAUSED)
    if resolution is not None:
        resolution.stop(at, calendar, ClockState.MET if closed else ClockState.PAUSED)


def sla_clocks(events: Sequence[TicketEvent], policy: SlaPolicy, as_of: datetime) -> SlaClocks:
    """The ticket's SLA clocks as of `as_of`, from its history (events after `as_of` are ignored)."""
    calendar = policy.calendar
    history = sorted((e for e in events if e.at <= as_of), key=lambda e: e.at)
    if not history or history[0].kind is not EventKind.OPENED:
        raise ValueError("a ticket's history starts with its opening, at or before the time asked")
    status = history[0].status
    response: _Clock | None = None
    resolution: _Clock | None = None
    ended: list[_Clock] = []

    def start_response(target: SlaTarget, at: datetime) -> _Clock:
        allowed = policy.allowed(target)
        assert allowed is not None
        return _Clock(target, allowed, at)

    for event in history:
        was = status
        status = event.status
        if event.kind is EventKind.OPENED:
            response = start_response(SlaTarget.FIRST_RESPONSE, event.at)
            if policy.resolution is not None:
                resolution = _Clock(SlaTarget.RESOLUTION, policy.resolution, event.at)
        elif event.kind is EventKind.OPERATOR_REPLY and response is not None:
            response.stop(event.at, calendar, ClockState.MET)
            ended.append(response)
            response = None
        if (
            response is None
            and status is Status.OPEN
            and (event.kind is EventKind.CUSTOMER_MESSAGE or was is not Status.OPEN)
        ):
            response = start_response(SlaTarget.NEXT_RESPONSE, event.at)
        _follow_status(status, event.at, calendar, response, resolution)
        if response is not None and response.state is ClockState.CANCELLED:
            ended.append(response)
            response = None

    active = [c for c in (response, resolution) if c is not None and c.state is not ClockState.MET]
    if resolution is not None and resolution.state is ClockState.MET:
        ended.append(resolution)
    return SlaClocks(
        status=status,
        active=tuple(c.as_of(as_of, calendar) for c in active),
        ended=tuple(
            c.as_of(as_of, calendar) for c in sorted(ended, key=lambda c: c.ended_at or c.started_at)
        ),
    )


# ---------------------------------------------------------------------- the stored response clock
# The ticket item keeps the response clock that is running (first or next response): its target,
# when it started and which alerts went out. Writes that start it (a customer reply, a reopen) do
# not know the ticket's department or priority, so they store the start, never the due time; the
# due time is the start plus the policy's target in business time, computed where it is read.
# The status machine reaches WAITING only through a public operator reply, so a stored response
# clock never pauses: it runs from its start until a public reply or a close removes it.
class AlertStage(StrEnum):
    NONE = "0"
    WARNED = "1"  # "due in N minutes" went out
    BREACHED = "2"  # "breached" went out


@dataclass(frozen=True)
class ResponseClock:
    target: SlaTarget  # FIRST_RESPONSE or NEXT_RESPONSE
    since: datetime
    stage: AlertStage = AlertStage.NONE


class ResponseClockEffect(StrEnum):
    START_NEXT = "start_next"  # start next response, unless a response clock is already running
    STOP = "stop"
    KEEP = "keep"


def response_clock_effect(action: Action) -> ResponseClockEffect:
    """What an action does to the stored response clock, from the status it leads to: to OPEN
    (a customer reply, a reopen) starts next response when none runs; to WAITING (a public reply)
    or CLOSED stops it; no status change (an internal note, an assignment) keeps it."""
    to = transition_for(action).to
    if to is Status.OPEN:
        return ResponseClockEffect.START_NEXT
    if to in (Status.WAITING, Status.CLOSED):
        return ResponseClockEffect.STOP
    return ResponseClockEffect.KEEP


# A ticket's priority until an operator sets one (domain.attributes.DEFAULT_PRIORITY, as a name).
DEFAULT_PRIORITY: str = Priority.NORMAL.value


class SlaState(StrEnum):
    RUNNING = "running"  # the team's turn: a response is due
    PAUSED = "paused"  # WAITING: the customer's turn, no clock runs
    STOPPED = "stopped"  # CLOSED


@dataclass(frozen=True)
class SlaView:
    """What operators see of a ticket's SLA: the running target, its due time and what is left."""

    state: SlaState
    target: SlaTarget | None = None
    allowed: timedelta | None = None
    due_at: datetime | None = None
    left: timedelta | None = None  # business time; negative: overdue by that much

    @property
    def breached(self) -> bool:
        return self.left is not None and self.left < timedelta(0)


def due_at(clock: ResponseClock, policy: SlaPolicy) -> datetime:
    allowed = policy.allowed(clock.target)
    assert allowed is not None  # response targets are required
    return policy.calendar.add(clock.since, allowed)


def sla_view(status: Status, clock: ResponseClock | None, policy: SlaPolicy, now: datetime) -> SlaView:
    if clock is None:
        return SlaView(SlaState.STOPPED if status is Status.CLOSED else SlaState.PAUSED)
    allowed = policy.allowed(clock.target)
    assert allowed is not None
    return SlaView(
        state=SlaState.RUNNING,
        target=clock.target,
        allowed=allowed,
        due_at=due_at(clock, policy),
        left=allowed - policy.calendar.between(clock.since, now),
    )
