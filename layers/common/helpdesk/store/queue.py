"""The operators' queue order as one number, kept right by writers that never read first.

The queue works unassigned tickets before assigned ones, then the most urgent priority, then the
customer who has waited longest for an answer. Its index (`queue_by_status`, `queue_all`) can
have one sort attribute only (DynamoDB Local refuses multi-attribute keys), and the three parts
are changed by different writers (assign knows the assignee, PATCH the priority, a reply the
waiting), each in one UpdateItem with no read before it. So the sort key is a NUMBER, the sum of
three parts in separate decimal ranges, and the item keeps each part and the three pairwise sums:

    A (assigned)  P (priority)  W (waiting)   q_ap = A+P  q_pw = P+W  q_aw = A+W  queue_rank = A+P+W

A writer that changes one part sets it and every sum that contains it from the new value plus
the OLD value of the others (DynamoDB evaluates every right-hand side against the item as it was
before the update): a change of A writes `q_a = :a, q_ap = :a + q_p, q_aw = :a + q_w,
queue_rank = :a + q_pw`. Two constant parts changed together are one constant (`:a + :w`).
`tests/integration/test_queue_arithmetic.py` checks that moto and DynamoDB Local evaluate these
expressions as AWS documents.

W is the start of the oldest unanswered customer message (the SLA response clock's start) while
a response is owed; a customer message that comes while one is owed keeps it, which needs a
condition no number can express, so the awaiting W is also kept in `q_awaiting`, present only
while a response is owed (like `sla_clock`), and such a writer uses `if_not_exists(q_awaiting,
:w)` for the new W. A ticket nobody owes an answer to (WAITING, CLOSED) sorts after every
awaiting one of its group. The ticket number breaks ties, so no two tickets share a rank and the
order, and every cursor into it, is total.

The one function both the ticket writes (store.tickets) and any other writer of these parts call
is `queue_updates`; nothing else may write them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from helpdesk.domain.attributes import DEFAULT_PRIORITY, Priority
from helpdesk.store import keys

# The parts' decimal ranges: W < 10^22 (milliseconds since 1970, below 10^13 until the year 2286,
# times 10^8 for the ticket number), P in {0..3} x 10^22, A in {0, 1} x 10^24. The sum has at
# most 25 digits: DynamoDB numbers keep 38, so it is exact.
TICKET_DIGITS = 10**8
NOT_AWAITING = 10**13  # W's milliseconds for a ticket nobody owes an answer to: after every instant
PRIORITY_WEIGHT = 10**22
ASSIGNED_WEIGHT = 10**24

A, P, W = "q_a", "q_p", "q_w"
PAIRS = {frozenset("AP"): "q_ap", frozenset("PW"): "q_pw", frozenset("AW"): "q_aw"}
RANK = "queue_rank"
AWAITING = "q_awaiting"
_PATHS = {"A": A, "P": P, "W": W}


def assigned_part(assigned: bool) -> int:
    return ASSIGNED_WEIGHT if assigned else 0


def priority_part(priority: Priority) -> int:
    return priority.rank * PRIORITY_WEIGHT


def waiting_part(ticket_id: str, since: datetime | None) -> int:
    """`since`: when the customer started waiting for the answer owed; None when none is owed."""
    millis = NOT_AWAITING if since is None else int(since.timestamp() * 1000)
    return millis * TICKET_DIGITS + ticket_number(ticket_id)


def ticket_number(ticket_id: str) -> int:
    digits = "".join(c for c in ticket_id if c.isdigit())
    return int(digits) % TICKET_DIGITS


def rank(ticket_id: str, *, assigned: bool, priority: Priority, waiting_since: datetime | None) -> int:
    """The ticket's place in the queue: the lower, the sooner it is worked."""
    return assigned_part(assigned) + priority_part(priority) + waiting_part(ticket_id, waiting_since)


class Waiting(StrEnum):
    """What a write does to the waiting part."""

    START = "start"  # a response is owed from now on, unless one is owed already (keeps its start)
    STOP = "stop"  # nobody owes an answer from now on


@dataclass(frozen=True)
class QueueChange:
    """The parts a write changes (None: unchanged)."""

    assigned: bool | None = None
    priority: Priority | None = None
    waiting: Waiting | None = None

    @property
    def empty(self) -> bool:
        return self.assigned is None and self.priority is None and self.waiting is None


def item_attributes(
    ticket_id: str, *, assigned: bool, priority: Priority, waiting_since: datetime | None
) -> dict[str, Any]:
    """The parts and sums of a ticket written whole (its creation)."""
    a, p = assigned_part(assigned), priority_part(priority)
    waiting = waiting_part(ticket_id, waiting_since)
    return {
        A: a,
        P: p,
        W: waiting,
        PAIRS[frozenset("AP")]: a + p,
        PAIRS[frozenset("PW")]: p + waiting,
        PAIRS[frozenset("AW")]: a + waiting,
        RANK: a + p + waiting,
        AWAITING: waiting if waiting_since is not None else None,
    }


