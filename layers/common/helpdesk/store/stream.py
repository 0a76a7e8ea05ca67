"""The table's change stream -> domain events. Only this module reads stream images: a new
message item is MessageAdded; a ticket item that got `merged_into` is TicketMerged; one whose
status became CLOSED otherwise is TicketClosed; every other change (index keys, markers,
accounts) is no event at all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helpdesk.domain.events import DomainEvent, MessageAdded, TicketClosed, TicketMerged
from helpdesk.domain.models import ClosedReason, Role
from helpdesk.domain.status_machine import Status
from helpdesk.store.codec import load_item


def event_of(record: dict[str, Any], default_time: datetime) -> DomainEvent | None:
    """The domain event a stream record (DynamoDB Streams' shape) carries, if any."""
    images = record.get("dynamodb", {})
    written = images.get("ApproximateCreationDateTime")
    event_id = str(record.get("eventID", ""))
    at = datetime.fromtimestamp(float(written), UTC) if written else default_time
    new = load_item(images.get("NewImage", {}))
    name = record.get("eventName")
    if name == "INSERT" and new.get("entity") == "message":
        return MessageAdded(
            event_id=event_id,
            at=at,
            ticket_id=str(new["ticket_id"]),
            message_id=str(new["id"]),
            author_role=Role(new["author_role"]),
            internal=bool(new.get("internal")),
        )
    if name == "MODIFY" and new.get("entity") == "ticket":
        old = load_item(images.get("OldImage", {}))
        if new.get("merged_into") and not old.get("merged_into"):
            return TicketMerged(
                event_id=event_id, at=at, ticket_id=str(new["id"]), into=str(new["merged_into"])
            )
        closed = Status.CLOSED.value
        if new.get("status") == closed and old.get("status") != closed and new.get("closed_reason"):
            return TicketClosed(
                event_id=event_id, at=at, ticket_id=str(new["id"]), reason=ClosedReason(new["closed_reason"])
            )
    return None
