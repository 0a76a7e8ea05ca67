"""The sparse SLA index (`sla_response`): tickets with a response target running, per department,
sorted by "<target>#<alert stage>#<since>"; `sla_by_priority` holds the same clocks of the tickets
whose priority is not normal, per priority. Escalation reads one target and stage that started
before an instant; ?sort=due reads a department's running clocks. Tickets nobody owes an answer
(WAITING, CLOSED) are not in it, so neither reads grows with the table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from helpdesk.clock import to_iso
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.models import Ticket
from helpdesk.domain.sla import AlertStage, ResponseClock, SlaTarget
from helpdesk.domain.status_machine import Status
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item, ticket_from_item
from helpdesk.store.history import append_entries
from helpdesk.store.markers import marker_put
from helpdesk.store.protocols import AlreadyProcessed, ChangeRefused
from helpdesk.store.transactions import Transaction


def _pages(client: Any, kwargs: dict[str, Any]) -> Iterator[tuple[list[Ticket], int]]:
    while True:
        response = client.query(**kwargs)
        yield [ticket_from_item(load_item(raw)) for raw in response["Items"]], int(response["ScannedCount"])
        if "LastEvaluatedKey" not in response:
            return
        kwargs = {**kwargs, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def started_by(
    client: Any, table: str, department: str, target: SlaTarget, stage: AlertStage, moment: datetime
) -> Iterator[tuple[list[Ticket], int]]:
    """Pages of the department's tickets whose `target` clock, at alert `stage`, started at or
    before `moment` (with the items each page read)."""
    prefix = keys.sla_clock_prefix(target, stage)
    return _pages(
        client,
        {
            "TableName": table,
            "IndexName": keys.INDEX_SLA,
            "KeyConditionExpression": "sla_pk = :p AND sla_clock BETWEEN :first AND :last",
            "ExpressionAttributeValues": dump_item(
                {":p": keys.sla_pk(department), ":first": prefix, ":last": prefix + to_iso(moment)}
            ),
        },
    )


def priority_started_by(
    client: Any, table: str, priority: str, target: SlaTarget, stage: AlertStage, moment: datetime
) -> Iterator[tuple[list[Ticket], int]]:
    """The same for the tickets of one priority other than normal, in every department (the
    sla_by_priority index: only tickets an operator gave such a priority are in it)."""
    prefix = keys.sla_clock_prefix(target, stage)
    return _pages(
        client,
        {
            "TableName": table,
            "IndexName": keys.INDEX_SLA_PRIORITY,
            "KeyConditionExpression": "sla_priority_pk = :p AND sla_clock BETWEEN :first AND :last",
            "ExpressionAttributeValues": dump_item(
                {":p": keys.sla_priority_pk(priority), ":first": prefix, ":last": prefix + to_iso(moment)}
            ),
        },
    )


def running(client: Any, table: str, department: str) -> Iterator[tuple[list[Ticket], int]]:
    """Pages of every ticket of the department with a response target running."""
    return _pages(
        client,
        {
            "TableName": table,
            "IndexName": keys.INDEX_SLA,
            "KeyConditionExpression": "sla_pk = :p",
            "ExpressionAttributeValues": dump_item({":p": keys.sla_pk(department)}),
        },
    )


def record_alert(
    client: Any,
    table: str,
    ticket_id: str,
    *,
    found: ResponseClock,
    alerted: ResponseClock,
    entry: HistoryEntry,
    marker: str,
    now: datetime,
) -> None:
    """Move the clock to its new alert stage and add its history entry, in one transaction,
    only if the ticket is still OPEN with the clock escalation found (a reply that landed first
    removed it; another run moved it on) and the marker is new. The ticket's version and activity
    do not change: nobody edited the ticket, and an operator's If-Match stays valid."""
    values: dict[str, Any] = {
        ":alerted": keys.sla_clock_sk(alerted),
        ":found": keys.sla_clock_sk(found),
        ":open": Status.OPEN.value,
    }
    sets = ["sla_clock = :alerted"]
    append_entries(sets, values, (entry,))
    transaction = Transaction()
    transaction.add(
        "ticket",
        {
            "Update": {
                "TableName": table,
                "Key": dump_item(keys.ticket_key(ticket_id)),
                "UpdateExpression": "SET " + ", ".join(sets),
                "ConditionExpression": "#status = :open AND sla_clock = :found",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": dump_item(values),
            }
        },
    )
    transaction.add("marker", {"Put": marker_put(table, marker, now)})
    try:
        transaction.write(client)
    except client.exceptions.TransactionCanceledException as error:
        failed = transaction.failed_conditions(error)
        if "marker" in failed:
            raise AlreadyProcessed from error
        if "ticket" in failed:
            raise ChangeRefused(None) from error
        raise
