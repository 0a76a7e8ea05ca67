"""Satisfaction ratings in the table: one item per rated closing, in the ticket's own partition
(`TICKET#<id>` / `RATING#<closed_at>`), so the Query that reads a thread reads its ratings too and
a rating costs no index. Changing a rating overwrites its item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.models import Rating, RatingValue, Ticket
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item, ticket_from_item

SK_PREFIX = "RATING#"


def rating_key(ticket_id: str, closed_at: datetime) -> dict[str, str]:
    return {"pk": keys.ticket_pk(ticket_id), "sk": f"{SK_PREFIX}{to_iso(closed_at)}"}


def rating_item(rating: Rating) -> dict[str, Any]:
    return {
        **rating_key(rating.ticket_id, rating.closed_at),
        "entity": "rating",
        "ticket_id": rating.ticket_id,
        "closed_at": to_iso(rating.closed_at),
        "rating": rating.value.value,
        "comment": rating.comment or None,
        "rated_at": to_iso(rating.rated_at),
        # the closing's, for the reports (AggregateReportsFunction reads them from the stream)
        "department": rating.department or None,
        "assignee": rating.assignee,
    }


def rating_from_item(item: dict[str, Any]) -> Rating:
    return Rating(
        ticket_id=item["ticket_id"],
        closed_at=from_iso(item["closed_at"]),
        value=RatingValue(item["rating"]),
        rated_at=from_iso(item["rated_at"]),
        comment=item.get("comment") or "",
        department=str(item.get("department") or ""),
        assignee=item.get("assignee") or None,
    )


def is_rating(item: dict[str, Any]) -> bool:
    return str(item.get("sk", "")).startswith(SK_PREFIX)


class DynamoRatingStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def closing(self, ticket_id: str, closed_at: datetime) -> tuple[Ticket | None, Rating | None]:
        """The ticket and its rating of that closing (None when not rated yet): one BatchGetItem."""
        wanted = [keys.ticket_key(ticket_id), rating_key(ticket_id, closed_at)]
        request = {self._table: {"Keys": [dump_item(k) for k in wanted], "ConsistentRead": True}}
        found: list[dict[str, Any]] = []
        while request:
            response = self._client.batch_get_item(RequestItems=request)
            found += [load_item(raw) for raw in response.get("Responses", {}).get(self._table, [])]
            request = response.get("UnprocessedKeys") or {}
        ticket = next((ticket_from_item(i) for i in found if i["sk"] == keys.TICKET_SK), None)
        rating = next((rating_from_item(i) for i in found if is_rating(i)), None)
        return ticket, rating

    def put_rating(self, rating: Rating) -> bool:
        """Record or change a rating: one PutItem, refused (False) when a later change of the same
        rating is already stored (two tabs, a slow request)."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=dump_item(rating_item(rating)),
                ConditionExpression="attribute_not_exists(pk) OR rated_at <= :now",
                ExpressionAttributeValues=dump_item({":now": to_iso(rating.rated_at)}),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
