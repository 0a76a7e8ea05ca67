"""The word index: one small item per (ticket, word prefix), so a search reads the tickets whose
words begin with what was asked, newest first, instead of filtering a listing.

    pk            SEARCH#<account_id>#<prefix>     a customer's searches read their account only
    sk            <created_at>#<ticket_id>          newest first; one item however many words share it
    search_all_pk SEARCH#<prefix>                  the GSI `search_all`: operators, every account

Prefixes are 2..INDEXED_PREFIX letters (domain.search). The items are derived from the ticket's
`search_words` by the stream (functions/index_search), so they can always be rebuilt from the
tickets; a write of the index is idempotent (same key, same item)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import batched
from typing import Any

from helpdesk.clock import to_iso
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item, resolution_from, ticket_from_item
from helpdesk.store.protocols import IndexedTicket, IndexPage

BATCH_WRITE = 25  # BatchWriteItem's maximum
BATCH_GET = 100  # BatchGetItem's maximum
MAX_BATCH_ATTEMPTS = 8


def position(created_at: datetime, ticket_id: str) -> str:
    return f"{to_iso(created_at)}#{ticket_id}"


def ticket_id_at(position_key: str) -> str:
    return position_key.rsplit("#", 1)[1]


def index_item(account_id: str, prefix: str, created_at: datetime, ticket_id: str) -> dict[str, Any]:
    return {
        "pk": keys.search_pk(account_id, prefix),
        "sk": position(created_at, ticket_id),
        "search_all_pk": keys.search_all_pk(prefix),
        "entity": "search",
    }


class DynamoSearchIndex:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, account_id: str, ticket_id: str, created_at: datetime, prefixes: Iterable[str]) -> int:
        """Write the ticket's items for these prefixes (BatchWriteItem, 25 a request); how many."""
        items = [index_item(account_id, p, created_at, ticket_id) for p in sorted(set(prefixes))]
        for batch in batched(items, BATCH_WRITE, strict=False):
            requests = [{"PutRequest": {"Item": dump_item(item)}} for item in batch]
            for _attempt in range(MAX_BATCH_ATTEMPTS):
                response = self._client.batch_write_item(RequestItems={self._table: requests})
                requests = response.get("UnprocessedItems", {}).get(self._table, [])
                if not requests:
                    break
            else:
                raise RuntimeError(f"index items of {ticket_id} still unprocessed after retries")
        return len(items)

    def newest(self, account_id: str | None, prefix: str, before: str | None, limit: int) -> IndexPage:
        """Up to `limit` positions of tickets with a word beginning with `prefix`, newest first,
        older than `before`: the account's (customers) or every account's (account_id None)."""
        if account_id is None:
            kwargs: dict[str, Any] = {"IndexName": keys.INDEX_SEARCH_ALL}
            condition = "search_all_pk = :p"
            values: dict[str, Any] = {":p": keys.search_all_pk(prefix)}
        else:
            kwargs = {"ConsistentRead": False}
            condition = "pk = :p"
            values = {":p": keys.search_pk(account_id, prefix)}
        if before is not None:
            condition += " AND sk < :before"
            values[":before"] = before
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=dump_item(values),
            ProjectionExpression="sk",
            ScanIndexForward=False,
            Limit=limit,
            **kwargs,
        )
        positions = [load_item(raw)["sk"] for raw in response["Items"]]
        return IndexPage(positions, "LastEvaluatedKey" in response)

    def tickets(self, ticket_ids: list[str]) -> dict[str, IndexedTicket]:
        """The ticket items of these ids (BatchGetItem, 100 a request), by id; missing ones left out."""
        found: dict[str, IndexedTicket] = {}
        for batch in batched(dict.fromkeys(ticket_ids), BATCH_GET, strict=False):
            request: dict[str, Any] = {
                self._table: {"Keys": [dump_item(keys.ticket_key(t)) for t in batch]},
            }
            for _attempt in range(MAX_BATCH_ATTEMPTS):
                response = self._client.batch_get_item(RequestItems=request)
                for raw in response.get("Responses", {}).get(self._table, []):
                    item = load_item(raw)
                    found[item["id"]] = indexed(item)
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError("ticket reads still unprocessed after retries")
        return found

    def ticket(self, ticket_id: str) -> IndexedTicket | None:
        """One ticket by its id: one GetItem."""
        response = self._client.get_item(TableName=self._table, Key=dump_item(keys.ticket_key(ticket_id)))
        if "Item" not in response:
            return None
        return indexed(load_item(response["Item"]))


def indexed(item: dict[str, Any]) -> IndexedTicket:
    return IndexedTicket(
        ticket_from_item(item), frozenset(item.get("search_words") or ()), resolution_from(item)
    )
