"""The table's change stream -> domain events. Only this module reads stream images: a new ticket
item is TicketOpened; a new message item is MessageAdded; a ticket item that got `merged_into` is
TicketMerged (and only that: the merge closes it, but it is no TicketClosed); one whose status
became CLOSED otherwise is TicketClosed, one that left CLOSED is TicketReopened; a WAITING ticket
item that gained `reminded_at` is AutoCloseReminded; one whose assignee changed is TicketAssigned;
one whose history gained an SLA alert (the escalation's write) is SlaAlerted; every other change
(index keys, markers, accounts) is no event at all. The reports read every ticket write, as its
facts before and after (ticket_change_of), and every rating write (rating_change_of). For the word
index, a ticket item whose `search_words` grew is SearchWordsAdded (words_added_of)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helpdesk.clock import from_iso
from helpdesk.domain.events import (
    AutoCloseReminded,
    DomainEvent,
    MessageAdded,
    SearchWordsAdded,
    SlaAlerted,
    TicketAssigned,
    TicketClosed,
    TicketMerged,
    TicketOpened,
    TicketReopened,
)
from helpdesk.domain.history import EntryCode
from helpdesk.domain.models import Channel, ClosedReason, Role
from helpdesk.domain.reports import RatingChanged, RatingFacts, TicketChanged, TicketFacts
from helpdesk.domain.sla import DEFAULT_PRIORITY
from helpdesk.domain.status_machine import Status
from helpdesk.store import keys
from helpdesk.store.codec import load_item
from helpdesk.store.history import ATTRIBUTE as HISTORY
from helpdesk.store.history import entries_from

_ALERT_CODES = frozenset({EntryCode.SLA_WARNING.value, EntryCode.SLA_BREACHED.value})

_CLOSED = Status.CLOSED.value


def event_of(record: dict[str, Any], default_time: datetime) -> DomainEvent | None:
    """The domain event a stream record (DynamoDB Streams' shape) carries, if any (the first, for a
    record that carries several)."""
    found = events_of(record, default_time)
    return found[0] if found else None


def events_of(record: dict[str, Any], default_time: datetime) -> list[DomainEvent]:
    """Every domain event a stream record carries (one write may change several things)."""
    images = record.get("dynamodb", {})
    written = images.get("ApproximateCreationDateTime")
    event_id = str(record.get("eventID", ""))
    at = datetime.fromtimestamp(float(written), UTC) if written else default_time
    new = load_item(images.get("NewImage", {}))
    name = record.get("eventName")
    if name == "INSERT" and new.get("entity") == "message":
        return [
            MessageAdded(
                event_id=event_id,
                at=at,
                ticket_id=str(new["ticket_id"]),
                message_id=str(new["id"]),
                author_role=Role(new["author_role"]),
                internal=bool(new.get("internal")),
            )
        ]
    if name == "INSERT" and new.get("entity") == "ticket":
        return [TicketOpened(event_id=event_id, at=at, ticket_id=str(new["id"]))]
    if name != "MODIFY" or new.get("entity") != "ticket":
        return []
    old = load_item(images.get("OldImage", {}))
    if new.get("merged_into") and not old.get("merged_into"):
        into = str(new["merged_into"])
        return [TicketMerged(event_id=event_id, at=at, ticket_id=str(new["id"]), into=into)]
    events: list[DomainEvent] = []
    if new.get("status") == _CLOSED and old.get("status") != _CLOSED and new.get("closed_reason"):
        events.append(
            TicketClosed(
                event_id=event_id, at=at, ticket_id=str(new["id"]), reason=ClosedReason(new["closed_reason"])
            )
        )
    reminded = new.get("reminded_at") and not old.get("reminded_at")
    if reminded and new.get("status") == Status.WAITING.value and new.get("auto_close_at"):
        events.append(
            AutoCloseReminded(
                event_id=event_id, at=at, ticket_id=str(new["id"]), closes_at=from_iso(new["auto_close_at"])
            )
        )
    if new.get("assignee") != old.get("assignee"):
        events.append(_assigned(event_id, at, new))
    elif alerted := _alerted(event_id, at, new, old):
        events.append(alerted)
    # Last: a reopening is published to integrations; notify (event_of, the first) has no mail for it.
    if old.get("status") == _CLOSED and new.get("status") not in (None, _CLOSED):
        events.append(TicketReopened(event_id=event_id, at=at, ticket_id=str(new["id"])))
    return events


def ticket_change_of(record: dict[str, Any]) -> TicketChanged | None:
    """A ticket item's creation or update as the reports read it: the facts of both images."""
    images = record.get("dynamodb", {})
    new = load_item(images.get("NewImage", {}))
    if record.get("eventName") not in ("INSERT", "MODIFY") or new.get("entity") != "ticket":
        return None
    old = load_item(images.get("OldImage", {})) if record.get("eventName") == "MODIFY" else {}
    return TicketChanged(
        event_id=str(record.get("eventID", "")),
        before=_facts(old) if old.get("entity") == "ticket" else None,
        after=_facts(new),
    )


