"""Data access: the only module that speaks DynamoDB. Everything above it sees domain objects;
conditional-write failures come back as domain exceptions.

One table. A ticket's metadata and its messages share the partition `TICKET#<id>`, so reading a
ticket with its thread is one Query. Every state change is one request: an UpdateItem, or a
TransactWriteItems when a message is written with it, conditioned on the statuses the status
machine allows (and on the account, for customers, and on the version, when the caller sent one).
The access patterns are listed in the README.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from helpdesk.clock import from_iso, to_iso
from helpdesk.errors import InvalidInput
from helpdesk.models import (
    AttachmentRef,
    Channel,
    ClosedReason,
    EmailOrigin,
    Message,
    Role,
    Ticket,
    TicketFilters,
    TicketPage,
    TicketThread,
)
from helpdesk.status_machine import Status, Timer

TICKET_SK = "TICKET"
ALL_TICKETS = "TICKETS"
DUE = "DUE"
IDEMPOTENCY_SK = "IDEMPOTENCY"

INDEX_BY_ACCOUNT = "account_activity"
INDEX_BY_STATUS = "status_activity"
INDEX_BY_ASSIGNEE = "assignee_activity"
INDEX_ALL = "all_activity"
INDEX_DUE = "auto_close_due"
_INDEX_PARTITION_ATTR = {
    INDEX_BY_ACCOUNT: "account_pk",
    INDEX_BY_STATUS: "status_pk",
    INDEX_BY_ASSIGNEE: "assignee_pk",
    INDEX_ALL: "all_pk",
}

# Processing markers (inbound mail ids) are kept long past SES's redelivery window.
MARKER_TTL = timedelta(days=30)

# A filtered listing reads at most this many pages before answering with what it found and a cursor.
MAX_LIST_PAGES = 10
FILTERED_PAGE_SIZE = 200

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def _message_sk(message: Message) -> str:
    return f"MSG#{to_iso(message.created_at)}#{message.id}"


def _activity_sk(updated_at: datetime, ticket_id: str) -> str:
    return f"{to_iso(updated_at)}#{ticket_id}"


def dump_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def load_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


# ------------------------------------------------------------------ exceptions of this layer
class TicketIdTaken(Exception):
    """The random ticket ID already exists: draw another."""


class IdempotencyKeyTaken(Exception):
    """A ticket was already created with this Idempotency-Key. `record` is the stored record,
    returned by the failed write itself (None only if DynamoDB did not return it)."""

    def __init__(self, record: IdempotencyRecord | None) -> None:
        super().__init__("idempotency key already used")
        self.record = record


class AlreadyProcessed(Exception):
    """One of the write's processing markers exists: this input already had its effect."""


class ChangeRefused(Exception):
    """The conditional write failed. `current` is the ticket as it is now (None if it does not
    exist), so the caller can say why without another read."""

    def __init__(self, current: Ticket | None) -> None:
        super().__init__("conditional write failed")
        self.current = current


# ------------------------------------------------------------------ value objects
@dataclass(frozen=True)
class IdempotencyRecord:
    account_id: str
    key: str
    request_hash: str
    ticket: Ticket  # the ticket as created: what a retry answers, like the first response
    expires_at: int  # epoch seconds, the table's TTL attribute


@dataclass(frozen=True)
class TicketChange:
    """One conditional change of a ticket's metadata, with an optional message written in the
    same transaction. Built by the service from the status machine."""

    now: datetime
    allowed_from: frozenset[Status]
    to: Status | None = None
    timer: Timer = Timer.KEEP
    auto_close_at: datetime | None = None  # with Timer.START
    closed_reason: ClosedReason | None = None  # with to=CLOSED
    assignee: str | None = None  # set when not None
    message: Message | None = None
    words: frozenset[str] = field(default_factory=frozenset)
    # Guards beyond the status:
    account_id: str | None = None  # customers may only touch their own account's tickets
    expected_version: int | None = None  # the version the caller saw (If-Match)
    expected_auto_close_at: datetime | None = None  # auto-close: the deadline it found due
    # Processing markers written in the same transaction (e.g. an inbound mail's ids): the change
    # happens at most once per marker.
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class DueTicket:
    ticket_id: str
    auto_close_at: datetime
    version: int


