"""The reports recomputed from the tickets themselves: a generated history of random actions
through the real handlers on moto (opening, replies, notes, assignments, closes, reopens,
auto-close runs, and the customers' ratings of closed tickets: from the close mail's link, changed
later, or signed in; a link of a closing the ticket has left is refused), the stream delivered
through AggregateReportsFunction, then every record delivered again. GET /reports must give
exactly the figures recomputed here from what each request did (its answer) and the SLA rules of
helpdesk.domain.sla folded over each ticket's history, not from the aggregates."""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from helpdesk.clock import from_iso
from helpdesk.config import sla_policies
from helpdesk.domain.sla import RESPONSE_TARGETS, ClockState, events_from_actions, sla_clocks
from helpdesk.domain.status_machine import TRANSITIONS, Action, Status
from tests.support.harness import ANA, BRUNO, LUIS, MARTA, Postman

MADRID = ZoneInfo("Europe/Madrid")
START = datetime(2026, 11, 2, 8, 0, tzinfo=MADRID)  # a Monday
OPERATORS = (LUIS, MARTA)
CUSTOMERS = {"acct-1001": ANA, "acct-2002": BRUNO}
ADDRESSES = {"acct-1001": "ana@cliente.example", "acct-2002": "bruno@cliente.example"}


@dataclass
class Followed:
    """One ticket as the test saw it happen: each action that succeeded, with its time."""

    id: str
    department: str
    account: str
    created: datetime
    status: str = "OPEN"
    first_response: datetime | None = None
    actions: list[tuple[datetime, Action]] = field(default_factory=list)
    assignees: list[tuple[datetime, str]] = field(default_factory=list)
    closers: dict[datetime, str] = field(default_factory=dict)  # close time -> reason
    ratings: dict[datetime, str] = field(default_factory=dict)  # closing (closed_at) -> good/bad

    def assignee_at(self, moment: datetime) -> str | None:
        held = [who for when, who in self.assignees if when <= moment]
        return held[-1] if held else None


Key = tuple[str | None, str | None, date]  # department (None: all), operator (None: all), day


class Expected:
    """The figures per department, operator and day, recomputed."""

    def __init__(self) -> None:
        self.counts: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.durations: dict[Key, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))

    def _keys(self, ticket: Followed, moment: datetime, operator: str | None) -> list[Key]:
        day = local_day(moment)
        return [(d, o, day) for d in (None, ticket.department) for o in {None, operator}]

    def count(self, ticket: Followed, moment: datetime, name: str, operator: str | None = None) -> None:
        for key in self._keys(ticket, moment, operator):
            self.counts[key][name] += 1

    def duration(
        self, ticket: Followed, moment: datetime, name: str, seconds: int, operator: str | None
    ) -> None:
        for key in self._keys(ticket, moment, operator):
            self.durations[key][name].append(seconds)


def local_day(moment: datetime) -> date:
    return moment.astimezone(MADRID).date()


def nearest_rank(values: list[int], q: float) -> int | None:
    return sorted(values)[math.ceil(q * len(values)) - 1] if values else None


_KINDS = {  # what the generator may do, weighted by repetition, and the action it is
    "reply": Action.OPERATOR_REPLY,
    "customer": Action.CUSTOMER_REPLY,
    "note": Action.INTERNAL_NOTE,
    "assign": Action.ASSIGN,
    "close": Action.CLOSE,
    "close_customer": Action.CLOSE,
    "reopen": Action.REOPEN,
}
_WEIGHTS = {"reply": 2}


def allowed_kinds(status: str) -> list[str]:
    """The kinds of action the ticket's status allows (helpdesk.domain.status_machine's table),
    the only ones drawn.

    A refused change inside a transaction (an operator's reply to a closed ticket) cancels it,
    and moto rolls a cancelled transaction back by putting a copy of the table in its place: the
    stream iterator already open keeps reading the old table's shard, so every later record would
    be lost to the aggregates (a real stream loses none). For the same reason a customer's reply to
    a closed ticket is not drawn: the service writes it first as a plain reply guarded to an active
    ticket (refused, cancelled) and then as a reopening one. The closed ticket is reopened by the
    customer's reopen instead, which the aggregates see the same way (the status leaving CLOSED
    on the ticket item; tests/integration/test_reports.py counts a reopen)."""
    return [
        kind
        for kind, action in _KINDS.items()
        if Status(status) in TRANSITIONS[action].allowed_from
        and not (kind == "customer" and status == Status.CLOSED)
        for _ in range(_WEIGHTS.get(kind, 1))
    ]


