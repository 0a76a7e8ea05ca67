"""Canned replies in DynamoDB: one item each under one partition, `CANNED` / `REPLY#<id>`, listed
with one Query; a counter item `CANNED` / `COUNT` caps how many there are. Creating and deleting
write the item and the counter in one transaction, changing is one UpdateItem: one request per
change."""

from __future__ import annotations

from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.canned import CannedReply
from helpdesk.store.codec import dump_item, load_item
from helpdesk.store.protocols import CannedReplyGone, TooManyCannedReplies
from helpdesk.store.transactions import Transaction

PARTITION = "CANNED"
COUNTER_SK = "COUNT"
_PREFIX = "REPLY#"


def _key(reply_id: str) -> dict[str, str]:
    return {"pk": PARTITION, "sk": f"{_PREFIX}{reply_id}"}


class DynamoCannedReplies:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def all(self) -> list[CannedReply]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": dump_item({":pk": PARTITION, ":prefix": _PREFIX}),
        }
        found: list[CannedReply] = []
        while True:
            response = self._client.query(**kwargs)
            found += [_reply(load_item(raw)) for raw in response["Items"]]
            if "LastEvaluatedKey" not in response:
                return found
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def create(self, reply: CannedReply, max_replies: int) -> None:
        item = {**_key(reply.id), "entity": "canned_reply", **_fields(reply)}
        transaction = Transaction()
        put = {
            "TableName": self._table,
            "Item": dump_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        transaction.add("reply", {"Put": put})
        transaction.add("count", self._count(+1, max_replies))
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            if "count" in transaction.failed_conditions(error):
                raise TooManyCannedReplies from error
            raise

    def update(self, reply: CannedReply, expected_version: int | None) -> CannedReply:
        values: dict[str, Any] = {
            ":title": reply.title,
            ":body": reply.body,
            ":now": to_iso(reply.updated_at),
            ":one": 1,
        }
        sets = ["title = :title", "body = :body", "updated_at = :now", "#version = #version + :one"]
        removes = []
        if reply.department is None:
            removes.append("department")
        else:
            sets.append("department = :department")
            values[":department"] = reply.department
        condition = "attribute_exists(pk)"
        if expected_version is not None:
            condition += " AND #version = :expected"
            values[":expected"] = expected_version
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=dump_item(_key(reply.id)),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=dump_item(values),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            old = error.response.get("Item")
            raise CannedReplyGone(_reply(load_item(old)) if old else None) from error
        return _reply(load_item(response["Attributes"]))

    def delete(self, reply_id: str) -> None:
        transaction = Transaction()
        delete = {
            "TableName": self._table,
            "Key": dump_item(_key(reply_id)),
            "ConditionExpression": "attribute_exists(pk)",
        }
        transaction.add("reply", {"Delete": delete})
        transaction.add("count", self._count(-1, None))
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            if "reply" in transaction.failed_conditions(error):
                raise CannedReplyGone(None) from error
            raise

    def _count(self, step: int, max_replies: int | None) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": dump_item({"pk": PARTITION, "sk": COUNTER_SK}),
            "UpdateExpression": "ADD reply_count :step",
            "ExpressionAttributeValues": dump_item({":step": step}),
        }
        if max_replies is not None:
            update["ConditionExpression"] = "attribute_not_exists(reply_count) OR reply_count < :max"
            update["ExpressionAttributeValues"] = dump_item({":step": step, ":max": max_replies})
        return {"Update": update}


def _fields(reply: CannedReply) -> dict[str, Any]:
    return {
        "id": reply.id,
        "title": reply.title,
        "body": reply.body,
        "department": reply.department,
        "created_at": to_iso(reply.created_at),
        "updated_at": to_iso(reply.updated_at),
        "created_by": reply.created_by,
        "version": reply.version,
    }


def _reply(item: dict[str, Any]) -> CannedReply:
    return CannedReply(
        id=item["id"],
        title=item["title"],
        body=item["body"],
        department=item.get("department"),
        created_at=from_iso(item["created_at"]),
        updated_at=from_iso(item["updated_at"]),
        created_by=item.get("created_by", ""),
        version=int(item.get("version", 1)),
    )