def queue_updates(
    ticket_id: str, change: QueueChange, now: datetime
) -> tuple[list[str], list[str], dict[str, Any]]:
    """SET clauses, REMOVE paths and values that keep the parts, sums and rank right in the same
    UpdateItem as the change, without knowing the other parts. Raises ValueError for the one
    combination a single expression cannot write: the waiting START (conditional) together with
    one other part (the rank would need three operands)."""
    expressions = _Expressions(ticket_id, change, now)
    changed = expressions.changed
    if not changed:
        return expressions.sets, expressions.removes, expressions.values
    if expressions.conditional and len(changed) == 2:
        raise ValueError("a conditional waiting start cannot change with one other queue part")
    sets = expressions.sets
    for part in sorted(changed):
        sets.append(f"{_PATHS[part]} = {expressions.new(part)}")
    for pair, path in PAIRS.items():
        if pair & changed:
            sets.append(f"{path} = {expressions.total(''.join(sorted(pair)))}")
    sets.append(f"{RANK} = {expressions.total('APW')}")
    return sets, expressions.removes, expressions.values


def parts_after(item: dict[str, Any], change: QueueChange, now: datetime | None = None) -> QueuePlace:
    """The queue place of a stored ticket item (decoded) after `change` (made at `now`, needed
    for a waiting START), from the attributes the parts are made of: the assignee, the priority,
    the running SLA clock's start."""
    clock = item.get("sla_clock")
    since = keys.response_clock_of(clock).since if clock else None
    if change.waiting is Waiting.STOP:
        since = None
    elif change.waiting is Waiting.START and since is None:
        assert now is not None, "a waiting start needs its moment"
        since = now
    stored_priority = Priority(item["priority"]) if item.get("priority") else DEFAULT_PRIORITY
    return QueuePlace(
        assigned=change.assigned if change.assigned is not None else bool(item.get("assignee")),
        priority=change.priority or stored_priority,
        waiting_since=since,
    )


@dataclass(frozen=True)
class QueuePlace:
    """Everything a ticket's place in the queue is made of."""

    assigned: bool
    priority: Priority
    waiting_since: datetime | None


def whole_updates(ticket_id: str, place: QueuePlace) -> tuple[list[str], list[str], dict[str, Any]]:
    """SET clauses, REMOVE paths and values writing every part, sum and the rank as constants:
    for an item that has none yet (written before they existed), computed from the item as read."""
    attributes = item_attributes(
        ticket_id, assigned=place.assigned, priority=place.priority, waiting_since=place.waiting_since
    )
    sets, removes, values = [], [], {}
    for name, value in attributes.items():
        if value is None:
            removes.append(name)
        else:
            sets.append(f"{name} = :whole_{name}")
            values[f":whole_{name}"] = value
    return sets, removes, values


class _Expressions:
    """The operands of one change: constants for the parts it knows, the conditional W."""

    def __init__(self, ticket_id: str, change: QueueChange, now: datetime) -> None:
        self.constants: dict[str, int] = {}
        self.conditional: str | None = None  # the new W as an expression of the item
        self.values: dict[str, Any] = {}
        self.sets: list[str] = []
        self.removes: list[str] = []
        if change.assigned is not None:
            self.constants["A"] = assigned_part(change.assigned)
        if change.priority is not None:
            self.constants["P"] = priority_part(change.priority)
        if change.waiting is Waiting.STOP:
            self.constants["W"] = waiting_part(ticket_id, None)
            self.removes.append(AWAITING)
        elif change.waiting is Waiting.START:
            self.values[":q_w_start"] = waiting_part(ticket_id, now)
            self.conditional = f"if_not_exists({AWAITING}, :q_w_start)"
            self.sets.append(f"{AWAITING} = {self.conditional}")
        self.changed = set(self.constants) | ({"W"} if self.conditional else set())

    def new(self, part: str) -> str:
        """The part's new value as one operand: a constant, the conditional W or the old path."""
        if part in self.constants:
            name = f":q_{part.lower()}"
            self.values[name] = self.constants[part]
            return name
        if part == "W" and self.conditional:
            return self.conditional
        return _PATHS[part]

    def total(self, parts: str) -> str:
        """The sum of the new values of `parts` as at most two operands."""
        fixed = [p for p in parts if p in self.constants]
        operands: list[str] = []
        if len(fixed) > 1:
            name = f":q_{''.join(fixed).lower()}"
            self.values[name] = sum(self.constants[p] for p in fixed)
            operands.append(name)
        else:
            operands += [self.new(p) for p in fixed]
        rest = [p for p in parts if p not in self.constants]
        operands += [self.new(p) for p in rest if p in self.changed]  # the conditional W
        unchanged = [p for p in rest if p not in self.changed]
        if len(unchanged) > 1:  # both old: their stored pair
            operands.append(PAIRS[frozenset(unchanged)])
        else:
            operands += [self.new(p) for p in unchanged]
        assert len(operands) <= 2, operands
        return " + ".join(operands)