def act(api: Any, ticket: Followed, kind: str, operator: dict[str, Any]) -> tuple[Any, Action]:
    customer = CUSTOMERS[ticket.account]
    if kind == "reply":
        return api.reply(ticket.id, operator, "Respuesta"), Action.OPERATOR_REPLY
    if kind == "customer":
        return api.reply(ticket.id, customer, "Más datos"), Action.CUSTOMER_REPLY
    if kind == "note":
        return api.reply(ticket.id, operator, "Nota", internal=True), Action.INTERNAL_NOTE
    if kind == "assign":
        return api.post(f"/tickets/{ticket.id}/assign", operator), Action.ASSIGN
    if kind == "close":
        return api.post(f"/tickets/{ticket.id}/close", operator), Action.CLOSE
    if kind == "close_customer":
        return api.post(f"/tickets/{ticket.id}/close", customer), Action.CLOSE
    return api.post(f"/tickets/{ticket.id}/reopen", customer), Action.REOPEN


def open_one(api: Any, tickets: list[Followed], account: str, department: str) -> Followed:
    opened = api.open(CUSTOMERS[account], subject="Correo", department=department)
    ticket = Followed(opened["id"], department, account, from_iso(opened["created_at"]))
    tickets.append(ticket)
    return ticket


def step(api: Any, ticket: Followed, kind: str, operator: dict[str, Any]) -> None:
    """One action through the handlers, followed when it succeeded."""
    now = api.now
    result, action = act(api, ticket, kind, operator)
    assert result.status in (200, 201), (kind, ticket.status, result.body)  # only allowed ones are drawn
    ticket.actions.append((now, action))
    # Assignees are operator ids; an operator's reply takes an unassigned ticket in its write.
    if action is Action.ASSIGN or (action is Action.OPERATOR_REPLY and not ticket.assignees):
        ticket.assignees.append((now, operator["sub"]))
    if action is Action.OPERATOR_REPLY and ticket.first_response is None:
        ticket.first_response = now
    if action is Action.CLOSE:
        ticket.closers[now] = "operator" if kind == "close" else "customer"
    ticket.status = api.ticket(ticket.id)["status"]


class RatingLinks:
    """The rating links of the close mails the customers received: (ticket, closing in ms) -> token."""

    def __init__(self, postman: Postman) -> None:
        self.postman = postman
        self.tokens: dict[tuple[str, int], str] = {}

    def token(self, ticket_id: str, closed_at: datetime) -> str:
        for mail in self.postman.new():
            text = mail.get_body(preferencelist=("plain",)).get_content()
            for found in re.findall(r"#/rate\?token=([^&\s]+)&rating=good", text):
                token = unquote(found)
                ticket, closed_ms, _signature = token.split(".")
                self.tokens[(ticket, int(closed_ms))] = token
        return self.tokens[(ticket_id, int(closed_at.timestamp() * 1000))]


def rate(api: Any, links: RatingLinks, ticket: Followed, rng: random.Random) -> None:
    """The customer rates the closing the ticket is in (again: a change): from the close mail's
    link, or signed in."""
    closed_at = from_iso(api.ticket(ticket.id)["closed_at"])
    value = rng.choice(["good", "bad"])
    if rng.random() < 0.7:
        body = {"token": links.token(ticket.id, closed_at), "rating": value}
        result = api.call("PUT", "/ratings", None, body=body)
    else:
        who = CUSTOMERS[ticket.account]
        result = api.call("PUT", f"/tickets/{ticket.id}/rating", who, body={"rating": value})
    assert result.status == 200, result.body
    ticket.ratings[closed_at] = value


def rate_a_closing_left(api: Any, links: RatingLinks, ticket: Followed, rng: random.Random) -> None:
    """The link of a closing the ticket has left (reopened since) is refused and counts nothing."""
    closing = rng.choice(sorted(ticket.ratings))
    stale = {"token": links.token(ticket.id, closing), "rating": rng.choice(["good", "bad"])}
    refused = api.call("PUT", "/ratings", None, body=stale)
    assert refused.status == 409, refused.body


def auto_close(api: Any, tickets: list[Followed]) -> None:
    api.auto_close(api.later(minutes=1))
    for waiting in [t for t in tickets if t.status == "WAITING"]:
        seen = api.ticket(waiting.id)
        if seen["status"] == "CLOSED":
            waiting.status = "CLOSED"
            waiting.actions.append((from_iso(seen["closed_at"]), Action.AUTO_CLOSE))


