"""Listing tickets: which index serves a listing, the filter expression, paging with a read
budget, and cursors that only the listing that handed them out accepts. Also the sparse index of
tickets due to auto-close."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.models import TicketFilters, TicketPage
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item, ticket_from_item
from helpdesk.store.protocols import DueTicket, InvalidCursor

# A filtered listing reads at most this many pages before answering with what it found and a cursor.
MAX_LIST_PAGES = 10
FILTERED_PAGE_SIZE = 200


def choose_index(filters: TicketFilters, account_id: str | None) -> tuple[str, str]:
    """The most selective index for the listing, and the partition to read."""
    if account_id is not None:
        return keys.INDEX_BY_ACCOUNT, keys.account_pk(account_id)
    if filters.assignee:
        return keys.INDEX_BY_ASSIGNEE, keys.assignee_pk(filters.assignee)
    if filters.status:
        return keys.INDEX_BY_STATUS, keys.status_pk(filters.status.value)
    return keys.INDEX_ALL, keys.ALL_TICKETS


def _filter(filters: TicketFilters, index: str) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    conditions: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if filters.status and index != keys.INDEX_BY_STATUS:
        conditions.append("#status = :status")
        names["#status"] = "status"
        values[":status"] = filters.status.value
    if filters.department:
        conditions.append("department = :department")
        values[":department"] = filters.department
    if filters.assignee and index != keys.INDEX_BY_ASSIGNEE:
        conditions.append("assignee = :assignee")
        values[":assignee"] = filters.assignee
    return conditions, names, values


def list_tickets(
    client: Any, table: str, filters: TicketFilters, *, account_id: str | None, limit: int, cursor: str | None
) -> TicketPage:
    """Tickets by newest activity. `account_id` confines the listing to one account
    (customers); without it the most selective index for the filters is used (operators)."""
    index, partition = choose_index(filters, account_id)
    partition_attr = keys.INDEX_PARTITION_ATTR[index]
    conditions, names, values = _filter(filters, index)
    values[":p"] = partition
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": f"{partition_attr} = :p",
        "ScanIndexForward": False,
        # Unfiltered, limit+1 tells whether a next page exists without another request.
        "Limit": FILTERED_PAGE_SIZE if conditions else limit + 1,
    }
    if conditions:
        kwargs["FilterExpression"] = " AND ".join(conditions)
    if names:
        kwargs["ExpressionAttributeNames"] = names
    kwargs["ExpressionAttributeValues"] = dump_item(values)
    if cursor:
        kwargs["ExclusiveStartKey"] = decode_cursor(cursor, partition_attr, partition)

    found: list[dict[str, Any]] = []
    for _page in range(MAX_LIST_PAGES):
        response = client.query(**kwargs)
        page = [load_item(raw) for raw in response["Items"]]
        more_after_page = "LastEvaluatedKey" in response
        for position, item in enumerate(page):
            found.append(item)
            if len(found) == limit:
                last_of_all = position == len(page) - 1 and not more_after_page
                next_cursor = None if last_of_all else _cursor_at(item, partition_attr)
                return TicketPage([ticket_from_item(i) for i in found], next_cursor)
        if not more_after_page:
            return TicketPage([ticket_from_item(i) for i in found], None)
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    # Read budget spent: answer with what matched so far and where to go on from.
    resume = load_item(kwargs["ExclusiveStartKey"])
    return TicketPage([ticket_from_item(i) for i in found], encode_cursor(resume))


def due_tickets(client: Any, table: str, now: datetime) -> Iterator[tuple[list[DueTicket], int]]:
    """Pages of WAITING tickets whose auto_close_at has passed, with the items each page read.
    The index is sparse (only WAITING tickets carry due_pk), so this reads the due tickets and
    nothing else."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": keys.INDEX_DUE,
        "KeyConditionExpression": "due_pk = :due AND auto_close_at <= :now",
        "ExpressionAttributeValues": dump_item({":due": keys.DUE, ":now": to_iso(now)}),
    }
    while True:
        response = client.query(**kwargs)
        page = [load_item(raw) for raw in response["Items"]]
        yield (
            [
                DueTicket(
                    ticket_id=keys.ticket_id_of(item["pk"]),
                    auto_close_at=from_iso(item["auto_close_at"]),
                    version=int(item["version"]),
                )
                for item in page
            ],
            int(response.get("ScannedCount", len(page))),
        )
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _cursor_at(item: dict[str, Any], partition_attr: str) -> str:
    return encode_cursor({k: item[k] for k in ("pk", "sk", partition_attr, "activity_sk")})


def encode_cursor(key: dict[str, Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, partition_attr: str, partition: str) -> dict[str, Any]:
    """A cursor is only accepted for the listing it came from: a cursor pointing into
    another partition (another account) is refused (InvalidCursor), not followed."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        key = None
    expected = {"pk", "sk", partition_attr, "activity_sk"}
    if (
        not isinstance(key, dict)
        or set(key) != expected
        or not all(isinstance(v, str) for v in key.values())
        or key[partition_attr] != partition
    ):
        raise InvalidCursor(cursor)
    return dump_item(key)
