"""Items <-> domain objects: DynamoDB's attribute values, and how tickets and messages are stored.
Attribute names live here and in the modules that build expressions, nowhere above the store."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.attributes import DEFAULT_PRIORITY, Priority
from helpdesk.domain.models import (
    AttachmentRef,
    Channel,
    ClosedReason,
    EmailOrigin,
    Message,
    Resolution,
    Role,
    Ticket,
)
from helpdesk.domain.status_machine import Status
from helpdesk.store import keys, queue
from helpdesk.store.history import entries_from, entry_item

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def dump_item(item: dict[str, Any]) -> dict[str, Any]:
    """Plain values -> attribute values; None values are left out."""
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def load_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def ticket_item(ticket: Ticket, words: frozenset[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        **keys.ticket_key(ticket.id),
        "entity": "ticket",
        **ticket_snapshot(ticket),
        # index keys
        "account_pk": keys.account_pk(ticket.account_id),
        "status_pk": keys.status_pk(ticket.status.value),
        "assignee_pk": keys.assignee_pk(ticket.assignee) if ticket.assignee else None,
        "all_pk": keys.ALL_TICKETS,
        "activity_sk": keys.activity_sk(ticket.updated_at, ticket.id),
        "due_pk": keys.DUE if ticket.status is Status.WAITING and ticket.auto_close_at else None,
        "remind_pk": keys.REMIND if ticket.status is Status.WAITING and ticket.remind_at else None,
        "sla_pk": keys.sla_pk(ticket.department),
        "sla_clock": keys.sla_clock_sk(ticket.response_clock) if ticket.response_clock else None,
        **queue.item_attributes(
            ticket.id,
            assigned=ticket.assignee is not None,
            priority=ticket.priority,
            waiting_since=ticket.response_clock.since if ticket.response_clock else None,
        ),
    }
    if words:
        item["search_words"] = set(words)
    if ticket.history:
        item["history"] = [entry_item(e) for e in ticket.history]
    return item


def ticket_snapshot(ticket: Ticket) -> dict[str, Any]:
    """The ticket's own fields (no index keys), as stored; None values are left out."""
    return {
        "id": ticket.id,
        "status": ticket.status.value,
        "department": ticket.department,
        "subject": ticket.subject,
        "account_id": ticket.account_id,
        "assignee": ticket.assignee,
        "assignee_name": ticket.assignee_name,
        "created_at": to_iso(ticket.created_at),
        "updated_at": to_iso(ticket.updated_at),
        "auto_close_at": to_iso(ticket.auto_close_at) if ticket.auto_close_at else None,
        "remind_at": to_iso(ticket.remind_at) if ticket.remind_at else None,
        "closed_at": to_iso(ticket.closed_at) if ticket.closed_at else None,
        "closed_reason": ticket.closed_reason.value if ticket.closed_reason else None,
        "merged_into": ticket.merged_into,
        "version": ticket.version,
        "priority": ticket.priority.value,
        "tags": list(ticket.tags),
    }


def ticket_from_item(item: dict[str, Any]) -> Ticket:
    return Ticket(
        id=item["id"],
        status=Status(item["status"]),
        department=item["department"],
        subject=item["subject"],
        account_id=item["account_id"],
        assignee=item.get("assignee"),
        assignee_name=_assignee_name(item),
        created_at=from_iso(item["created_at"]),
        updated_at=from_iso(item["updated_at"]),
        auto_close_at=from_iso(item["auto_close_at"]) if item.get("auto_close_at") else None,
        remind_at=from_iso(item["remind_at"]) if item.get("remind_at") else None,
        closed_at=from_iso(item["closed_at"]) if item.get("closed_at") else None,
        closed_reason=ClosedReason(item["closed_reason"]) if item.get("closed_reason") else None,
        version=int(item["version"]),
        response_clock=keys.response_clock_of(item["sla_clock"]) if item.get("sla_clock") else None,
        history=entries_from(item.get("history")),
        merged_into=item.get("merged_into"),
        merged_from=tuple(sorted(item.get("merged_from") or ())),
        # Tickets written before priorities and tags existed have neither: normal, untagged.
        priority=Priority(item.get("priority") or DEFAULT_PRIORITY),
        tags=tuple(item.get("tags") or ()),
    )


# The stored answer is what a snippet can be cut from: enough around any match, not the whole text.
ANSWER_CHARS = 2_000


def answer_of(message: Message) -> dict[str, Any]:
    """The last public operator reply as the ticket item keeps it (`answer`)."""
    return {"id": message.id, "body": message.body[:ANSWER_CHARS], "at": to_iso(message.created_at)}


def resolution_from(item: dict[str, Any]) -> Resolution | None:
    answer = item.get("answer")
    if not isinstance(answer, dict):
        return None
    return Resolution(str(answer["id"]), str(answer["body"]), from_iso(str(answer["at"])))


def _assignee_name(item: dict[str, Any]) -> str | None:
    """The stored name of the assignee. Tickets assigned before operators had ids hold the
    operator's e-mail address as the assignee and no name (or, after a reply, that address as
    the name: store.tickets): such a ticket has no name to show."""
    assignee = item.get("assignee")
    if assignee is None or "@" in str(assignee):
        return None
    return item.get("assignee_name")


def message_item(message: Message) -> dict[str, Any]:
    return {
        "pk": keys.ticket_pk(message.ticket_id),
        "sk": keys.message_sk(message.created_at, message.id),
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
        "author_id": message.author_id,
        "author_email": message.author_email,
        "opened_by": message.opened_by,
        "opened_by_id": message.opened_by_id,
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": a.size, "key": a.key}
            for a in message.attachments
        ]
        or None,
    }


def message_from_item(item: dict[str, Any]) -> Message:
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
            EmailOrigin(item["email_from"], item.get("email_message_id")) if item.get("email_from") else None
        ),
        attachments=tuple(
            AttachmentRef(a["name"], a["content_type"], int(a["size"]), a["key"])
            for a in item.get("attachments") or ()
        ),
        author_id=item.get("author_id"),
        author_email=item.get("author_email"),
        opened_by=item.get("opened_by"),
        opened_by_id=item.get("opened_by_id"),
    )