def generate(api: Any, links: RatingLinks, rng: random.Random, steps: int) -> list[Followed]:
    tickets: list[Followed] = []
    api.at(START)
    for account, address in ADDRESSES.items():  # where the close mails (and their links) go
        api.authorize(CUSTOMERS[account], address)
    for _ in range(steps):
        api.later(minutes=rng.randint(3, 420))
        live = [t for t in tickets if t.status != "CLOSED"]
        roll = rng.random()
        if roll < 0.2 or not tickets:
            open_one(api, tickets, rng.choice(sorted(CUSTOMERS)), rng.choice(["soporte", "comercial"]))
            continue
        ticket = rng.choice(live if live and roll < 0.85 else tickets)
        if ticket.status == "CLOSED" and rng.random() < 0.5:  # a rating changed, or a late one
            rate(api, links, ticket, rng)
            continue
        kind = rng.choice(allowed_kinds(ticket.status))
        step(api, ticket, kind, rng.choice(OPERATORS))
        if ticket.status == "CLOSED" and rng.random() < 0.6:
            api.later(minutes=rng.randint(1, 120))
            rate(api, links, ticket, rng)
        elif kind == "reopen" and ticket.ratings and rng.random() < 0.7:
            rate_a_closing_left(api, links, ticket, rng)
        if rng.random() < 0.1:  # escalation alerts: the clock's stage changes, no figure does
            api.escalate(api.later(minutes=1))
        if rng.random() < 0.15:  # the auto-close schedule
            auto_close(api, tickets)
    # And, whatever the draw, one of each fact the random part may have missed: a reply in time
    # and an operator's close, rated good from the mail's link and changed to bad the next day,
    # then reopened (the link is refused from then on); a ticket left waiting until auto-close,
    # rated good signed in.
    answered = open_one(api, tickets, "acct-1001", "soporte")
    api.later(minutes=10)
    step(api, answered, "assign", LUIS)
    step(api, answered, "reply", LUIS)
    api.later(minutes=10)
    step(api, answered, "close", MARTA)
    closed_at = from_iso(api.ticket(answered.id)["closed_at"])
    for value in ("good", "bad"):
        api.later(hours=20)
        body = {"token": links.token(answered.id, closed_at), "rating": value}
        assert api.call("PUT", "/ratings", None, body=body).status == 200
        answered.ratings[closed_at] = value
    api.later(hours=1)
    step(api, answered, "reopen", LUIS)  # the customer reopens it: that closing's link is refused
    rate_a_closing_left(api, links, answered, rng)
    left = open_one(api, tickets, "acct-2002", "comercial")
    api.later(minutes=30)
    step(api, left, "reply", MARTA)
    api.later(hours=73)
    auto_close(api, tickets)
    rated = api.call("PUT", f"/tickets/{left.id}/rating", BRUNO, body={"rating": "good"})
    assert rated.status == 200, rated.body
    left.ratings[from_iso(api.ticket(left.id)["closed_at"])] = "good"
    return tickets


def recompute(tickets: list[Followed], as_of: datetime) -> Expected:
    expected = Expected()
    for ticket in tickets:
        policy = sla_policies().for_ticket(ticket.department, "normal")
        expected.count(ticket, ticket.created, "opened_web")
        status = "OPEN"
        for when, action in ticket.actions:
            who = ticket.assignee_at(when)
            before, status = status, _status_after(action, status)
            if status == "CLOSED" and before != "CLOSED":
                reason = "inactivity" if action is Action.AUTO_CLOSE else ticket.closers[when]
                expected.count(ticket, when, f"closed_{reason}", who)
                _times(expected, ticket, policy, when, "resolution", who)
            if before == "CLOSED" and status != "CLOSED":
                expected.count(ticket, when, "reopened", who)
        for closed_at, value in ticket.ratings.items():  # on the closing's day, for its assignee
            expected.count(ticket, closed_at, f"csat_{value}", ticket.assignee_at(closed_at))
        if ticket.first_response is not None:
            fr = ticket.first_response
            _times(expected, ticket, policy, fr, "first_response", ticket.assignee_at(fr))
        for clock in sla_clocks(events_from_actions(ticket.created, ticket.actions), policy, as_of).ended:
            if clock.target not in RESPONSE_TARGETS or clock.ended_at is None:
                continue
            who = ticket.assignee_at(clock.ended_at)
            if clock.state is ClockState.MET:
                verdict = "missed" if clock.breached else "met"
                expected.count(ticket, clock.ended_at, f"sla_{clock.target.value}_{verdict}", who)
            elif clock.state is ClockState.CANCELLED and clock.breached:
                expected.count(ticket, clock.ended_at, f"sla_{clock.target.value}_missed", who)
    return expected


def _times(
    expected: Expected, ticket: Followed, policy: Any, until: datetime, name: str, who: str | None
) -> None:
    business = int(policy.calendar.between(ticket.created, until).total_seconds())
    expected.duration(ticket, until, f"{name}_business", business, who)
    expected.duration(ticket, until, f"{name}_calendar", int((until - ticket.created).total_seconds()), who)


