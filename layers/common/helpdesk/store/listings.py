"""Listing tickets: which index serves a listing, the filter expression, paging with a read
budget, and cursors that only the listing that handed them out accepts. Also the sparse index of
tickets due to auto-close."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.attributes import DEFAULT_PRIORITY
from helpdesk.domain.models import TicketFilters, TicketPage
from helpdesk.store import keys, queue
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
    if filters.status and index not in (keys.INDEX_BY_STATUS, keys.INDEX_QUEUE_BY_STATUS):
        conditions.append("#status = :status")
        names["#status"] = "status"
        values[":status"] = filters.status.value
    if filters.account_id and index != keys.INDEX_BY_ACCOUNT:
        conditions.append("account_id = :account")
        values[":account"] = filters.account_id
    if filters.department:
        conditions.append("department = :department")
        values[":department"] = filters.department
    if filters.assignee and index != keys.INDEX_BY_ASSIGNEE:
        conditions.append("assignee = :assignee")
        values[":assignee"] = filters.assignee
    if filters.priority is not None:
        # Tickets written before priorities existed have none: they are normal.
        if filters.priority is DEFAULT_PRIORITY:
            conditions.append("(#priority = :priority OR attribute_not_exists(#priority))")
        else:
            conditions.append("#priority = :priority")
        names["#priority"] = "priority"
        values[":priority"] = filters.priority.value
    if filters.tag is not None:
        conditions.append("contains(#tags, :tag)")
        names["#tags"] = "tags"
        values[":tag"] = filters.tag
    return conditions, names, values


def list_tickets(
    client: Any, table: str, filters: TicketFilters, *, account_id: str | None, limit: int, cursor: str | None
) -> TicketPage:
    """Tickets by newest activity. `account_id` confines the listing to one account
    (customers); without it the most selective index for the filters is used (operators)."""
    index, partition = choose_index(filters, account_id)
    return _listing(
        client, table, _Listing(index, partition, "activity_sk", forward=False), filters, limit, cursor
    )


def queue_page(
    client: Any, table: str, filters: TicketFilters, *, limit: int, cursor: str | None
) -> TicketPage:
    """The operators' queue in its order (store/queue.py), ascending on the queue index of the
    status asked (all tickets without one); the other filters are a filter expression."""
    if filters.status is not None:
        listing = _Listing(
            keys.INDEX_QUEUE_BY_STATUS, keys.status_pk(filters.status.value), queue.RANK, forward=True
        )
    else:
        listing = _Listing(keys.INDEX_QUEUE_ALL, keys.ALL_TICKETS, queue.RANK, forward=True)
    return _listing(client, table, listing, filters, limit, cursor)


@dataclass(frozen=True)
class _Listing:
    index: str
    partition: str
    sort_attr: str
    forward: bool

    @property
    def partition_attr(self) -> str:
        return keys.INDEX_PARTITION_ATTR[self.index]


def _listing(
    client: Any, table: str, listing: _Listing, filters: TicketFilters, limit: int, cursor: str | None
) -> TicketPage:
    conditions, names, values = _filter(filters, listing.index)
    values[":p"] = listing.partition
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": listing.index,
        "KeyConditionExpression": f"{listing.partition_attr} = :p",
        "ScanIndexForward": listing.forward,
        # Unfiltered, limit+1 tells whether a next page exists without another request.
        "Limit": FILTERED_PAGE_SIZE if conditions else limit + 1,
    }
    if conditions:
        kwargs["FilterExpression"] = " AND ".join(conditions)
    if names:
        kwargs["ExpressionAttributeNames"] = names
    kwargs["ExpressionAttributeValues"] = dump_item(values)
    if cursor:
        kwargs["ExclusiveStartKey"] = decode_cursor(
            cursor, listing.partition_attr, listing.partition, listing.sort_attr
        )

    found: list[dict[str, Any]] = []
    for _page in range(MAX_LIST_PAGES):
        response = client.query(**kwargs)
        page = [load_item(raw) for raw in response["Items"]]
        more_after_page = "LastEvaluatedKey" in response
        for position, item in enumerate(page):
            found.append(item)
            if len(found) == limit:
                last_of_all = position == len(page) - 1 and not more_after_page
                next_cursor = None if last_of_all else _cursor_at(item, listing)
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


def _cursor_at(item: dict[str, Any], listing: _Listing) -> str:
    return encode_cursor({k: item[k] for k in ("pk", "sk", listing.partition_attr, listing.sort_attr)})


def encode_cursor(key: dict[str, Any]) -> str:
    """The next page's start key, as text (a number, the queue's rank, as its digits)."""
    plain = {k: str(v) if isinstance(v, Decimal | int) else v for k, v in key.items()}
    raw = json.dumps(plain, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str, partition_attr: str, partition: str, sort_attr: str = "activity_sk"
) -> dict[str, Any]:
    """A cursor is only accepted for the listing it came from: a cursor pointing into
    another partition (another account) or of another order is refused (InvalidCursor), not
    followed."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        key = None
    expected = {"pk", "sk", partition_attr, sort_attr}
    if (
        not isinstance(key, dict)
        or set(key) != expected
        or not all(isinstance(v, str) for v in key.values())
        or key[partition_attr] != partition
    ):
        raise InvalidCursor(cursor)
    if sort_attr == queue.RANK:
        if not key[sort_attr].isdigit() or len(key[sort_attr]) > 38:
            raise InvalidCursor(cursor)
        key[sort_attr] = int(key[sort_attr])
    return dump_item(key)
