"""Give the queue's parts to tickets stored before they existed, so that `GET /tickets?sort=queue`
lists them (its indexes, `queue_by_status` and `queue_all`, hold only items with `queue_rank`).

    .venv/bin/python scripts/backfill_queue.py <stack-name> [--dry-run]
    .venv/bin/python scripts/backfill_queue.py --table <name> [--endpoint-url URL] [--dry-run]

Safe to run more than once, and while the stack is live (run it after the deploy that brought the
queue): it reads the ticket items without `queue_rank` (a Scan of the table, a filter on that
absence) and writes each one's parts, sums and rank (store.queue.whole_updates, from its assignee,
priority and running SLA clock) in one UpdateItem guarded by `attribute_not_exists(queue_rank)`
and by the version it read. An item that changed since it was read (any change of its queue place
gives it the parts by itself: store.tickets) is read again, up to three times, and reported if it
kept changing; an item that has its parts is never written. The ticket's version, `updated_at` and
activity stay as they were: the backfill is no change of the ticket (an operator's If-Match still
holds).

Exit status: 0 when no ticket is left without its parts, 1 otherwise (run it again).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "layers" / "common"))

from helpdesk.store import keys, queue
from helpdesk.store.codec import dump_item, load_item

ATTEMPTS = 3
GUARD = "attribute_exists(pk) AND attribute_not_exists(#rank) AND #version = :seen"
# What a ticket's queue place is made of (store.queue.parts_after) and what the guard needs.
PROJECTION = "pk, sk, id, version, assignee, priority, sla_clock"


def without_parts(client: Any, table: str) -> Iterator[dict[str, Any]]:
    """The ticket items lacking `queue_rank`, decoded (a Scan: every item is read once)."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "sk = :ticket AND attribute_not_exists(#rank)",
        "ProjectionExpression": PROJECTION,
        "ExpressionAttributeNames": {"#rank": queue.RANK},
        "ExpressionAttributeValues": dump_item({":ticket": keys.TICKET_SK}),
    }
    while True:
        page = client.scan(**kwargs)
        for raw in page["Items"]:
            yield load_item(raw)
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def backfill_one(client: Any, table: str, item: dict[str, Any], *, dry_run: bool = False) -> str:
    """`written`, `had_parts` (someone gave them first), `gone`, `kept_changing` or (dry run)
    `would_write`."""
    ticket_id = str(item["id"])
    if dry_run:
        return "would_write"
    for _attempt in range(ATTEMPTS):
        place = queue.parts_after(item, queue.QueueChange())
        sets, removes, values = queue.whole_updates(ticket_id, place)
        values[":seen"] = int(item["version"])
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            client.update_item(
                TableName=table,
                Key=dump_item(keys.ticket_key(ticket_id)),
                UpdateExpression=expression,
                ConditionExpression=GUARD,
                ExpressionAttributeNames={"#rank": queue.RANK, "#version": "version"},
                ExpressionAttributeValues=dump_item(values),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return "written"
        except client.exceptions.ConditionalCheckFailedException as error:
            raw = error.response.get("Item")
            if not raw:
                return "gone"
            current = load_item(raw)
            if queue.RANK in current:
                return "had_parts"
            item = current  # changed since it was read (by a version without the queue): again
    return "kept_changing"


def run(client: Any, table: str, *, dry_run: bool = False) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    for item in without_parts(client, table):
        outcomes[backfill_one(client, table, item, dry_run=dry_run)] += 1
    return outcomes


def table_of_stack(stack: str) -> str:
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    return str(outputs["TableName"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", nargs="?", help="the CloudFormation stack (its TableName output)")
    parser.add_argument("--table", help="the table's name instead of a stack")
    parser.add_argument("--endpoint-url", help="a DynamoDB endpoint (DynamoDB Local)")
    parser.add_argument("--dry-run", action="store_true", help="count what would be written")
    args = parser.parse_args(argv)
    if bool(args.stack) == bool(args.table):
        parser.error("give a stack name or --table")
    table = args.table or table_of_stack(args.stack)
    client = boto3.client("dynamodb", endpoint_url=args.endpoint_url)
    outcomes = run(client, table, dry_run=args.dry_run)
    for outcome in ("written", "would_write", "had_parts", "gone", "kept_changing"):
        print(f"{outcome}: {outcomes[outcome]}")
    return 1 if outcomes["kept_changing"] else 0


if __name__ == "__main__":
    sys.exit(main())
