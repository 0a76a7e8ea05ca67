"""scripts/redrive_failures.py against moto: failure-queue messages shaped as Lambda writes them
(events/sqs_on_failure_*.json), re-run through the real handlers, deleted only once handled, and
never doubling a ticket or a mail thanks to the exactly-once markers.

Bad inputs tried: a body that is not JSON, JSON that is no on-failure record, a mail whose raw
message is missing from the bucket, a stream range the stream no longer holds, a notify that
still cannot send."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from typing import Any

import boto3
import pytest

from devstack.events import ses_receipt_event
from devstack.outbox import Outbox
from devstack.template import ROOT
from tests.support.harness import ANA, NAMES, SOPORTE, TABLE, mail

spec = importlib.util.spec_from_file_location("redrive_failures", ROOT / "scripts" / "redrive_failures.py")
assert spec
assert spec.loader
redrive_failures = importlib.util.module_from_spec(spec)
sys.modules["redrive_failures"] = redrive_failures  # dataclasses look their module up
spec.loader.exec_module(redrive_failures)

ASYNC_RECORD = json.loads((ROOT / "events" / "sqs_on_failure_async.json").read_text())
STREAM_RECORD = json.loads((ROOT / "events" / "sqs_on_failure_stream.json").read_text())
STREAMS_ENDPOINT = "https://streams.dynamodb.eu-west-1.amazonaws.com"  # moto routes Streams only so


class Harness:
    """The stack's two failure queues and its two functions, the latter run in-process."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        self.sqs = boto3.client("sqs")
        self.streams = boto3.client("dynamodbstreams", endpoint_url=STREAMS_ENDPOINT)
        table = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"]
        self.stream_arn = table["LatestStreamArn"]
        self.targets = redrive_failures.Targets(
            inbound_queue=self.sqs.create_queue(QueueName="inbound-failures")["QueueUrl"],
            notifications_queue=self.sqs.create_queue(QueueName="notification-failures")["QueueUrl"],
            inbound_function="InboundEmailFunction",
            notify_function="NotifyFunction",
            stream_arn=self.stream_arn,
            mail_feedback_queue=self.sqs.create_queue(QueueName="mail-feedback-failures")["QueueUrl"],
            mail_feedback_function="MailFeedbackFunction",
            events_queue=self.sqs.create_queue(QueueName="event-publishing-failures")["QueueUrl"],
            publish_function="PublishEventsFunction",
        )
        self.invocations: list[str] = []

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Lambda's synchronous invoke: the result, or the handler's exception as FunctionError."""
        self.invocations.append(function)
        spec = next(s for s in self.gateway.specs if s.logical_id == function)
        try:
            return redrive_failures.Invocation(self.gateway.invoke(spec, event))
        except Exception as error:
            return redrive_failures.Invocation(None, error=f"Unhandled: {error}")

    def redrive(self, **options: Any) -> Any:
        return redrive_failures.Redrive(
            self.targets, invoke=self.invoke, sqs=self.sqs, streams=self.streams, **options
        )

    def put(self, queue: str, body: Any) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.sqs.send_message(QueueUrl=queue, MessageBody=text)

    def waiting(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def tickets(self) -> list[dict[str, Any]]:
        items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]  # test inspection only
        return [i for i in items if i.get("entity", {}).get("S") == "ticket"]

    # ---------------------------------------------------------------- shapes Lambda writes
    def inbound_failure(self, ses_id: str, raw: bytes, at: Any) -> dict[str, Any]:
        record = copy.deepcopy(ASYNC_RECORD)
        record["requestPayload"] = ses_receipt_event(
            ses_id, [SOPORTE], source="ana@cliente.example", at=at, raw=raw
        )
        return record

    def stream_failure(self, first: str, last: str, shard: str | None = None) -> dict[str, Any]:
        record = copy.deepcopy(STREAM_RECORD)
        info = record["DDBStreamBatchInfo"]
        info.update(startSequenceNumber=first, endSequenceNumber=last, streamArn=self.stream_arn)
        info["shardId"] = shard or self._shard()
        return record

    def _shard(self) -> str:
        stream = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        return str(stream["Shards"][0]["ShardId"])

    def sequence_numbers(self) -> list[str]:
        iterator = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=self._shard(), ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = self.streams.get_records(ShardIterator=iterator)["Records"]
        return [r["dynamodb"]["SequenceNumber"] for r in records]


@pytest.fixture
def harness(gateway: Any, api: Any) -> Harness:
    api.authorize(ANA, "ana@cliente.example")
    return Harness(gateway)


# ---------------------------------------------------------------- inbound mail
def test_a_failed_mail_is_redriven_once_its_raw_message_is_back_and_never_twice(harness, api):
    raw = mail(subject="El correo no llega")
    failure = harness.inbound_failure("sesredrive00000000000000000001", raw, api.now)
    queue = harness.targets.inbound_queue
    harness.put(queue, failure)

    # The raw message is not in the bucket: the function fails again, the message is kept, visible.
    report = harness.redrive().inbound()
    assert report.outcomes == {"kept": 1}
    assert "sesredrive00000000000000000001" in report.kept[0][1]
    assert "NoSuchKey" in report.kept[0][1]
    assert harness.waiting(queue) == 1
    assert harness.tickets() == []

    boto3.client("s3").put_object(
        Bucket=NAMES["MailBucket"], Key="inbound/sesredrive00000000000000000001", Body=raw
    )
    report = harness.redrive().inbound()
    assert report.outcomes == {"redriven": 1}
    assert report.clean
    assert harness.waiting(queue) == 0
    [ticket] = harness.tickets()
    assert ticket["subject"]["S"] == "El correo no llega"

    # The same failure record again (SQS delivers at least once; an operator reruns the script).
    harness.put(queue, failure)
    assert harness.redrive().inbound().outcomes == {"redriven": 1}
    assert len(harness.tickets()) == 1  # MARKER#ses:<messageId> made the rerun a no-op


def test_a_failure_record_of_a_mail_that_was_handled_since_changes_nothing(harness, api, mailbox):
    raw = mail(subject="Ya procesado")
    mailbox.deliver(raw, ses_id="sesredrive00000000000000000002")  # a later retry succeeded
    harness.put(
        harness.targets.inbound_queue, harness.inbound_failure("sesredrive00000000000000000002", raw, api.now)
    )
    assert harness.redrive().inbound().outcomes == {"redriven": 1}
    assert len(harness.tickets()) == 1


def test_a_dry_run_invokes_and_deletes_nothing(harness, api):
    queue = harness.targets.inbound_queue
    harness.put(queue, harness.inbound_failure("sesredrive00000000000000000003", mail(), api.now))
    report = harness.redrive(dry_run=True).inbound()
    assert report.outcomes == {"would redrive": 1}
    assert harness.invocations == []
    assert harness.waiting(queue) == 1


@pytest.mark.parametrize(
    "body", ["not json at all", {"requestContext": {"condition": "RetriesExhausted"}}, {"requestPayload": {}}]
)
def test_a_message_the_script_does_not_understand_is_kept_with_a_reason(harness, body):
    queue = harness.targets.inbound_queue
    harness.put(queue, body)
    report = harness.redrive().inbound()
    assert report.outcomes == {"kept": 1}
    assert "not an on-failure record" in report.kept[0][1]
    assert harness.invocations == []
    assert harness.waiting(queue) == 1


def test_the_limit_bounds_how_many_messages_are_read(harness, api):
    queue = harness.targets.inbound_queue
    for n in range(3):
        harness.put(queue, harness.inbound_failure(f"sesredrive0000000000000000001{n}", mail(), api.now))
    report = harness.redrive(limit=2).inbound()
    assert sum(report.outcomes.values()) == 2


# ---------------------------------------------------------------- notifications
def test_failed_stream_records_are_read_back_and_mailed_once(harness, api):
    outbox = Outbox("eu-west-1")
    ticket = api.open(subject="Sin acuse de recibo")  # writes the ticket and its first message
    first, *_, last = harness.sequence_numbers()
    queue = harness.targets.notifications_queue
    failure = harness.stream_failure(first, last)
    harness.put(queue, failure)

    report = harness.redrive().notifications()
    assert report.outcomes == {"redriven": 1}
    assert harness.waiting(queue) == 0
    [receipt] = outbox.sent()
    assert receipt.to == (ANA["email"],)
    assert ticket["id"] in receipt.subject

    harness.put(queue, failure)  # again: MARKER#notify:<eventID> says it was sent
    assert harness.redrive().notifications().outcomes == {"redriven": 1}
    assert len(outbox.sent()) == 1


def test_notify_failing_again_keeps_the_message(harness, api):
    api.open()
    first, *_, last = harness.sequence_numbers()
    queue = harness.targets.notifications_queue
    harness.put(queue, harness.stream_failure(first, last))
    ses: Any = boto3.client("sesv2")
    for identity in ses.list_email_identities()["EmailIdentities"]:  # SES now refuses our sender
        ses.delete_email_identity(EmailIdentity=identity["IdentityName"])

    report = harness.redrive().notifications()
    assert report.outcomes == {"kept": 1}
    assert "notify still failed" in report.kept[0][1]
    assert harness.waiting(queue) == 1


def test_records_the_stream_no_longer_holds_are_kept_for_the_operator(harness, api):
    """Past 24 h DynamoDB Streams answers TrimmedDataAccessException (moto cannot age a stream,
    so botocore's Stubber gives the real error on a real client)."""
    from botocore.stub import Stubber

    api.open()
    first, *_, last = harness.sequence_numbers()
    queue = harness.targets.notifications_queue
    harness.put(queue, harness.stream_failure(first, last))
    stubber = Stubber(harness.streams)
    stubber.add_client_error(
        "get_shard_iterator",
        service_error_code="TrimmedDataAccessException",
        service_message="The operation attempted to read past the oldest stream record in a shard.",
        http_status_code=400,
    )
    with stubber:
        report = harness.redrive().notifications()
    assert report.outcomes == {"kept": 1}
    assert "no longer holds" in report.kept[0][1]
    assert first in report.kept[0][1]
    assert harness.invocations == []
    assert harness.waiting(queue) == 1


# ---------------------------------------------------------------- SES events (bounces, complaints)
def feedback_failure(kind: str, address: str, at: Any) -> dict[str, Any]:
    from datetime import timedelta

    from devstack.events import ses_feedback_event

    record = copy.deepcopy(ASYNC_RECORD)
    record["requestContext"]["functionArn"] = record["requestContext"]["functionArn"].replace(
        "InboundEmailFunction", "MailFeedbackFunction"
    )
    record["requestPayload"] = ses_feedback_event(kind, [address], at=at, sent_at=at - timedelta(seconds=5))
    return record


def test_a_failed_bounce_event_is_redriven_marks_the_address_and_a_rerun_changes_nothing(harness, api):
    queue = harness.targets.mail_feedback_queue
    failure = feedback_failure("bounce", "ana@cliente.example", api.later(minutes=5))
    harness.put(queue, failure)
    assert harness.redrive(dry_run=True).mail_feedback().outcomes == {"would redrive": 1}
    assert harness.invocations == []

    report = harness.redrive().mail_feedback()
    assert report.outcomes == {"redriven": 1}
    assert harness.waiting(queue) == 0
    [listed] = api.get("/account/emails", ANA).json()["items"]
    assert listed["undeliverable"]["reason"] == "bounce"

    harness.put(queue, failure)  # the same record again
    assert harness.redrive().mail_feedback().outcomes == {"redriven": 1}
    [again] = api.get("/account/emails", ANA).json()["items"]
    assert again["undeliverable"] == listed["undeliverable"]  # the first report stays


def test_a_bounce_event_the_script_cannot_read_is_kept_with_a_reason(harness):
    queue = harness.targets.mail_feedback_queue
    harness.put(queue, {"requestPayload": {"Records": [{"EventSource": "aws:sns"}]}})
    report = harness.redrive().mail_feedback()
    assert report.outcomes == {"kept": 1}
    assert "not an on-failure record" in report.kept[0][1]
    assert harness.waiting(queue) == 1


# ---------------------------------------------------------------- ticket events
def test_failed_stream_records_are_published_once_to_the_event_bus(harness, api):
    from devstack.event_log import published_events

    ticket = api.open(subject="Sin evento")  # the ticket and its first message: two events
    first, *_, last = harness.sequence_numbers()
    queue = harness.targets.events_queue
    failure = harness.stream_failure(first, last)
    harness.put(queue, failure)

    report = harness.redrive().events()
    assert report.outcomes == {"redriven": 1}
    assert harness.invocations == ["PublishEventsFunction"]
    published = published_events(NAMES["TicketEventArchive"], "eu-west-1", ticket_id=ticket["id"])
    assert [e["detail-type"] for e in published] == ["TicketOpened", "MessageAdded"]

    harness.put(queue, failure)  # again: MARKER#publish:<eventID>:<kind> says they were published
    assert harness.redrive().events().outcomes == {"redriven": 1}
    assert published_events(NAMES["TicketEventArchive"], "eu-west-1", ticket_id=ticket["id"]) == published
