"""Domain events for integrations, end to end on moto: what people do through the API reaches the
stack's EventBridge bus through the table's stream and the real publish_events handler (its
mapping's FilterCriteria applied as Lambda does), and is read back from the stack's archive as a
rule's target receives it. Each published event's detail is validated against its JSON Schema in
docs/events/; internal notes are never published; a record delivered again publishes nothing."""

from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSResponse
from jsonschema import ValidationError

from devstack.template import ROOT, template
from helpdesk import runtime
from helpdesk.services.event_publishing import PUBLISHED
from tests.support.event_schemas import kinds, validate_detail
from tests.support.harness import ANA, BRUNO, LUIS


def kinds_of(events):
    return [e["detail-type"] for e in events]


def test_a_ticket_lifecycle_publishes_each_change_once_with_a_valid_detail(api, herald):
    ticket = api.open(ANA, subject="El webmail no carga")
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "¿Qué navegador usa?")
    api.reply(ticket["id"], LUIS, "Nota: cliente importante", internal=True)
    api.later(minutes=5)
    api.reply(ticket["id"], ANA, "Firefox")
    api.later(minutes=5)
    assert api.post(f"/tickets/{ticket['id']}/close", LUIS).status == 200
    api.later(hours=1)
    assert api.post(f"/tickets/{ticket['id']}/reopen", ANA).status == 200

    events = herald.published(ticket_id=ticket["id"])
    assert kinds_of(events) == [
        "TicketOpened",
        "MessageAdded",  # the customer's first message
        "TicketAssigned",  # the operator's reply took the unassigned ticket (its ticket item's write)
        "MessageAdded",  # the operator's reply (the internal note is not published)
        "MessageAdded",  # the customer's answer
        "TicketClosed",
        "TicketReopened",
    ]
    for event in events:
        assert event["source"] == "netz0.helpdesk"
        validate_detail(event["detail-type"], event["detail"])
        assert (event["detail"]["ticket_id"], event["detail"]["account_id"]) == (ticket["id"], "acct-1001")
    opened, first, taken, reply, answer, closed, _ = (e["detail"] for e in events)
    assert taken["assignee"] == taken["by"] == LUIS["sub"]  # by id, never an address
    assert opened["subject"] == "El webmail no carga"
    assert [m["author_role"] for m in (first, reply, answer)] == ["customer", "operator", "customer"]
    thread = api.ticket(ticket["id"])
    public = [m["id"] for m in thread["messages"] if not m["internal"]]
    assert [m["message_id"] for m in (first, reply, answer)] == public
    assert closed["reason"] == "operator"
    assert len({e["detail"]["event_id"] for e in events}) == len(events)
    assert "Nota: cliente importante" not in json.dumps(events)  # no message text at all


def test_auto_close_publishes_the_close_for_inactivity_and_no_message(api, herald):
    ticket = api.open(ANA)
    api.later(minutes=1)
    api.reply(ticket["id"], LUIS, "Pruebe ahora")
    assert api.auto_close(api.later(hours=73))["closed"] == 1
    events = herald.published(ticket_id=ticket["id"])
    # The auto-close is one UpdateItem (a history entry, no system message): one event, the close.
    expected = ["TicketOpened", "MessageAdded", "TicketAssigned", "MessageAdded", "TicketClosed"]
    assert kinds_of(events) == expected  # the reply took the unassigned ticket
    close = events[-1]
    validate_detail("TicketClosed", close["detail"])
    assert close["detail"]["reason"] == "inactivity"


def test_a_merge_publishes_ticket_merged_on_the_source_and_no_close(api, herald):
    target = api.open(ANA, subject="El webmail no carga")
    api.later(minutes=1)
    source = api.open(ANA, subject="Webmail otra vez")
    herald.published()
    api.later(minutes=1)
    merged = api.post(f"/tickets/{source['id']}/merge", LUIS, {"into": target["id"]})
    assert merged.status == 200, merged.json()
    assert merged.json()["closed_reason"] == "merged"

    after = herald.published(ticket_id=source["id"])
    assert kinds_of(after) == ["TicketOpened", "MessageAdded", "TicketMerged"]  # no TicketClosed
    detail = after[-1]["detail"]
    validate_detail("TicketMerged", detail)
    assert (detail["ticket_id"], detail["into"]) == (source["id"], target["id"])
    assert detail["account_id"] == "acct-1001"
    # The target changed too (it took the source in), which is no event of its own.
    assert kinds_of(herald.published(ticket_id=target["id"])) == ["TicketOpened", "MessageAdded"]