def _facts(item: dict[str, Any]) -> TicketFacts:
    return TicketFacts(
        id=str(item["id"]),
        status=Status(item["status"]),
        department=str(item["department"]),
        # Tickets written before the item carried its channel were opened on the web or by mail;
        # the web is the likelier one.
        channel=str(item.get("channel") or Channel.WEB.value),
        created_at=from_iso(item["created_at"]),
        updated_at=from_iso(item["updated_at"]),
        assignee=item.get("assignee") or None,
        priority=str(item.get("priority") or DEFAULT_PRIORITY),
        closed_reason=ClosedReason(item["closed_reason"]) if item.get("closed_reason") else None,
        first_response_at=from_iso(item["first_response_at"]) if item.get("first_response_at") else None,
        response_clock=keys.response_clock_of(item["sla_clock"]) if item.get("sla_clock") else None,
    )


def rating_change_of(record: dict[str, Any]) -> RatingChanged | None:
    """A rating item's creation or change as the reports read it (None for anything else)."""
    images = record.get("dynamodb", {})
    new = load_item(images.get("NewImage", {}))
    if record.get("eventName") not in ("INSERT", "MODIFY") or new.get("entity") != "rating":
        return None
    old = load_item(images.get("OldImage", {})) if record.get("eventName") == "MODIFY" else {}
    return RatingChanged(
        event_id=str(record.get("eventID", "")),
        before=_rating_facts(old) if old.get("entity") == "rating" else None,
        after=_rating_facts(new),
    )


def _rating_facts(item: dict[str, Any]) -> RatingFacts:
    return RatingFacts(
        ticket_id=str(item["ticket_id"]),
        closed_at=from_iso(item["closed_at"]),
        department=str(item.get("department") or ""),
        assignee=item.get("assignee") or None,
        value=str(item["rating"]),
        rated_at=from_iso(item["rated_at"]),
    )


def words_added_of(record: dict[str, Any]) -> SearchWordsAdded | None:
    """The words a ticket item's INSERT or MODIFY added to its `search_words`, if any."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    images = record.get("dynamodb", {})
    new = load_item(images.get("NewImage", {}))
    if new.get("entity") != "ticket":
        return None
    known = frozenset(load_item(images.get("OldImage", {})).get("search_words") or ())
    added = frozenset(new.get("search_words") or ()) - known
    if not added:
        return None
    return SearchWordsAdded(
        event_id=str(record.get("eventID", "")),
        ticket_id=str(new["id"]),
        account_id=str(new["account_id"]),
        created_at=from_iso(new["created_at"]),
        words=added,
        known=known,
    )


def _alerted(event_id: str, at: datetime, new: dict[str, Any], old: dict[str, Any]) -> SlaAlerted | None:
    """The SLA alert entry this write appended to the history, if it appended one."""
    before = old.get(HISTORY) or []
    after = new.get(HISTORY) or []
    if not isinstance(before, list) or not isinstance(after, list) or len(after) <= len(before):
        return None
    added = [e for e in entries_from(after[len(before) :]) if e.code in _ALERT_CODES]
    if not added:
        return None
    return SlaAlerted(event_id=event_id, at=at, ticket_id=str(new["id"]), entry=added[-1])


def _assigned(event_id: str, at: datetime, new: dict[str, Any]) -> TicketAssigned:
    """Who decided: an explicit assignment records itself (assigned_at is this very write's
    time); otherwise the ticket was taken by its assignee's reply."""
    explicit = new.get("assigned_at") is not None and new.get("assigned_at") == new.get("updated_at")
    assignee = str(new["assignee"]) if new.get("assignee") else None
    by = new.get("assigned_by") if explicit else assignee
    return TicketAssigned(
        event_id=event_id, at=at, ticket_id=str(new["id"]), assignee=assignee, by=str(by) if by else None
    )
