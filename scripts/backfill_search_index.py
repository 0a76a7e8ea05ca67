"""Build the word index from the tickets: for every ticket item, write the index entries of its
searchable words' prefixes. For tickets written before the index existed, and after messages
in SearchIndexFailures (the entries are derived data, so rebuilding is the redrive).

    .venv/bin/python scripts/backfill_search_index.py <table-name> [--dry-run]

Safe to run more than once and while the stack is live: an entry has the same key and content
however often it is written. Reads the table with a Scan (tickets only are kept), so it costs one
pass over the table; run it once, not on a schedule.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "layers" / "common"))

from helpdesk.domain import search
from helpdesk.store.codec import load_item, ticket_from_item
from helpdesk.store.search_index import DynamoSearchIndex


def backfill(client: Any, table: str, *, dry_run: bool = False) -> tuple[int, int]:
    """(tickets seen, index entries written)."""
    index = DynamoSearchIndex(client, table)
    tickets = entries = 0
    kwargs: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "entity = :ticket",
        "ExpressionAttributeValues": {":ticket": {"S": "ticket"}},
    }
    while True:
        page = client.scan(**kwargs)
        for raw in page["Items"]:
            item = load_item(raw)
            ticket = ticket_from_item(item)
            prefixes = search.prefixes(frozenset(item.get("search_words") or ()))
            tickets += 1
            if dry_run:
                entries += len(prefixes)
            else:
                entries += index.add(ticket.account_id, ticket.id, ticket.created_at, prefixes)
        if "LastEvaluatedKey" not in page:
            return tickets, entries
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table")
    parser.add_argument("--dry-run", action="store_true", help="count what would be written")
    args = parser.parse_args(argv)
    tickets, entries = backfill(boto3.client("dynamodb"), args.table, dry_run=args.dry_run)
    verb = "would write" if args.dry_run else "wrote"
    print(f"{tickets} tickets: {verb} {entries} index entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
