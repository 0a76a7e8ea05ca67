"""Processing markers (an input had its effect: at most once), rate windows (one notice per
sender per day) and quotas (automatic mails per address per hour)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helpdesk.clock import to_iso
from helpdesk.domain.limits import MARKER_TTL
from helpdesk.store import keys
from helpdesk.store.codec import dump_item


def marker_put(table: str, marker: str, now: datetime, **details: str) -> dict[str, Any]:
    """The conditional Put of one marker, for a transaction or on its own."""
    item: dict[str, Any] = {**keys.marker_key(marker), "entity": "marker", **details}
    item["expires_at"] = int((now + MARKER_TTL).timestamp())
    return {"TableName": table, "Item": dump_item(item), "ConditionExpression": "attribute_not_exists(pk)"}


class DynamoMarkerStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def mark(self, marker: str, now: datetime, **details: str) -> bool:
        """Record that an input was handled without another effect (e.g. a dropped mail).
        False when it was already marked."""
        try:
            self._client.put_item(**marker_put(self._table, marker, now, **details))
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def is_marked(self, *markers: str) -> bool:
        """Whether any of the markers exists (a cheap early exit; the writes re-check)."""
        response = self._client.batch_get_item(
            RequestItems={
                self._table: {
                    "Keys": [dump_item(keys.marker_key(m)) for m in dict.fromkeys(markers)],
                    "ConsistentRead": True,
                    "ProjectionExpression": "pk",
                }
            }
        )
        return bool(response.get("Responses", {}).get(self._table))

    def claim_window(self, key: str, now: datetime, window: timedelta) -> bool:
        """True for the first claim of `key` in each `window` (rate limits such as one notice per
        sender per day); False while an earlier claim's window is still open."""
        until = now + window
        try:
            self._client.put_item(
                TableName=self._table,
                Item=dump_item(
                    {
                        **keys.window_key(key),
                        "entity": "window",
                        "until": to_iso(until),
                        "expires_at": int(until.timestamp()),
                    }
                ),
                ConditionExpression="attribute_not_exists(pk) OR #until <= :now",
                ExpressionAttributeNames={"#until": "until"},
                ExpressionAttributeValues=dump_item({":now": to_iso(now)}),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def take_quota(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        """Count one use of `key` in the current fixed window; False once `limit` is reached
        (e.g. automatic mails to one address per hour)."""
        seconds = int(window.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dump_item(keys.quota_key(key, start)),
                UpdateExpression="ADD used :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(used) OR used < :limit",
                ExpressionAttributeValues=dump_item(
                    {":one": 1, ":limit": limit, ":expires": start + 2 * seconds}
                ),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
