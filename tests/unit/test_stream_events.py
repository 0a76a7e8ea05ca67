"""Stream records -> domain events (helpdesk.store.stream), from the real record shape
(events/dynamodb_stream.json). Records that are no event: a status change other than a close,
a ticket that was closed already, markers and other items, REMOVE records, empty records. New
tickets are TicketOpened, tickets leaving CLOSED TicketReopened. And a rating item's write as the
reports read it (rating_change_of), its images made by the store's own codec."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from devstack.events import fixture
from helpdesk.domain.events import (
    MessageAdded,
    TicketAssigned,
    TicketClosed,
    TicketMerged,
    TicketOpened,
    TicketReopened,
)
from helpdesk.domain.models import ClosedReason, Rating, RatingValue, Role
from helpdesk.domain.reports import RatingFacts
from helpdesk.store.codec import dump_item
from helpdesk.store.ratings import rating_item
from helpdesk.store.stream import event_of, events_of, rating_change_of, ticket_change_of

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def records() -> list[dict]:
    return copy.deepcopy(fixture("dynamodb_stream.json")["Records"])


def test_a_new_message_item_is_message_added(records):
    insert = records[0]
    event = event_of(insert, NOW)
    assert isinstance(event, MessageAdded)
    image = insert["dynamodb"]["NewImage"]
    assert event.event_id == insert["eventID"]
    assert (event.ticket_id, event.message_id) == (image["ticket_id"]["S"], image["id"]["S"])
    assert (event.author_role, event.internal) == (Role.OPERATOR, False)
    assert event.at == datetime.fromtimestamp(insert["dynamodb"]["ApproximateCreationDateTime"], UTC)


def test_a_status_change_that_is_not_a_close_is_no_event(records):
    assert event_of(records[1], NOW) is None


def closing(record: dict, old_status: str, reason: str | None) -> dict:
    new = record["dynamodb"]["NewImage"]
    new["status"] = {"S": "CLOSED"}
    if reason:
        new["closed_reason"] = {"S": reason}
    record["dynamodb"]["OldImage"]["status"] = {"S": old_status}
    return record


@pytest.mark.parametrize("reason", list(ClosedReason))
def test_a_ticket_becoming_closed_is_ticket_closed_with_why(records, reason):
    event = event_of(closing(records[1], "WAITING", reason.value), NOW)
    assert isinstance(event, TicketClosed)
    assert (event.ticket_id, event.reason) == (records[1]["dynamodb"]["NewImage"]["id"]["S"], reason)


def test_a_ticket_merged_into_another_is_ticket_merged_not_a_close(records):
    record = closing(records[1], "OPEN", "merged")
    record["dynamodb"]["NewImage"]["merged_into"] = {"S": "NZ-00000042"}
    event = event_of(record, NOW)
    assert isinstance(event, TicketMerged)
    assert (event.ticket_id, event.into, event.event_id) == (
        records[1]["dynamodb"]["NewImage"]["id"]["S"],
        "NZ-00000042",
        records[1]["eventID"],
    )
    assert events_of(record, NOW) == [event]  # what publish_events gets too: no TicketClosed beside it
    # A later change of the merged ticket (none is allowed, but say a TTL or index fix) is no new merge.
    record["dynamodb"]["OldImage"]["merged_into"] = {"S": "NZ-00000042"}
    record["dynamodb"]["OldImage"]["status"] = {"S": "CLOSED"}
    assert event_of(record, NOW) is None


def test_a_closed_ticket_changing_again_is_no_new_close(records):
    assert event_of(closing(records[1], "CLOSED", "customer"), NOW) is None


def test_internal_notes_are_message_added_marked_internal(records):
    records[0]["dynamodb"]["NewImage"]["internal"] = {"BOOL": True}
    event = event_of(records[0], NOW)
    assert isinstance(event, MessageAdded)
    assert event.internal


def test_other_items_and_record_kinds_are_no_event(records):
    marker = copy.deepcopy(records[0])
    marker["dynamodb"]["NewImage"] = {
        "pk": {"S": "MARKER#x"},
        "sk": {"S": "MARKER"},
        "entity": {"S": "marker"},
    }
    removed = copy.deepcopy(records[0])
    removed["eventName"] = "REMOVE"
    assert event_of(marker, NOW) is None
    assert event_of(removed, NOW) is None
    assert event_of({}, NOW) is None


def test_without_a_creation_time_the_default_time_is_used(records):
    del records[0]["dynamodb"]["ApproximateCreationDateTime"]
    assert event_of(records[0], NOW).at == NOW


CLOSED_AT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
RATING = Rating(
    "NZ-00000007", CLOSED_AT, RatingValue.GOOD, NOW, "Rápido", department="soporte", assignee="luis"
)


def rating_record(records: list[dict], before: Rating | None, after: Rating) -> dict:
    record = copy.deepcopy(records[1])
    record["eventName"] = "MODIFY" if before else "INSERT"
    record["dynamodb"]["NewImage"] = dump_item(rating_item(after))
    record["dynamodb"]["OldImage"] = dump_item(rating_item(before)) if before else {}
    return record


def test_a_rating_write_is_a_rating_change_with_the_closings_department_and_assignee(records):
    first = rating_record(records, None, RATING)
    change = rating_change_of(first)
    assert change is not None
    assert change.event_id == first["eventID"]
    assert change.before is None
    assert change.after == RatingFacts("NZ-00000007", CLOSED_AT, "soporte", "luis", "good", NOW)
    assert ticket_change_of(first) is None  # the reports read it as a rating only

    later = Rating("NZ-00000007", CLOSED_AT, RatingValue.BAD, NOW.replace(hour=13), department="soporte")
    changed = rating_change_of(rating_record(records, RATING, later))
    assert changed is not None
    assert (changed.before.value, changed.after.value) == ("good", "bad")
    assert changed.after.assignee is None  # an unassigned closing


def test_a_ticket_write_or_a_removed_rating_is_no_rating_change(records):
    assert rating_change_of(records[1]) is None
    removed = rating_record(records, None, RATING)
    removed["eventName"] = "REMOVE"
    assert rating_change_of(removed) is None


def assigning(record: dict, old: str | None, new: str | None, *, explicit: bool) -> dict:
    """The fixture's ticket MODIFY with the assignee changed from `old` to `new`; `explicit`:
    written by POST /assign (assigned_at is this write's updated_at), else by a reply taking it."""
    images = record["dynamodb"]
    for image, assignee in ((images["OldImage"], old), (images["NewImage"], new)):
        image.pop("assignee", None)
        if assignee:
            image["assignee"] = {"S": assignee}
    new_image = images["NewImage"]
    new_image["assigned_by"] = {"S": "sub-luis"}
    new_image["assigned_at"] = new_image["updated_at"] if explicit else {"S": "2026-01-01T00:00:00.000000Z"}
    return record


def test_an_assignment_is_ticket_assigned_with_who_decided(records):
    event = event_of(assigning(records[1], None, "sub-marta", explicit=True), NOW)
    assert isinstance(event, TicketAssigned)
    assert (event.assignee, event.by) == ("sub-marta", "sub-luis")


def test_a_reply_taking_the_ticket_is_taken_by_the_assignee(records):
    event = event_of(assigning(records[1], None, "sub-marta", explicit=False), NOW)
    assert isinstance(event, TicketAssigned)
    assert (event.assignee, event.by) == ("sub-marta", "sub-marta")


def test_unassigning_is_ticket_assigned_to_nobody(records):
    event = event_of(assigning(records[1], "sub-marta", None, explicit=True), NOW)
    assert isinstance(event, TicketAssigned)
    assert (event.assignee, event.by) == (None, "sub-luis")


def test_the_same_assignee_again_is_no_event(records):
    assert event_of(assigning(records[1], "sub-marta", "sub-marta", explicit=True), NOW) is None


def test_a_new_ticket_item_is_ticket_opened(records):
    insert = copy.deepcopy(records[1])
    insert["eventName"] = "INSERT"
    del insert["dynamodb"]["OldImage"]
    event = event_of(insert, NOW)
    assert isinstance(event, TicketOpened)
    assert (event.event_id, event.ticket_id) == (insert["eventID"], "NZ-00012345")


def test_a_ticket_leaving_closed_is_ticket_reopened_and_one_staying_open_is_not(records):
    reopening = copy.deepcopy(records[1])
    reopening["dynamodb"]["OldImage"]["status"] = {"S": "CLOSED"}
    reopening["dynamodb"]["NewImage"]["status"] = {"S": "OPEN"}
    [event] = events_of(reopening, NOW)
    assert isinstance(event, TicketReopened)
    assert event.ticket_id == "NZ-00012345"
    assert events_of(records[1], NOW) == []  # OPEN -> WAITING: no event