# ------------------------------------------------------------------ the store
class TicketStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # ---------------------------------------------------------------- create
    def create(
        self,
        ticket: Ticket,
        first_message: Message,
        words: frozenset[str],
        idempotency: IdempotencyRecord | None = None,
        markers: tuple[str, ...] = (),
        now: datetime | None = None,
    ) -> None:
        """Write a new ticket and its first message (and the idempotency record, and processing
        markers) atomically."""
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": dump_item(self._ticket_item(ticket, words)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": dump_item(self._message_item(first_message)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if idempotency is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": dump_item(
                            {
                                "pk": self._idempotency_pk(idempotency.account_id, idempotency.key),
                                "sk": IDEMPOTENCY_SK,
                                "entity": "idempotency",
                                "request_hash": idempotency.request_hash,
                                "ticket": self._ticket_snapshot(idempotency.ticket),
                                "expires_at": idempotency.expires_at,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                        # A retry learns what the first request created from this same call.
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
        marker_start = len(items)
        items += self._marker_puts(markers, now or ticket.created_at)
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            codes = [r.get("Code") for r in reasons]
            if "ConditionalCheckFailed" in codes[marker_start:]:
                raise AlreadyProcessed from error
            if idempotency is not None and len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                stored = reasons[2].get("Item")
                record = self._idempotency_from_item(idempotency, load_item(stored)) if stored else None
                raise IdempotencyKeyTaken(record) from error
            if codes and codes[0] == "ConditionalCheckFailed":
                raise TicketIdTaken from error
            raise

    def idempotency_record(self, account_id: str, key: str) -> IdempotencyRecord | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=dump_item({"pk": self._idempotency_pk(account_id, key), "sk": IDEMPOTENCY_SK}),
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        item = load_item(response["Item"])
        return IdempotencyRecord(
            account_id=account_id,
            key=key,
            request_hash=item["request_hash"],
            ticket=self._ticket_from_item(item["ticket"]),
            expires_at=int(item["expires_at"]),
        )

    def _idempotency_from_item(self, asked: IdempotencyRecord, item: dict[str, Any]) -> IdempotencyRecord:
        return IdempotencyRecord(
            account_id=asked.account_id,
            key=asked.key,
            request_hash=item["request_hash"],
            ticket=self._ticket_from_item(item["ticket"]),
            expires_at=int(item["expires_at"]),
        )

    # ---------------------------------------------------------------- read
    def thread(self, ticket_id: str) -> TicketThread | None:
        """The ticket and all its messages, oldest first: one Query (more only past 1 MB)."""
        messages: list[Message] = []
        ticket: Ticket | None = None
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": dump_item({":pk": _ticket_pk(ticket_id)}),
            "ConsistentRead": True,
        }
        while True:
            response = self._client.query(**kwargs)
            for raw in response["Items"]:
                item = load_item(raw)
                if item["sk"] == TICKET_SK:
                    ticket = self._ticket_from_item(item)
                else:
                    messages.append(self._message_from_item(item))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return TicketThread(ticket, messages) if ticket else None

    def list_tickets(
        self,
        filters: TicketFilters,
        *,
        account_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> TicketPage:
        """Tickets by newest activity. `account_id` confines the listing to one account
        (customers); without it the most selective index for the filters is used (operators)."""
        index, partition = self._choose_index(filters, account_id)
        partition_attr = _INDEX_PARTITION_ATTR[index]
        conditions: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = {":p": partition}
        if filters.status and index != INDEX_BY_STATUS:
            conditions.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = filters.status.value
        if filters.department:
            conditions.append("department = :department")
            values[":department"] = filters.department
        if filters.assignee and index != INDEX_BY_ASSIGNEE:
            conditions.append("assignee = :assignee")
            values[":assignee"] = filters.assignee
        for n, word in enumerate(filters.words):
            conditions.append(f"contains(search_words, :w{n})")
            values[f":w{n}"] = word

        kwargs: dict[str, Any] = {
            "TableName": self._table,
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
            kwargs["ExclusiveStartKey"] = self._decode_cursor(cursor, partition_attr, partition)

        found: list[dict[str, Any]] = []
        for _page in range(MAX_LIST_PAGES):
            response = self._client.query(**kwargs)
            page = [load_item(raw) for raw in response["Items"]]
            more_after_page = "LastEvaluatedKey" in response
            for position, item in enumerate(page):
                found.append(item)
                if len(found) == limit:
                    last_of_all = position == len(page) - 1 and not more_after_page
                    next_cursor = None if last_of_all else self._cursor_at(item, partition_attr)
                    return TicketPage([self._ticket_from_item(i) for i in found], next_cursor)
            if not more_after_page:
                return TicketPage([self._ticket_from_item(i) for i in found], None)
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        # Read budget spent: answer with what matched so far and where to go on from.
        resume = load_item(kwargs["ExclusiveStartKey"])
        return TicketPage([self._ticket_from_item(i) for i in found], self._encode_cursor(resume))

    def due_tickets(self, now: datetime) -> Iterator[tuple[list[DueTicket], int]]:
        """Pages of WAITING tickets whose auto_close_at has passed, with the items each page read.
        The index is sparse (only WAITING tickets carry due_pk), so this reads the due tickets and
        nothing else."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX_DUE,
            "KeyConditionExpression": "due_pk = :due AND auto_close_at <= :now",
            "ExpressionAttributeValues": dump_item({":due": DUE, ":now": to_iso(now)}),
        }
        while True:
            response = self._client.query(**kwargs)
            page = [load_item(raw) for raw in response["Items"]]
            yield (
                [
                    DueTicket(
                        ticket_id=item["pk"].removeprefix("TICKET#"),
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

    # ---------------------------------------------------------------- change
    def apply(self, ticket_id: str, change: TicketChange) -> Ticket | None:
        """Apply one conditional change in one request. Returns the updated ticket when no message
        is written (UpdateItem returns it); with a message (a transaction) returns None.
        Raises ChangeRefused with the current ticket when a guard fails."""
        update = self._update_request(ticket_id, change)
        try:
            if change.message is None:
                response = self._client.update_item(**update, ReturnValues="ALL_NEW")
                return self._ticket_from_item(load_item(response["Attributes"]))
            self._client.transact_write_items(
                TransactItems=[
                    {"Update": update},
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": dump_item(self._message_item(change.message)),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    *self._marker_puts(change.markers, change.now),
                ]
            )
            return None
        except self._client.exceptions.ConditionalCheckFailedException as error:
            raise ChangeRefused(self._current_from(error.response.get("Item"))) from error
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            if "ConditionalCheckFailed" in [r.get("Code") for r in reasons[2:]]:
                raise AlreadyProcessed from error
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise ChangeRefused(self._current_from(reasons[0].get("Item"))) from error
            raise

    def _update_request(self, ticket_id: str, change: TicketChange) -> dict[str, Any]:
        names = {"#status": "status", "#version": "version"}
        values: dict[str, Any] = {
            ":now": to_iso(change.now),
            ":activity": _activity_sk(change.now, ticket_id),
            ":one": 1,
        }
        sets = ["updated_at = :now", "activity_sk = :activity", "#version = #version + :one"]
        removes: list[str] = []
        if change.to is not None:
            sets += ["#status = :to", "status_pk = :to_pk"]
            values[":to"] = change.to.value
            values[":to_pk"] = f"STATUS#{change.to.value}"
            if change.to is Status.CLOSED:
                sets += ["closed_at = :now", "closed_reason = :reason"]
                values[":reason"] = (change.closed_reason or ClosedReason.OPERATOR).value
            else:
                removes += ["closed_at", "closed_reason"]
        if change.timer is Timer.START:
            assert change.auto_close_at is not None
            sets += ["auto_close_at = :due_at", "due_pk = :due"]
            values[":due_at"] = to_iso(change.auto_close_at)
            values[":due"] = DUE
        elif change.timer is Timer.CLEAR:
            removes += ["auto_close_at", "due_pk"]
        if change.assignee is not None:
            sets += ["assignee = :assignee", "assignee_pk = :assignee_pk"]
            values[":assignee"] = change.assignee
            values[":assignee_pk"] = f"ASSIGNEE#{change.assignee}"
        expression = "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        if change.words:
            expression += " ADD search_words :words"
            values[":words"] = set(change.words)

        allowed = sorted(s.value for s in change.allowed_from)
        placeholders = []
        for n, status in enumerate(allowed):
            placeholders.append(f":from{n}")
            values[f":from{n}"] = status
        conditions = ["attribute_exists(pk)", f"#status IN ({', '.join(placeholders)})"]
        if change.account_id is not None:
            conditions.append("account_id = :account")
            values[":account"] = change.account_id
        if change.expected_version is not None:
            conditions.append("#version = :expected_version")
            values[":expected_version"] = change.expected_version
        if change.expected_auto_close_at is not None:
            conditions.append("auto_close_at = :expected_due_at")
            values[":expected_due_at"] = to_iso(change.expected_auto_close_at)
        return {
            "TableName": self._table,
            "Key": dump_item({"pk": _ticket_pk(ticket_id), "sk": TICKET_SK}),
            "UpdateExpression": expression,
            "ConditionExpression": " AND ".join(conditions),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dump_item(values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    # ---------------------------------------------------------------- processing markers
    def _marker_puts(self, markers: tuple[str, ...], now: datetime) -> list[dict[str, Any]]:
        expires = int((now + MARKER_TTL).timestamp())
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": dump_item(
                        {"pk": f"MARKER#{marker}", "sk": "MARKER", "entity": "marker", "expires_at": expires}
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for marker in markers
        ]

    def mark(self, marker: str, now: datetime, **details: str) -> bool:
        """Record that an input was handled without another effect (e.g. a dropped mail).
        False when it was already marked."""
        item: dict[str, Any] = {"pk": f"MARKER#{marker}", "sk": "MARKER", "entity": "marker", **details}
        item["expires_at"] = int((now + MARKER_TTL).timestamp())
        try:
            self._client.put_item(
                TableName=self._table, Item=dump_item(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def claim_window(self, key: str, now: datetime, window: timedelta) -> bool:
        """True for the first claim of `key` in each `window` (rate limits such as one notice per
        sender per day); False while an earlier claim's window is still open."""
        until = now + window
        try:
            self._client.put_item(
                TableName=self._table,
                Item=dump_item(
                    {
                        "pk": f"WINDOW#{key}",
                        "sk": "WINDOW",
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
                Key=dump_item({"pk": f"QUOTA#{key}#{start}", "sk": "QUOTA"}),
                UpdateExpression="ADD used :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(used) OR used < :limit",
                ExpressionAttributeValues=dump_item(
                    {":one": 1, ":limit": limit, ":expires": start + 2 * seconds}
                ),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def is_marked(self, *markers: str) -> bool:
        """Whether any of the markers exists (a cheap early exit; the writes re-check)."""
        response = self._client.batch_get_item(
            RequestItems={
                self._table: {
                    "Keys": [
                        dump_item({"pk": f"MARKER#{m}", "sk": "MARKER"}) for m in dict.fromkeys(markers)
                    ],
                    "ConsistentRead": True,
                    "ProjectionExpression": "pk",
                }
            }
        )
        return bool(response.get("Responses", {}).get(self._table))

    # ---------------------------------------------------------------- items
    @staticmethod
    def _idempotency_pk(account_id: str, key: str) -> str:
        return f"IDEMPOTENCY#{account_id}#{key}"

    @classmethod
    def _ticket_item(cls, ticket: Ticket, words: frozenset[str]) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": _ticket_pk(ticket.id),
            "sk": TICKET_SK,
            "entity": "ticket",
            **cls._ticket_snapshot(ticket),
            # index keys
            "account_pk": f"ACCOUNT#{ticket.account_id}",
            "status_pk": f"STATUS#{ticket.status.value}",
            "assignee_pk": f"ASSIGNEE#{ticket.assignee}" if ticket.assignee else None,
            "all_pk": ALL_TICKETS,
            "activity_sk": _activity_sk(ticket.updated_at, ticket.id),
            "due_pk": DUE if ticket.status is Status.WAITING and ticket.auto_close_at else None,
        }
        if words:
            item["search_words"] = set(words)
        return item

    @staticmethod
    def _ticket_snapshot(ticket: Ticket) -> dict[str, Any]:
        """The ticket's own fields (no index keys), as stored; None values are left out."""
        return {
            "id": ticket.id,
            "status": ticket.status.value,
            "department": ticket.department,
            "subject": ticket.subject,
            "account_id": ticket.account_id,
            "assignee": ticket.assignee,
            "created_at": to_iso(ticket.created_at),
            "updated_at": to_iso(ticket.updated_at),
            "auto_close_at": to_iso(ticket.auto_close_at) if ticket.auto_close_at else None,
            "closed_at": to_iso(ticket.closed_at) if ticket.closed_at else None,
            "closed_reason": ticket.closed_reason.value if ticket.closed_reason else None,
            "version": ticket.version,
        }

    @staticmethod
    def _ticket_from_item(item: dict[str, Any]) -> Ticket:
        return Ticket(
            id=item["id"],
            status=Status(item["status"]),
            department=item["department"],
            subject=item["subject"],
            account_id=item["account_id"],
            assignee=item.get("assignee"),
            created_at=from_iso(item["created_at"]),
            updated_at=from_iso(item["updated_at"]),
            auto_close_at=from_iso(item["auto_close_at"]) if item.get("auto_close_at") else None,
            closed_at=from_iso(item["closed_at"]) if item.get("closed_at") else None,
            closed_reason=ClosedReason(item["closed_reason"]) if item.get("closed_reason") else None,
            version=int(item["version"]),
        )

    def _current_from(self, raw: dict[str, Any] | None) -> Ticket | None:
        return self._ticket_from_item(load_item(raw)) if raw else None

    @staticmethod
    def _message_item(message: Message) -> dict[str, Any]:
        return {
            "pk": _ticket_pk(message.ticket_id),
            "sk": _message_sk(message),
            "entity": "message",
            "id": message.id,
            "ticket_id": message.ticket_id,
            "author_role": message.author_role.value,
            "author": message.author,
            "body": message.body,
            "channel": message.channel.value,
            "internal": message.internal,
            "created_at": to_iso(message.created_at),
            "email_from": message.email.from_address if message.email else None,
            "email_message_id": message.email.message_id if message.email else None,
            "attachments": [
                {"name": a.name, "content_type": a.content_type, "size": a.size, "key": a.key}
                for a in message.attachments
            ]
            or None,
        }

    @staticmethod
    def _message_from_item(item: dict[str, Any]) -> Message:
        return Message(
            id=item["id"],
            ticket_id=item["ticket_id"],
            author_role=Role(item["author_role"]),
            author=item["author"],
            body=item["body"],
            channel=Channel(item["channel"]),
            internal=bool(item["internal"]),
            created_at=from_iso(item["created_at"]),
            email=(
                EmailOrigin(item["email_from"], item.get("email_message_id"))
                if item.get("email_from")
                else None
            ),
            attachments=tuple(
                AttachmentRef(a["name"], a["content_type"], int(a["size"]), a["key"])
                for a in item.get("attachments") or ()
            ),
        )

    # ---------------------------------------------------------------- listing helpers
    @staticmethod
    def _choose_index(filters: TicketFilters, account_id: str | None) -> tuple[str, str]:
        if account_id is not None:
            return INDEX_BY_ACCOUNT, f"ACCOUNT#{account_id}"
        if filters.assignee:
            return INDEX_BY_ASSIGNEE, f"ASSIGNEE#{filters.assignee}"
        if filters.status:
            return INDEX_BY_STATUS, f"STATUS#{filters.status.value}"
        return INDEX_ALL, ALL_TICKETS

    def _cursor_at(self, item: dict[str, Any], partition_attr: str) -> str:
        return self._encode_cursor({k: item[k] for k in ("pk", "sk", partition_attr, "activity_sk")})

    @staticmethod
    def _encode_cursor(key: dict[str, Any]) -> str:
        raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode_cursor(cursor: str, partition_attr: str, partition: str) -> dict[str, Any]:
        """A cursor is only accepted for the listing it came from: a cursor pointing into
        another partition (another account) is refused, not followed."""
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
            raise InvalidInput(
                "The cursor is not valid for this listing: start again without it.",
                details=[{"field": "cursor", "message": "Not a cursor this listing returned."}],
            )
        return dump_item(key)
