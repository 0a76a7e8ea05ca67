"""Tickets stored before the queue's parts existed (no `q_*`, no `queue_rank`, no priority), on
moto and on DynamoDB Local: a change of their queue place is refused by the guard (never a
ValidationException, never a 500), then written again with every part computed from the item the
refusal handed back (two requests, once); a change the status machine refuses stays refused and
writes nothing; `scripts/backfill_queue.py` gives the parts to the rest, conditionally and
idempotently (a second run writes nothing; an item changed between its read and its write is read
again), and the queue then lists them in the rule's order. Bad inputs tried: a reopen of an open
legacy ticket (409, nothing written), a backfill racing a change of the same item."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from helpdesk.domain.attributes import Priority
from helpdesk.domain.errors import InvalidTransition
from helpdesk.domain.models import Ticket, TicketFilters
from helpdesk.domain.sla import ResponseClock, SlaTarget
from helpdesk.domain.status_machine import Status
from helpdesk.services.ticket_attributes import TicketAttributes
from helpdesk.services.tickets import TicketService
from helpdesk.store import keys, listings, queue
from helpdesk.store.codec import dump_item, load_item, ticket_item
from helpdesk.store.tickets import DynamoTicketStore
from tests.integration.conftest import Table
from tests.integration.test_queue_arithmetic import T0
from tests.support.domain import ANA, LUIS, SETTINGS, sequence

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backfill_queue.py"
_spec = importlib.util.spec_from_file_location("backfill_queue", _SCRIPT)
assert _spec is not None
assert _spec.loader is not None
backfill_queue = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(backfill_queue)

QUEUE_ATTRIBUTES = (*queue.PAIRS.values(), queue.A, queue.P, queue.W, queue.RANK, queue.AWAITING)


def put_legacy(table: Table, ticket_id: str, *, minutes: int, assignee: str | None = None) -> None:
    """A ticket as the version before the queue stored it: OPEN, a first response owed."""
    since = T0 + timedelta(minutes=minutes)
    ticket = Ticket(
        id=ticket_id,
        status=Status.OPEN,
        department="soporte",
        subject="Correo caído",
        account_id=ANA.account_id or "",
        created_at=since,
        updated_at=since,
        version=1,
        assignee=assignee,
        response_clock=ResponseClock(SlaTarget.FIRST_RESPONSE, since),
    )
    item = ticket_item(ticket, frozenset({"correo"}))
    for name in (*QUEUE_ATTRIBUTES, "priority", "tags"):
        item.pop(name, None)
    table.client.put_item(
        TableName=table.name, Item=dump_item({k: v for k, v in item.items() if v is not None})
    )


def stored(table: Table, ticket_id: str) -> dict[str, Any]:
    raw = table.client.get_item(TableName=table.name, Key=dump_item(keys.ticket_key(ticket_id)))["Item"]
    return load_item(raw)


def requests(table: Table) -> list[str]:
    calls: list[str] = []
    table.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    return calls


def service(table: Table) -> TicketService:
    return TicketService(DynamoTicketStore(table.client, table.name), SETTINGS, message_ids=sequence("m"))


def assert_parts(table: Table, ticket_id: str, *, assigned: bool, priority: Priority, since: Any) -> None:
    want = queue.item_attributes(ticket_id, assigned=assigned, priority=priority, waiting_since=since)
    item = stored(table, ticket_id)
    assert {k: item.get(k) for k in want} == want


def test_a_change_of_a_legacy_ticket_writes_its_parts_with_it(table: Table) -> None:
    put_legacy(table, "NZ-00000001", minutes=0)
    calls = requests(table)
    later = T0 + timedelta(hours=1)
    assigned = service(table).assign(LUIS, "NZ-00000001", now=later)
    assert calls == ["UpdateItem", "UpdateItem"]  # refused for lack of parts, then with them
    assert (assigned.assignee, assigned.version) == (LUIS.id, 2)
    assert_parts(table, "NZ-00000001", assigned=True, priority=Priority.NORMAL, since=T0)
    calls.clear()
    TicketAttributes(DynamoTicketStore(table.client, table.name)).update(
        LUIS, "NZ-00000001", now=later, priority=Priority.URGENT
    )
    assert calls == ["UpdateItem"]  # from now on, one request as for any ticket
    assert_parts(table, "NZ-00000001", assigned=True, priority=Priority.URGENT, since=T0)


def test_a_legacy_ticket_answered_by_the_customer_keeps_its_wait(table: Table) -> None:
    put_legacy(table, "NZ-00000002", minutes=5)
    calls = requests(table)
    service(table).reply(ANA, "NZ-00000002", body="¿Alguien?", now=T0 + timedelta(hours=2))
    assert calls == ["TransactWriteItems", "TransactWriteItems"]
    # Still owed since its first message: the wait starts at the clock's start, not the reply.
    assert_parts(
        table, "NZ-00000002", assigned=False, priority=Priority.NORMAL, since=T0 + timedelta(minutes=5)
    )
    service(table).reply(LUIS, "NZ-00000002", body="Mirando", now=T0 + timedelta(hours=3))
    # Answered (no wait), and taken by the reply's own write: assigned now.
    assert_parts(table, "NZ-00000002", assigned=True, priority=Priority.NORMAL, since=None)
    assert stored(table, "NZ-00000002")["assignee"] == LUIS.id


def test_a_refused_change_of_a_legacy_ticket_writes_nothing(table: Table) -> None:
    put_legacy(table, "NZ-00000003", minutes=0)
    before = stored(table, "NZ-00000003")
    with pytest.raises(InvalidTransition):
        service(table).reopen(LUIS, "NZ-00000003", now=T0 + timedelta(hours=1))
    assert stored(table, "NZ-00000003") == before


def test_the_backfill_gives_the_parts_once_and_the_queue_lists_them(table: Table) -> None:
    put_legacy(table, "NZ-00000011", minutes=30)
    put_legacy(table, "NZ-00000012", minutes=10)
    put_legacy(table, "NZ-00000013", minutes=0, assignee=LUIS.name)
    everyone = TicketFilters()
    assert listings.queue_page(table.client, table.name, everyone, limit=10, cursor=None).items == []
    assert backfill_queue.run(table.client, table.name, dry_run=True)["would_write"] == 3
    assert "queue_rank" not in stored(table, "NZ-00000011")  # a dry run writes nothing
    versions = {t: stored(table, t)["version"] for t in ("NZ-00000011", "NZ-00000012", "NZ-00000013")}
    assert backfill_queue.run(table.client, table.name)["written"] == 3
    assert backfill_queue.run(table.client, table.name)["written"] == 0  # idempotent
    page = listings.queue_page(table.client, table.name, everyone, limit=10, cursor=None)
    # Unassigned first, the longest waiting first; the assigned one last.
    assert [t.id for t in page.items] == ["NZ-00000012", "NZ-00000011", "NZ-00000013"]
    # No change of the tickets: versions (an operator's If-Match) and activity as they were.
    assert {t: stored(table, t)["version"] for t in versions} == versions


def test_a_backfill_racing_a_change_reads_the_item_again(table: Table) -> None:
    put_legacy(table, "NZ-00000021", minutes=0)
    read = next(backfill_queue.without_parts(table.client, table.name))
    # Meanwhile a writer without the queue (the version before, still warm) assigns it.
    table.client.update_item(
        TableName=table.name,
        Key=dump_item(keys.ticket_key("NZ-00000021")),
        UpdateExpression="SET assignee = :a, #v = #v + :one",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues=dump_item({":a": LUIS.name, ":one": 1}),
    )
    assert backfill_queue.backfill_one(table.client, table.name, read) == "written"
    assert_parts(table, "NZ-00000021", assigned=True, priority=Priority.NORMAL, since=T0)
    # One the current version gave its parts first is left alone.
    put_legacy(table, "NZ-00000022", minutes=0)
    read = next(i for i in backfill_queue.without_parts(table.client, table.name) if i["id"] == "NZ-00000022")
    service(table).assign(LUIS, "NZ-00000022", now=T0 + timedelta(hours=1))
    assert backfill_queue.backfill_one(table.client, table.name, read) == "had_parts"
