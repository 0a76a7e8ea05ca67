"""Merging a ticket into another: one consistent BatchGetItem reads both ticket items, one
TransactWriteItems writes both. The source is closed (reason merged) with `merged_into`, guarded
by the version it was read at and by not being merged already; the target gets the source (and
whatever was merged into the source before) in its string set `merged_from`, the source's search
words, and its history entry, guarded by not being merged itself and by the account. The
messages stay where they were written: reading the target's thread also reads the partitions in
`merged_from` (store.tickets.thread)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from helpdesk.clock import to_iso
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.models import ClosedReason, Ticket
from helpdesk.domain.status_machine import Status
from helpdesk.store import keys, queue, reminders
from helpdesk.store.codec import dump_item, load_item, ticket_from_item
from helpdesk.store.history import append_entries
from helpdesk.store.protocols import MergeConflict, MergeSide
from helpdesk.store.transactions import Transaction


def read_pair(
    client: Any, table: str, source_id: str, target_id: str
) -> tuple[MergeSide | None, MergeSide | None]:
    """Both ticket items in one consistent BatchGetItem (a second only for unprocessed keys)."""
    wanted = [dump_item(keys.ticket_key(source_id)), dump_item(keys.ticket_key(target_id))]
    found: dict[str, MergeSide] = {}
    request: dict[str, Any] = {table: {"Keys": wanted, "ConsistentRead": True}}
    while request:
        response = client.batch_get_item(RequestItems=request)
        for raw in response["Responses"].get(table, []):
            item = load_item(raw)
            found[item["id"]] = MergeSide(ticket_from_item(item), frozenset(item.get("search_words") or ()))
        request = response.get("UnprocessedKeys") or {}
    return found.get(source_id), found.get(target_id)


def merge(
    client: Any,
    table: str,
    source: MergeSide,
    target: MergeSide,
    *,
    now: datetime,
    source_entry: HistoryEntry,
    target_entry: HistoryEntry,
) -> Ticket:
    """Write the merge; the source as merged. Raises MergeConflict with the items as they are now
    when a guard failed (either may be None: gone, or its guard held)."""
    source_ticket, target_ticket = source.ticket, target.ticket
    transaction = Transaction()
    transaction.add(
        "source", {"Update": _close_source(table, source_ticket, target_ticket.id, now, source_entry)}
    )
    transaction.add("target", {"Update": _extend_target(table, source, target_ticket, now, target_entry)})
    try:
        transaction.write(client)
    except client.exceptions.TransactionCanceledException as error:
        failed = transaction.failed_conditions(error)
        raise MergeConflict(
            _current(failed.get("source")), _current(failed.get("target")), source_failed="source" in failed
        ) from error
    return replace(
        source_ticket,
        status=Status.CLOSED,
        closed_at=now,
        closed_reason=ClosedReason.MERGED,
        merged_into=target_ticket.id,
        updated_at=now,
        version=source_ticket.version + 1,
        auto_close_at=None,
        remind_at=None,
        response_clock=None,
        history=(*source_ticket.history, source_entry),
    )


def _close_source(
    table: str, source: Ticket, into: str, now: datetime, entry: HistoryEntry
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ":now": to_iso(now),
        ":activity": keys.activity_sk(now, source.id),
        ":one": 1,
        ":closed": Status.CLOSED.value,
        ":closed_pk": keys.status_pk(Status.CLOSED.value),
        ":merged": ClosedReason.MERGED.value,
        ":into": into,
        ":version": source.version,
    }
    sets = [
        "updated_at = :now",
        "activity_sk = :activity",
        "#version = #version + :one",
        "#status = :closed",
        "status_pk = :closed_pk",
        "closed_at = :now",
        "closed_reason = :merged",
        "merged_into = :into",
    ]
    append_entries(sets, values, (entry,))
    # Nobody owes it an answer any more: its place in the queue says so (store.queue), every
    # part written whole from the ticket as read (the write is guarded by that version), so a
    # ticket stored before the parts existed gets them too.
    place = queue.QueuePlace(
        assigned=source.assignee is not None, priority=source.priority, waiting_since=None
    )
    queue_sets, queue_removes, queue_values = queue.whole_updates(source.id, place)
    sets += queue_sets
    values.update(queue_values)
    removes = ["auto_close_at", "due_pk", "sla_clock", *reminders.CLEARED, *queue_removes]
    return {
        "TableName": table,
        "Key": dump_item(keys.ticket_key(source.id)),
        # Closed: no auto-close deadline (nor its reminder), no SLA response owed.
        "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes),
        "ConditionExpression": (
            "attribute_exists(pk) AND #version = :version AND attribute_not_exists(merged_into)"
        ),
        "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
        "ExpressionAttributeValues": dump_item(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def _extend_target(
    table: str, source: MergeSide, target: Ticket, now: datetime, entry: HistoryEntry
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ":now": to_iso(now),
        ":activity": keys.activity_sk(now, target.id),
        ":one": 1,
        ":account": source.ticket.account_id,  # the check made on the read, held at the write
        # The source and everything merged into it before: one read of the target finds them all.
        ":sources": {source.ticket.id, *source.ticket.merged_from},
    }
    sets = ["updated_at = :now", "activity_sk = :activity", "#version = #version + :one"]
    append_entries(sets, values, (entry,))
    adds = ["merged_from :sources"]
    if source.words:  # the target is found by the words of what was merged into it
        adds.append("search_words :words")
        values[":words"] = set(source.words)
    return {
        "TableName": table,
        "Key": dump_item(keys.ticket_key(target.id)),
        "UpdateExpression": "SET " + ", ".join(sets) + " ADD " + ", ".join(adds),
        "ConditionExpression": (
            "attribute_exists(pk) AND attribute_not_exists(merged_into) AND account_id = :account"
        ),
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": dump_item(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def _current(reason: dict[str, Any] | None) -> Ticket | None:
    raw = (reason or {}).get("Item")
    return ticket_from_item(load_item(raw)) if raw else None
