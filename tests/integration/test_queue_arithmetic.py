"""The queue's sort key relies on update-expression arithmetic (store/queue.py): `SET x = :v + y`
whose right-hand sides read the item as it was before the update, `if_not_exists(...)` as an
operand of `+`, and 25-digit numbers kept exactly. AWS documents all three; these tests hold
the two engines the project runs on to them, moto (the pytest suite) and DynamoDB Local (the
local stack, the browser tests, the bench), and then walk random sequences of queue changes
through `queue_updates` on both, comparing every stored part, sum and rank with the rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from helpdesk.domain.attributes import Priority
from helpdesk.store import queue
from tests.integration.conftest import Table


def test_right_hand_sides_read_the_item_as_it_was(table: Table) -> None:
    table.put("t1", x=1, y=10)
    after = table.update("t1", "SET x = :five, y = x + :one", {":five": 5, ":one": 1})
    assert (after["x"], after["y"]) == (5, 2)  # y from the old x, not the new one
    swapped = table.update("t1", "SET x = y, y = x")
    assert (swapped["x"], swapped["y"]) == (2, 5)


def test_if_not_exists_is_an_operand_of_a_sum(table: Table) -> None:
    table.put("t1", p=3)
    absent = table.update("t1", "SET w = if_not_exists(w, :w), s = p + if_not_exists(w, :w)", {":w": 7})
    assert (absent["w"], absent["s"]) == (7, 10)
    present = table.update("t1", "SET w = if_not_exists(w, :w), s = p + if_not_exists(w, :w)", {":w": 100})
    assert (present["w"], present["s"]) == (7, 10)  # the stored w is kept and summed


def test_25_digit_sums_are_exact(table: Table) -> None:
    big = queue.ASSIGNED_WEIGHT + 3 * queue.PRIORITY_WEIGHT
    waiting = queue.waiting_part("NZ-99999999", None)
    table.put("t1", a=big)
    after = table.update("t1", "SET r = a + :w", {":w": waiting})
    assert after["r"] == Decimal(big + waiting)
    assert len(str(big + waiting)) == 25


T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_random_changes_keep_every_part_sum_and_rank(table: Table) -> None:
    """Writers that never read: each change applied with queue_updates alone, the rule kept in
    Python beside it."""
    rng = random.Random(20261202)
    ids = [f"NZ-{n:08d}" for n in (12, 345, 6789)]
    model: dict[str, dict[str, Any]] = {}
    for ticket_id in ids:
        model[ticket_id] = {"assigned": False, "priority": Priority.NORMAL, "since": T0}
        table.put(
            ticket_id,
            **queue.item_attributes(ticket_id, assigned=False, priority=Priority.NORMAL, waiting_since=T0),
        )
    now = T0
    for _step in range(120):
        now += timedelta(seconds=rng.randint(1, 600))
        ticket_id = rng.choice(ids)
        change = _random_change(rng)
        sets, removes, values = queue.queue_updates(ticket_id, change, now)
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        stored = table.update(ticket_id, expression, values)
        expected = _apply(model[ticket_id], change, now)
        want = queue.item_attributes(ticket_id, **expected)
        assert {k: stored.get(k) for k in want} == {
            k: (None if v is None else Decimal(v)) for k, v in want.items()
        }
        assert stored[queue.RANK] == queue.rank(ticket_id, **expected)


def _random_change(rng: random.Random) -> queue.QueueChange:
    kind = rng.choice(["assign", "priority", "start", "stop", "assign+stop", "all-constant", "start+all"])
    assigned = rng.choice([True, False])
    priority = rng.choice(list(Priority))
    return {
        "assign": queue.QueueChange(assigned=assigned),
        "priority": queue.QueueChange(priority=priority),
        "start": queue.QueueChange(waiting=queue.Waiting.START),
        "stop": queue.QueueChange(waiting=queue.Waiting.STOP),
        "assign+stop": queue.QueueChange(assigned=assigned, waiting=queue.Waiting.STOP),
        "all-constant": queue.QueueChange(assigned=assigned, priority=priority, waiting=queue.Waiting.STOP),
        "start+all": queue.QueueChange(assigned=assigned, priority=priority, waiting=queue.Waiting.START),
    }[kind]


def _apply(state: dict[str, Any], change: queue.QueueChange, now: datetime) -> dict[str, Any]:
    if change.assigned is not None:
        state["assigned"] = change.assigned
    if change.priority is not None:
        state["priority"] = change.priority
    if change.waiting is queue.Waiting.START and state["since"] is None:
        state["since"] = now  # a response already owed keeps its start
    elif change.waiting is queue.Waiting.STOP:
        state["since"] = None
    return {"assigned": state["assigned"], "priority": state["priority"], "waiting_since": state["since"]}


def test_the_one_combination_an_expression_cannot_write_is_refused() -> None:
    with pytest.raises(ValueError, match="conditional waiting start"):
        queue.queue_updates("NZ-00000001", queue.QueueChange(assigned=True, waiting=queue.Waiting.START), T0)
