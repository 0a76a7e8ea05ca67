"""The reminder before the automatic close, in the table: a WAITING ticket carries `remind_at`
(when to remind the customer) and `remind_pk` while its reminder is still to be sent, which puts
it in the sparse index `auto_close_reminder`; the reminder's one conditional UpdateItem takes it
out, appends its history entry and sets `reminded_at`, the attribute the notify function's
stream filter waits for. An operator reply (the auto-close timer restarting) sets a new
`remind_at` for the new waiting period and clears `reminded_at`; whatever clears the timer (a
customer reply, a close) removes all three, so a reminder due for a period that ended is never
found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.status_machine import Status
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item
from helpdesk.store.history import append_entries
from helpdesk.store.protocols import ChangeRefused, DueReminder

# What ending a waiting period removes (with the auto-close deadline itself).
CLEARED = ("remind_at", "remind_pk", "reminded_at")


def restart(sets: list[str], values: dict[str, Any], remind_at: datetime | None) -> list[str]:
    """The update clauses of a new waiting period (the auto-close timer restarting): its own
    reminder at `remind_at` (none when None). Adds SET clauses; returns what to REMOVE."""
    if remind_at is None:
        return list(CLEARED)
    sets += ["remind_at = :remind_at", "remind_pk = :remind"]
    values[":remind_at"] = to_iso(remind_at)
    values[":remind"] = keys.REMIND
    return ["reminded_at"]


def due(client: Any, table: str, now: datetime) -> Iterator[tuple[list[DueReminder], int]]:
    """Pages of WAITING tickets whose reminder time has passed and whose reminder was not sent,
    with the items each page read: the index holds just those (and the ones due later)."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": keys.INDEX_REMINDER,
        "KeyConditionExpression": "remind_pk = :remind AND remind_at <= :now",
        "ExpressionAttributeValues": dump_item({":remind": keys.REMIND, ":now": to_iso(now)}),
    }
    while True:
        response = client.query(**kwargs)
        page = [load_item(raw) for raw in response["Items"]]
        yield (
            [
                DueReminder(
                    ticket_id=keys.ticket_id_of(item["pk"]),
                    remind_at=from_iso(item["remind_at"]),
                    auto_close_at=from_iso(item["auto_close_at"]),
                )
                for item in page
            ],
            int(response.get("ScannedCount", len(page))),
        )
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def record(
    client: Any, table: str, reminder: DueReminder, now: datetime, entries: tuple[HistoryEntry, ...]
) -> None:
    """One conditional UpdateItem: the ticket leaves the reminder index and is marked reminded,
    with its history entry, only while it is WAITING with the reminder time the index showed (a
    customer reply that landed first removed it; another run already took it out). The ticket's
    version and activity stay: nobody edited it, and a reply's If-Match stays valid."""
    sets = ["reminded_at = :now"]
    values: dict[str, Any] = {
        ":now": to_iso(now),
        ":waiting": Status.WAITING.value,
        ":found": to_iso(reminder.remind_at),
        ":closes": to_iso(reminder.auto_close_at),
    }
    append_entries(sets, values, entries)
    update = {
        "TableName": table,
        "Key": dump_item(keys.ticket_key(reminder.ticket_id)),
        "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE remind_pk, remind_at",
        "ConditionExpression": "#status = :waiting AND remind_at = :found AND auto_close_at = :closes",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": dump_item(values),
    }
    try:
        client.update_item(**update)
    except client.exceptions.ConditionalCheckFailedException as error:
        raise ChangeRefused(None) from error
