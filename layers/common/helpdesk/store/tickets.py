"""Tickets in DynamoDB: create, read and change, each in one request.

One table. A ticket's metadata and its messages share the partition `TICKET#<id>`, so reading a
ticket with its thread is one Query. Every state change is one request: an UpdateItem, or a
TransactWriteItems when a message is written with it, conditioned on the statuses the status
machine allows (and on the account, for customers, and on the version, when the caller sent one).
Conditional-write failures come back as the store's exceptions (store.protocols).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.attributes import DEFAULT_PRIORITY
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.models import (
    ClosedReason,
    Message,
    Rating,
    Role,
    SuppressedMail,
    Ticket,
    TicketFilters,
    TicketPage,
    TicketThread,
)
from helpdesk.domain.sla import AlertStage, ResponseClock, ResponseClockEffect, SlaTarget
from helpdesk.domain.status_machine import Status, Timer
from helpdesk.store import keys, listings, merges, queue, ratings, reminders, sla
from helpdesk.store.codec import (
    answer_of,
    dump_item,
    load_item,
    message_from_item,
    message_item,
    ticket_from_item,
    ticket_item,
    ticket_snapshot,
)
from helpdesk.store.history import ATTRIBUTE as HISTORY
from helpdesk.store.history import append_entries, entry_item
from helpdesk.store.markers import marker_put
from helpdesk.store.protocols import (
    AlreadyProcessed,
    Assignment,
    ChangeRefused,
    DueReminder,
    DueTicket,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    MergeSide,
    Taking,
    TicketChange,
    TicketIdTaken,
)
from helpdesk.store.transactions import Transaction

_NEW = "attribute_not_exists(pk)"
# An empty list, present exactly while someone has the ticket: what an operator's reply reads to
# add its "took the ticket" entry only to an unassigned one (_taking_update).
ASSIGNEE_GUARD = "assignee_guard"
# Writes of a change again from the item a refusal handed back (DynamoTicketStore.apply): the
# legacy form, and once more if that item changed in between.
_WRITES_FROM_ITEM = 2


class DynamoTicketStore:
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
        transaction = Transaction()
        # The channel it came by is written for the reports (opened, by channel).
        item = {**ticket_item(ticket, words), "channel": first_message.channel.value}
        transaction.add("ticket", self._put(item))
        transaction.add("first_message", self._put(message_item(first_message)))
        if idempotency is not None:
            record = {
                **keys.idempotency_key(idempotency.account_id, idempotency.key),
                "entity": "idempotency",
                "request_hash": idempotency.request_hash,
                "ticket": ticket_snapshot(idempotency.ticket),
                "expires_at": idempotency.expires_at,
            }
            # A retry learns what the first request created from this same call.
            transaction.add("idempotency", self._put(record, ReturnValuesOnConditionCheckFailure="ALL_OLD"))
        for marker in markers:
            transaction.add(
                f"marker:{marker}", {"Put": marker_put(self._table, marker, now or ticket.created_at)}
            )
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            failed = transaction.failed_conditions(error)
            if any(name.startswith("marker:") for name in failed):
                raise AlreadyProcessed from error
            if idempotency is not None and "idempotency" in failed:
                stored = failed["idempotency"].get("Item")
                raise IdempotencyKeyTaken(self._idempotency(idempotency, stored)) from error
            if "ticket" in failed:
                raise TicketIdTaken from error
            raise

    def idempotency_record(self, account_id: str, key: str) -> IdempotencyRecord | None:
        response = self._client.get_item(
            TableName=self._table, Key=dump_item(keys.idempotency_key(account_id, key)), ConsistentRead=True
        )
        if "Item" not in response:
            return None
        return self._idempotency_from(account_id, key, load_item(response["Item"]))

    def _idempotency(self, asked: IdempotencyRecord, raw: dict[str, Any] | None) -> IdempotencyRecord | None:
        return self._idempotency_from(asked.account_id, asked.key, load_item(raw)) if raw else None

    @staticmethod
    def _idempotency_from(account_id: str, key: str, item: dict[str, Any]) -> IdempotencyRecord:
        return IdempotencyRecord(
            account_id=account_id,
            key=key,
            request_hash=item["request_hash"],
            ticket=ticket_from_item(item["ticket"]),
            expires_at=int(item["expires_at"]),
        )

    # ---------------------------------------------------------------- read
    def ticket(self, ticket_id: str) -> Ticket | None:
        """The ticket item alone: one GetItem."""
        response = self._client.get_item(
            TableName=self._table, Key=dump_item(keys.ticket_key(ticket_id)), ConsistentRead=True
        )
        return ticket_from_item(load_item(response["Item"])) if "Item" in response else None

    def ticket_unless_marked(self, ticket_id: str, marker: str) -> tuple[bool, Ticket | None]:
        """Whether `marker` exists, and the ticket item: one consistent BatchGetItem of both keys
        (again only for what DynamoDB left unprocessed)."""
        ticket_key, marker_key = keys.ticket_key(ticket_id), keys.marker_key(marker)
        request: dict[str, Any] = {
            self._table: {"Keys": [dump_item(ticket_key), dump_item(marker_key)], "ConsistentRead": True}
        }
        marked, ticket = False, None
        while request:
            response = self._client.batch_get_item(RequestItems=request)
            for raw in response["Responses"].get(self._table, []):
                item = load_item(raw)
                if item["pk"] == marker_key["pk"]:
                    marked = True
                else:
                    ticket = ticket_from_item(item)
            request = response.get("UnprocessedKeys") or {}
        return marked, ticket

    def thread(self, ticket_id: str) -> TicketThread | None:
        """The ticket and all its messages, oldest first: one Query (more only past 1 MB)."""
        messages: list[Message] = []
        rated: list[Rating] = []
        suppressed: list[SuppressedMail] = []
        ticket: Ticket | None = None
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": dump_item({":pk": keys.ticket_pk(ticket_id)}),
            "ConsistentRead": True,
        }
        while True:
            response = self._client.query(**kwargs)
            for raw in response["Items"]:
                item = load_item(raw)
                if item["sk"] == keys.TICKET_SK:
                    ticket = ticket_from_item(item)
                elif ratings.is_rating(item):
                    rated.append(ratings.rating_from_item(item))
                elif item.get("entity") == "suppressed_mail":
                    suppressed.append(SuppressedMail(from_iso(item["at"]), item["kind"], item["reason"]))
                else:
                    messages.append(message_from_item(item))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if ticket is None:
            return None
        for merged in ticket.merged_from:  # their messages are part of this thread now
            messages.extend(self._messages_of(merged))
        if ticket.merged_from:
            messages.sort(key=lambda m: (m.created_at, m.id))
        return TicketThread(ticket, messages, ratings=tuple(rated), suppressed_mail=suppressed)

    def _messages_of(self, ticket_id: str) -> list[Message]:
        """The messages of a ticket merged into another (one Query; more only past 1 MB)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :messages)",
            "ExpressionAttributeValues": dump_item({":pk": keys.ticket_pk(ticket_id), ":messages": "MSG#"}),
            "ConsistentRead": True,
        }
        found: list[Message] = []
        while True:
            response = self._client.query(**kwargs)
            found += [message_from_item(load_item(raw)) for raw in response["Items"]]
            if "LastEvaluatedKey" not in response:
                return found
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def record_suppressed(self, ticket_id: str, event_id: str, mail: SuppressedMail) -> None:
        """Keep a mail not sent on the ticket: one conditional Put (a redelivered stream record
        finds it there and writes nothing)."""
        item = {
            "pk": keys.ticket_pk(ticket_id),
            "sk": keys.suppressed_sk(mail.at, event_id),
            "entity": "suppressed_mail",
            "at": to_iso(mail.at),
            "kind": mail.kind,
            "reason": mail.reason,
        }
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.put_item(**self._put(item)["Put"])  # refused: already recorded

    # ---------------------------------------------------------------- merge
    def merge_pair(self, source_id: str, target_id: str) -> tuple[MergeSide | None, MergeSide | None]:
        return merges.read_pair(self._client, self._table, source_id, target_id)

    def merge(
        self,
        source: MergeSide,
        target: MergeSide,
        *,
        now: datetime,
        source_entry: HistoryEntry,
        target_entry: HistoryEntry,
    ) -> Ticket:
        return merges.merge(
            self._client,
            self._table,
            source,
            target,
            now=now,
            source_entry=source_entry,
            target_entry=target_entry,
        )

    def list_tickets(
        self, filters: TicketFilters, *, account_id: str | None, limit: int, cursor: str | None
    ) -> TicketPage:
        return listings.list_tickets(
            self._client, self._table, filters, account_id=account_id, limit=limit, cursor=cursor
        )

    def queue_page(self, filters: TicketFilters, *, limit: int, cursor: str | None) -> TicketPage:
        return listings.queue_page(self._client, self._table, filters, limit=limit, cursor=cursor)

    def due_tickets(self, now: datetime) -> Iterator[tuple[list[DueTicket], int]]:
        return listings.due_tickets(self._client, self._table, now)

    # ---------------------------------------------------------------- auto-close reminders
    def reminders_due(self, now: datetime) -> Iterator[tuple[list[DueReminder], int]]:
        return reminders.due(self._client, self._table, now)

    def record_reminder(
        self, reminder: DueReminder, now: datetime, entries: tuple[HistoryEntry, ...] = ()
    ) -> None:
        reminders.record(self._client, self._table, reminder, now, entries)

    # ---------------------------------------------------------------- SLA
    def clocks_started_by(
        self, department: str, target: SlaTarget, stage: AlertStage, moment: datetime
    ) -> Iterator[tuple[list[Ticket], int]]:
        return sla.started_by(self._client, self._table, department, target, stage, moment)

    def priority_clocks_started_by(
        self, priority: str, target: SlaTarget, stage: AlertStage, moment: datetime
    ) -> Iterator[tuple[list[Ticket], int]]:
        return sla.priority_started_by(self._client, self._table, priority, target, stage, moment)

    def running_clocks(self, department: str) -> Iterator[tuple[list[Ticket], int]]:
        return sla.running(self._client, self._table, department)

    def record_alert(
        self,
        ticket_id: str,
        *,
        found: ResponseClock,
        alerted: ResponseClock,
        entry: HistoryEntry,
        marker: str,
        now: datetime,
    ) -> None:
        sla.record_alert(
            self._client,
            self._table,
            ticket_id,
            found=found,
            alerted=alerted,
            entry=entry,
            marker=marker,
            now=now,
        )

    # ---------------------------------------------------------------- change
    def apply(self, ticket_id: str, change: TicketChange) -> Ticket | None:
        """Apply one conditional change in one request. Returns the updated ticket when no message
        is written (UpdateItem); None when a message is (TransactWriteItems). Raises ChangeRefused
        when a guard fails.

        Two kinds of ticket item stored before an attribute existed refuse a change that needs
        it; the refusal hands back the item, and the change is written once more from it, guarded
        by its version: two requests, once in such a ticket's life.
        - Without the queue's parts (store.queue), a change of its place in the queue: written
          with every part computed from the item (`scripts/backfill_queue.py` gives the parts to
          those nobody changes).
        - Assigned before the assignee guard (an assignee, no ASSIGNEE_GUARD), an operator's reply
          that may take it: such an item would read as unassigned (_taking_update), so the reply
          is written as the plain reply it is (the ticket is someone's), setting the guard.
        If the item changed in between (someone assigned it, a backfill gave it its parts), that
        write is refused too and the change is written once more from the item it handed back."""
        legacy: dict[str, Any] | None = None
        for _ in range(_WRITES_FROM_ITEM):
            try:
                return self._apply(ticket_id, change, legacy)
            except _WriteFromItem as refused:
                legacy = refused.item if _needs_item(change, refused.item) else None
        try:
            return self._apply(ticket_id, change, legacy)
        except _WriteFromItem as refused:
            raise ChangeRefused(ticket_from_item(refused.item)) from refused

    def _apply(self, ticket_id: str, change: TicketChange, legacy: dict[str, Any] | None) -> Ticket | None:
        update = self._update_request(ticket_id, change, legacy)
        if change.message is None:
            try:
                response = self._client.update_item(**update, ReturnValues="ALL_NEW")
            except self._client.exceptions.ConditionalCheckFailedException as error:
                raise self._refusal(change, legacy, error.response.get("Item")) from error
            return ticket_from_item(load_item(response["Attributes"]))
        transaction = Transaction()
        transaction.add("ticket", {"Update": update})
        transaction.add("message", self._put(message_item(change.message)))
        for marker in change.markers:
            transaction.add(f"marker:{marker}", {"Put": marker_put(self._table, marker, change.now)})
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            failed = transaction.failed_conditions(error)
            if any(name.startswith("marker:") for name in failed):
                raise AlreadyProcessed from error
            if "ticket" in failed:
                raise self._refusal(change, legacy, failed["ticket"].get("Item")) from error
            raise
        return None

    def _refusal(
        self, change: TicketChange, legacy: dict[str, Any] | None, raw: dict[str, Any] | None
    ) -> Exception:
        """Why the guarded write was refused: an item stored before an attribute the change needs,
        or one that changed since it was read for the second write (write it again from the item),
        or ChangeRefused with the ticket as it is."""
        if raw:
            item = load_item(raw)
            if legacy is None and _needs_item(change, item):
                return _WriteFromItem(item)
            if legacy is not None and item != legacy:
                return _WriteFromItem(item)
        return ChangeRefused(self._current_from(raw))

    def _update_request(
        self, ticket_id: str, change: TicketChange, legacy: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        names = {"#status": "status", "#version": "version"}
        values: dict[str, Any] = {
            ":now": to_iso(change.now),
            ":activity": keys.activity_sk(change.now, ticket_id),
            ":one": 1,
        }
        sets = ["updated_at = :now", "activity_sk = :activity", "#version = #version + :one"]
        removes: list[str] = []
        if change.to is not None:
            sets += ["#status = :to", "status_pk = :to_pk"]
            values[":to"] = change.to.value
            values[":to_pk"] = keys.status_pk(change.to.value)
            if change.to is Status.CLOSED:
                sets += ["closed_at = :now", "closed_reason = :reason"]
                values[":reason"] = (change.closed_reason or ClosedReason.OPERATOR).value
            else:
                removes += ["closed_at", "closed_reason"]
        if change.timer is Timer.START:
            assert change.auto_close_at is not None
            sets += ["auto_close_at = :due_at", "due_pk = :due"]
            values[":due_at"] = to_iso(change.auto_close_at)
            values[":due"] = keys.DUE
            removes += reminders.restart(sets, values, change.remind_at)
        elif change.timer is Timer.CLEAR:
            removes += ["auto_close_at", "due_pk", *reminders.CLEARED]
        _response_clock_updates(change, sets, values, removes)
        _assignee_updates(change, legacy, sets, removes, values)
        append_entries(sets, values, change.entries)
        message = change.message
        if message is not None and message.author_role is Role.OPERATOR and not message.internal:
            # The answer a search shows for a closed ticket, kept by the reply's own write.
            sets.append("answer = :answer")
            values[":answer"] = answer_of(message)
        _attribute_updates(change, sets, removes, names, values)
        moves = _queue_clauses(ticket_id, change, legacy, sets, removes, values)
        expression = "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        if change.words:
            expression += " ADD search_words :words"
            values[":words"] = set(change.words)
        return {
            "TableName": self._table,
            "Key": dump_item(keys.ticket_key(ticket_id)),
            "UpdateExpression": expression,
            "ConditionExpression": self._guards(change, values, moves, legacy),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dump_item(values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    @staticmethod
    def _guards(
        change: TicketChange,
        values: dict[str, Any],
        moves: queue.QueueChange | None = None,
        legacy: dict[str, Any] | None = None,
    ) -> str:
        """The change's condition: the ticket exists in an allowed status (and the other guards);
        a change of its queue place, that it has the queue's parts; a reply that may take the
        ticket, that its assignee guard says whether someone has it (or, written from the item as
        read, that the item is still that one)."""
        placeholders = []
        for n, status in enumerate(sorted(s.value for s in change.allowed_from)):
            placeholders.append(f":from{n}")
            values[f":from{n}"] = status
        # A merged ticket changes no more: its replies go to the ticket it was merged into.
        conditions = [
            "attribute_exists(pk)",
            f"#status IN ({', '.join(placeholders)})",
            "attribute_not_exists(merged_into)",
        ]
        if change.account_id is not None:
            conditions.append("account_id = :account")
            values[":account"] = change.account_id
        if change.expected_version is not None:
            conditions.append("#version = :expected_version")
            values[":expected_version"] = change.expected_version
        if change.expected_auto_close_at is not None:
            conditions.append("auto_close_at = :expected_due_at")
            values[":expected_due_at"] = to_iso(change.expected_auto_close_at)
        if change.expected_response_clock is not None:
            conditions.append("sla_clock = :expected_sla_clock")
            values[":expected_sla_clock"] = keys.sla_clock_sk(change.expected_response_clock)
        if legacy is not None:
            conditions.append("#version = :seen_version")
            values[":seen_version"] = int(legacy["version"])
            if queue.RANK not in legacy:
                conditions.append(f"attribute_not_exists({queue.RANK})")
        elif moves is not None and not moves.empty:
            conditions.append(f"attribute_exists({queue.RANK})")
        if change.taking is not None and not (legacy is not None and _assigned_without_guard(legacy)):
            conditions.append(f"(attribute_exists({ASSIGNEE_GUARD}) OR attribute_not_exists(assignee))")
        return " AND ".join(conditions)

    def _put(self, item: dict[str, Any], **options: str) -> dict[str, Any]:
        return {
            "Put": {"TableName": self._table, "Item": dump_item(item), "ConditionExpression": _NEW, **options}
        }

    @staticmethod
    def _current_from(raw: dict[str, Any] | None) -> Ticket | None:
        return ticket_from_item(load_item(raw)) if raw else None


def _response_clock_updates(
    change: TicketChange, sets: list[str], values: dict[str, Any], removes: list[str]
) -> None:
    """The SLA response clock's part of a ticket change's UpdateItem."""
    if change.set_response_clock is not None:
        sets.append("sla_clock = :sla_clock")
        values[":sla_clock"] = keys.sla_clock_sk(change.set_response_clock)
    elif change.response_clock is ResponseClockEffect.START_NEXT:
        # A clock already running (the oldest unanswered message) keeps its start.
        sets.append("sla_clock = if_not_exists(sla_clock, :sla_clock)")
        values[":sla_clock"] = keys.sla_clock_sk(ResponseClock(SlaTarget.NEXT_RESPONSE, change.now))
    elif change.response_clock is ResponseClockEffect.STOP:
        removes.append("sla_clock")
    if change.first_response:
        # Kept once, by the first public reply's own write: the reports' first-response time.
        sets.append("first_response_at = if_not_exists(first_response_at, :now)")


def _assignee_updates(
    change: TicketChange,
    legacy: dict[str, Any] | None,
    sets: list[str],
    removes: list[str],
    values: dict[str, Any],
) -> None:
    """The change's assignee clauses: an assignment, a reply taking the ticket if nobody has it,
    or (a reply to a ticket assigned before the guard, `legacy`) only the guard and name it lacked."""
    if change.assignment is not None:
        _assignment_update(change.assignment, sets, removes, values)
    if change.taking is None:
        return
    assert change.assignment is None
    assert not change.entries
    if legacy is not None and _assigned_without_guard(legacy):
        # The name too (the only one known is the assignee as stored), so that no later reply's
        # if_not_exists writes the replier's name beside someone else's ticket.
        sets += [f"{ASSIGNEE_GUARD} = :no_taking", "assignee_name = if_not_exists(assignee_name, assignee)"]
        values[":no_taking"] = []
    else:
        _taking_update(change.taking, sets, values)


def _needs_item(change: TicketChange, item: dict[str, Any]) -> bool:
    """Whether the change must be written from the item as read: it lacks what the change's
    arithmetic or the reply's taking needs (apply)."""
    if change.taking is not None and _assigned_without_guard(item):
        return True
    return queue.RANK not in item and not queue_change(change).empty


def _assigned_without_guard(raw: dict[str, Any]) -> bool:
    """An item (as stored or as read: the attribute names are the same) with an assignee but no
    ASSIGNEE_GUARD: assigned before the guard existed."""
    return "assignee" in raw and ASSIGNEE_GUARD not in raw


class _WriteFromItem(Exception):
    """A guarded write was refused in a way the item it handed back can fix: write it again from
    that item (DynamoTicketStore.apply)."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__("write the change again from the item as read")
        self.item = item


def _assignment_update(
    assignment: Assignment, sets: list[str], removes: list[str], values: dict[str, Any]
) -> None:
    """The assignee (and its index key and name) set, or removed, with who decided it and when
    (the stream tells the new assignee who handed it over)."""
    if assignment.assignee is None:
        removes += ["assignee", "assignee_pk", "assignee_name", ASSIGNEE_GUARD]
    else:
        sets += [
            "assignee = :assignee",
            "assignee_pk = :assignee_pk",
            "assignee_name = :assignee_name",
            f"{ASSIGNEE_GUARD} = :no_taking",
        ]
        values[":no_taking"] = []
        values[":assignee"] = assignment.assignee
        values[":assignee_pk"] = keys.assignee_pk(assignment.assignee)
        values[":assignee_name"] = assignment.name or assignment.assignee
    sets += ["assigned_by = :assigned_by", "assigned_at = :now"]
    values[":assigned_by"] = assignment.by


def _taking_update(taking: Taking, sets: list[str], values: dict[str, Any]) -> None:
    """An operator's reply takes the ticket only if nobody has it, decided inside its own write:
    each assignee attribute is set with if_not_exists, and the entry that says they took it is
    appended from if_not_exists(ASSIGNEE_GUARD, [entry]): the guard is an empty list present
    exactly while someone has the ticket, so an assigned ticket appends nothing. The explicit
    assignment's assigned_by/assigned_at are left alone (the stream decoder reads a change of
    assignee without them as taken by the assignee)."""
    assignee = taking.assignment.assignee
    assert assignee is not None
    sets += [
        "assignee = if_not_exists(assignee, :assignee)",
        "assignee_pk = if_not_exists(assignee_pk, :assignee_pk)",
        "assignee_name = if_not_exists(assignee_name, :assignee_name)",
        f"{ASSIGNEE_GUARD} = if_not_exists({ASSIGNEE_GUARD}, :no_taking)",
        f"{HISTORY} = list_append(if_not_exists({HISTORY}, :no_taking), "
        f"if_not_exists({ASSIGNEE_GUARD}, :taking))",
    ]
    values[":assignee"] = assignee
    values[":assignee_pk"] = keys.assignee_pk(assignee)
    values[":assignee_name"] = taking.assignment.name or assignee
    values[":no_taking"] = []
    values[":taking"] = [entry_item(taking.entry)]


def _queue_clauses(
    ticket_id: str,
    change: TicketChange,
    legacy: dict[str, Any] | None,
    sets: list[str],
    removes: list[str],
    values: dict[str, Any],
) -> queue.QueueChange:
    """The change's queue clauses: arithmetic on the stored parts, or (an item without them, as
    read: `legacy`) every part written whole from it."""
    moves = queue_change(change)
    if legacy is None or queue.RANK in legacy:
        queue_sets, queue_removes, queue_values = queue.queue_updates(ticket_id, moves, change.now)
    else:
        queue_sets, queue_removes, queue_values = queue.whole_updates(
            ticket_id, queue.parts_after(legacy, moves, change.now)
        )
    sets += queue_sets
    removes += queue_removes
    values.update(queue_values)
    return moves


def _attribute_updates(
    change: TicketChange,
    sets: list[str],
    removes: list[str],
    names: dict[str, str],
    values: dict[str, Any],
) -> None:
    """What operators set on a ticket (PATCH): its priority, its tags. A priority other than the
    default also puts the ticket's running clock in the sla_by_priority index (store.sla)."""
    if change.priority is not None:
        sets.append("#priority = :priority")
        names["#priority"] = "priority"
        values[":priority"] = change.priority.value
        if change.priority is DEFAULT_PRIORITY:
            removes.append("sla_priority_pk")
        else:
            sets.append("sla_priority_pk = :sla_priority_pk")
            values[":sla_priority_pk"] = keys.sla_priority_pk(change.priority.value)
    if change.tags is not None:
        sets.append("#tags = :tags")
        names["#tags"] = "tags"
        values[":tags"] = list(change.tags)


def queue_change(change: TicketChange) -> queue.QueueChange:
    """What a ticket change does to its place in the queue. Every write of the assignee, the
    priority or the response clock goes through here, so the queue's sort key stays right."""
    waiting = {
        ResponseClockEffect.START_NEXT: queue.Waiting.START,
        ResponseClockEffect.STOP: queue.Waiting.STOP,
        ResponseClockEffect.KEEP: None,
    }[change.response_clock]
    if change.assignment is not None:
        assigned: bool | None = change.assignment.assignee is not None
    elif change.taking is not None:
        # A reply that may take the ticket leaves it someone's either way: the replier's, or
        # whoever had it (a constant, so the write needs no condition on who that was).
        assigned = True
    else:
        assigned = None
    return queue.QueueChange(assigned=assigned, priority=change.priority, waiting=waiting)