def backlog_at(tickets: list[Followed], end_of: date, department: str | None, operator: str | None) -> int:
    """Tickets not closed at the end of a day (of the department, of those assigned to the operator)."""
    cutoff = datetime.combine(end_of + timedelta(days=1), datetime.min.time(), MADRID)
    count = 0
    for ticket in tickets:
        if ticket.created >= cutoff or department not in (None, ticket.department):
            continue
        status = "OPEN"
        for when, action in ticket.actions:
            if when < cutoff:
                status = _status_after(action, status)
        held = ticket.assignee_at(cutoff - timedelta(microseconds=1))
        if status != "CLOSED" and operator in (None, held):
            count += 1
    return count


_TO = {
    Action.OPERATOR_REPLY: "WAITING",
    Action.CUSTOMER_REPLY: "OPEN",
    Action.CLOSE: "CLOSED",
    Action.AUTO_CLOSE: "CLOSED",
    Action.REOPEN: "OPEN",
}


def _status_after(action: Action, status: str) -> str:
    return _TO.get(action, status)


# ---------------------------------------------------------------------- the test
def figures(expected: Expected, key: Key) -> dict[str, Any]:
    """The figures GET /reports should show for one key, in its shape (the parts compared)."""
    counts, durations = expected.counts.get(key, {}), expected.durations.get(key, {})

    def times(name: str) -> dict[str, Any]:
        return {
            "count": len(durations.get(f"{name}_calendar", [])),
            "business": _rank(durations.get(f"{name}_business", [])),
            "calendar": _rank(durations.get(f"{name}_calendar", [])),
        }

    return {
        "opened": counts.get("opened_web", 0),
        "closed": {r: counts.get(f"closed_{r}", 0) for r in ("customer", "operator", "inactivity")},
        "reopened": counts.get("reopened", 0),
        "first_response": times("first_response"),
        "resolution": times("resolution"),
        "sla": {
            t: (counts.get(f"sla_{t}_met", 0), counts.get(f"sla_{t}_missed", 0))
            for t in ("first_response", "next_response")
        },
        "satisfaction": _satisfaction(counts.get("csat_good", 0), counts.get("csat_bad", 0)),
    }


def _satisfaction(good: int, bad: int) -> dict[str, Any]:
    return {"good": good, "bad": bad, "rate": round(good / (good + bad), 4) if good + bad else None}


def _rank(values: list[int]) -> dict[str, int | None]:
    return {"median_seconds": nearest_rank(values, 0.5), "p90_seconds": nearest_rank(values, 0.9)}


def shown(day: dict[str, Any]) -> dict[str, Any]:
    return {
        "opened": day["opened"]["by"]["web"],
        "closed": {r: day["closed"]["by"][r] for r in ("customer", "operator", "inactivity")},
        "reopened": day["reopened"],
        "first_response": day["first_response"],
        "resolution": day["resolution"],
        "sla": {t: (v["met"], v["missed"]) for t, v in day["sla"].items()},
        "satisfaction": day["satisfaction"],
    }


def test_the_reports_equal_a_recomputation_from_the_tickets(api, gateway, postman):
    aggregates = Postman(gateway, "AggregateReportsFunction")
    tickets = generate(api, RatingLinks(postman), random.Random(1212), steps=50)
    aggregates.poller.drain()
    delivered = sum(len(e["Records"]) for e in aggregates.events)
    assert delivered > 40
    for event in list(aggregates.events):  # every record delivered again, as a retried batch is
        assert aggregates.invoke(event) == {"batchItemFailures": []}
    end = api.later(minutes=1)
    expected = recompute(tickets, end)
    first, last = local_day(START), local_day(end)
    everything: dict[str, int] = defaultdict(int)
    for (department, operator, _day), counts in expected.counts.items():
        if department is None and operator is None:
            for name, value in counts.items():
                everything[name] += value
    # The history is rich enough to mean something: each kind of fact happened.
    facts = ("closed_customer", "closed_operator", "closed_inactivity", "reopened", "sla_first_response_met")
    assert all(everything[name] for name in (*facts, "csat_good", "csat_bad")), dict(everything)
    assert everything["sla_first_response_missed"] + everything["sla_next_response_missed"], dict(everything)
    for department in (None, "soporte"):
        for operator in (None, LUIS["sub"]):
            query = {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "department": department,
                "operator": operator,
            }
            result = api.get("/reports", LUIS, query={k: v for k, v in query.items() if v})
            assert result.status == 200, result.body
            body = result.json()
            for day in body["days"]:
                moment = date.fromisoformat(day["date"])
                assert shown(day) == figures(expected, (department, operator, moment)), (
                    department,
                    operator,
                    moment,
                )
                assert day["backlog"] == backlog_at(tickets, moment, department, operator), (
                    department,
                    operator,
                    moment,
                )