def test_keys_dynamodb_leaves_unprocessed_are_read_again_so_no_event_is_taken_for_gone(api, herald):
    """BatchGetItem may answer part of a request (UnprocessedKeys, e.g. when throttled): the marker
    and ticket read asks again for the rest instead of taking the ticket for gone."""
    ticket = api.open(ANA)
    client = runtime.dynamodb()
    answered: list[dict] = []

    def throttled_once(params, **_kwargs):
        client.meta.events.unregister("before-call.dynamodb.BatchGetItem", throttled_once)
        asked = json.loads(params["body"])["RequestItems"]
        answered.append(asked)
        return AWSResponse("https://dynamodb", 200, {}, None), {
            "Responses": {table: [] for table in asked},
            "UnprocessedKeys": asked,
        }

    client.meta.events.register("before-call.dynamodb.BatchGetItem", throttled_once)
    events = herald.published(ticket_id=ticket["id"])
    assert len(answered) == 1  # the first read got nothing back
    assert kinds_of(events) == ["TicketOpened", "MessageAdded"]
    validate_detail("TicketOpened", events[0]["detail"])


def test_a_stream_batch_delivered_again_publishes_nothing_twice(api, herald):
    ticket = api.open(BRUNO)
    first = herald.published(ticket_id=ticket["id"])
    assert kinds_of(first) == ["TicketOpened", "MessageAdded"]
    for batch in herald.batches:  # the stream's at-least-once: the same records again
        assert herald.invoke(batch) == {"batchItemFailures": []}
    assert herald.published(ticket_id=ticket["id"]) == first


def test_the_filter_keeps_internal_notes_and_markers_away_from_the_function(api, herald):
    ticket = api.open(ANA)
    herald.published()
    herald.batches.clear()
    api.later(minutes=1)
    api.reply(ticket["id"], LUIS, "solo para el equipo", internal=True)
    herald.published()
    delivered = [r for b in herald.batches for r in b["Records"]]
    entities = [r["dynamodb"]["NewImage"]["entity"]["S"] for r in delivered]
    assert "message" not in entities  # the note never reached the function
    assert set(entities) <= {"ticket"}


def test_the_schemas_are_strict_they_refuse_what_is_not_the_documented_detail(api, herald):
    ticket = api.open(ANA)
    [opened] = herald.published(ticket_id=ticket["id"], detail_type="TicketOpened")
    detail = opened["detail"]
    for broken in (
        {**detail, "extra": 1},
        {k: v for k, v in detail.items() if k != "account_id"},
        {**detail, "schema_version": "2"},
        {**detail, "ticket_id": "12345678"},
        {**detail, "occurred_at": "yesterday"},
    ):
        with pytest.raises(ValidationError):
            validate_detail("TicketOpened", broken)


def test_every_published_kind_has_a_schema_file_and_a_readme_section():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    published = sorted(p.detail_type for p in PUBLISHED.values())
    assert kinds() == published
    for kind in published:
        assert f"`{kind}`" in readme, kind
        assert f"docs/events/{kind}.json" in readme, kind


def test_the_bus_has_an_archive_and_the_function_its_own_filtered_mapping():
    resources = template()["Resources"]
    archive = resources["TicketEventArchive"]["Properties"]
    assert archive["SourceArn"] == {"Fn::GetAtt": ["TicketEventBus", "Arn"]}
    assert archive["EventPattern"] == {"source": ["netz0.helpdesk"]}
    function = resources["PublishEventsFunction"]["Properties"]
    assert function["Environment"]["Variables"]["EVENT_BUS_NAME"] == {"Ref": "TicketEventBus"}
    [mapping] = function["Events"].values()
    assert mapping["Properties"]["Stream"] == {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    assert mapping["Properties"]["FilterCriteria"]["Filters"]
    assert mapping["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["EventPublishingFailures", "Arn"]
    }
    assert archive["RetentionDays"] == {"Ref": "EventArchiveRetentionDays"}
