"""Redrive the help desk's failure queues: re-run what failed, delete a queue message only once
its re-run succeeded, and keep (and report) everything else.

    .venv/bin/python scripts/redrive_failures.py <stack-name>
        [--queue inbound|notifications|events|mail-feedback|all] [--dry-run] [--limit N]

Safe to run more than once, and while the stack is live: the functions write exactly-once
markers with their effects (`MARKER#ses:<messageId>` with the ticket or reply a mail made,
`MARKER#notify:<eventID>` once a mail was sent, `MARKER#publish:<eventID>:<kind>` once an event
reached the bus), or their effect is a conditional write that a
repeat cannot pass (mail_feedback's undeliverable mark), so an input that was already handled is
recognised and changes nothing.

- InboundMailFailures holds Lambda's on-failure records of the SES invocations. The original SES
  event (`requestPayload`) is invoked again, synchronously; the raw message is still in the mail
  bucket (it expires after RawMailRetentionDays).
- MailFeedbackFailures holds Lambda's on-failure records of the SNS invocations of mail_feedback
  (SES bounce, complaint and delivery events): the SNS event is invoked again, at any age.
- NotificationFailures holds the stream mapping's on-failure records: only the shard and the
  sequence range (`DDBStreamBatchInfo`), not the records. They are read back from the table's
  stream, filtered as the mapping filters, and handed to notify. The stream keeps records for
  24 hours: an older failure cannot be replayed and is kept for the operator (docs/runbook.md).
- EventPublishingFailures holds the same kind of records for publish_events' mapping: read back,
  filtered as that mapping filters, and handed to publish_events.

Exit status: 0 when every message read was redriven (or was already done), 1 when some were kept.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

# The repository root: the stream records are rebuilt in Lambda's shape by devstack.streams, the
# same code the local stack and the tests feed notify with.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.streams import lambda_record, stream_mappings

# Longer than either function's timeout, so a message being redriven is not received twice.
VISIBILITY_SECONDS = 300
# Stream errors that mean the records are gone: past the 24 h retention, or the shard was closed
# and trimmed.
GONE = {"TrimmedDataAccessException", "ResourceNotFoundException", "ExpiredIteratorException"}

Invoke = Callable[[str, dict[str, Any]], "Invocation"]


@dataclass(frozen=True)
class Invocation:
    """What a synchronous invocation answered: the function's result, or its error."""

    payload: Any
    error: str | None = None


@dataclass(frozen=True)
class Targets:
    """Where the failures are and who re-runs them: the stack's outputs."""

    inbound_queue: str
    notifications_queue: str
    inbound_function: str
    notify_function: str
    stream_arn: str
    mail_feedback_queue: str
    mail_feedback_function: str
    events_queue: str
    publish_function: str

    @classmethod
    def of_stack(cls, stack: str) -> Targets:
        described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        out = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        return cls(
            inbound_queue=out["InboundMailFailuresQueue"],
            notifications_queue=out["NotificationFailuresQueue"],
            inbound_function=out["InboundEmailFunctionName"],
            notify_function=out["NotifyFunctionName"],
            stream_arn=out["TableStreamArn"],
            mail_feedback_queue=out["MailFeedbackFailuresQueue"],
            mail_feedback_function=out["MailFeedbackFunctionName"],
            events_queue=out["EventPublishingFailuresQueue"],
            publish_function=out["PublishEventsFunctionName"],
        )


@dataclass
class Report:
    """Counts per outcome, and why each kept message was kept."""

    outcomes: Counter[str] = field(default_factory=Counter)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (SQS message id, reason)

    def keep(self, message_id: str, reason: str) -> None:
        self.outcomes["kept"] += 1
        self.kept.append((message_id, reason))

    @property
    def clean(self) -> bool:
        return not self.kept


def lambda_invoker(client: Any = None) -> Invoke:
    """Synchronous invocation: the redrive must know the outcome before it deletes anything."""
    lambda_client = client or boto3.client("lambda")

    def invoke(function: str, event: dict[str, Any]) -> Invocation:
        answer = lambda_client.invoke(
            FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
        )
        payload = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            message = payload.get("errorMessage") if isinstance(payload, dict) else None
            return Invocation(payload, error=f"{answer['FunctionError']}: {message or payload}")
        return Invocation(payload)

    return invoke


class Redrive:
    def __init__(
        self,
        targets: Targets,
        *,
        invoke: Invoke,
        sqs: Any = None,
        streams: Any = None,
        dry_run: bool = False,
        limit: int | None = None,
    ) -> None:
        self.targets = targets
        self.invoke = invoke
        self.sqs = sqs or boto3.client("sqs")
        self.streams = streams or boto3.client("dynamodbstreams")
        self.dry_run = dry_run
        self.limit = limit
        self.mappings = {m.function_id: m for m in stream_mappings()}

    # ------------------------------------------------------------------ queues
    def inbound(self) -> Report:
        return self._drain(self.targets.inbound_queue, self._inbound_one)

    def notifications(self) -> Report:
        return self._drain(
            self.targets.notifications_queue,
            lambda record: self._stream_one(record, "NotifyFunction", self.targets.notify_function, "notify"),
        )

    def events(self) -> Report:
        target = self.targets.publish_function
        return self._drain(
            self.targets.events_queue,
            lambda record: self._stream_one(record, "PublishEventsFunction", target, "publish_events"),
        )

    def mail_feedback(self) -> Report:
        return self._drain(self.targets.mail_feedback_queue, self._mail_feedback_one)

    def _drain(self, queue: str, handle: Callable[[dict[str, Any]], str | None]) -> Report:
        """Each message once: a redriven one is deleted; a kept one stays invisible until the end
        of the run (so it is not read again) and is then made visible again for the operator."""
        report = Report()
        kept_handles = []
        for message in self._messages(queue):
            try:
                reason = handle(json.loads(message["Body"]))
            except (ValueError, KeyError, TypeError) as error:
                reason = f"not an on-failure record this script knows ({error!r})"
            if reason is None and not self.dry_run:
                self.sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                report.outcomes["redriven"] += 1
            elif reason is None:
                report.outcomes["would redrive"] += 1
                kept_handles.append(message["ReceiptHandle"])
            else:
                report.keep(message["MessageId"], reason)
                kept_handles.append(message["ReceiptHandle"])
        for receipt in kept_handles:
            self.sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=receipt, VisibilityTimeout=0)
        return report

    def _messages(self, queue: str) -> Iterator[dict[str, Any]]:
        read = 0
        while self.limit is None or read < self.limit:
            batch = self.sqs.receive_message(
                QueueUrl=queue,
                MaxNumberOfMessages=min(10, self.limit - read) if self.limit else 10,
                VisibilityTimeout=VISIBILITY_SECONDS,
                WaitTimeSeconds=1,
            ).get("Messages", [])
            if not batch:
                return
            for message in batch:
                read += 1
                yield message

    # ------------------------------------------------------------------ inbound mail
    def _inbound_one(self, record: dict[str, Any]) -> str | None:
        """None when the mail is now handled (or already was); otherwise why it is kept."""
        event = record["requestPayload"]
        ids = [r["ses"]["mail"]["messageId"] for r in event["Records"]]
        if self.dry_run:
            return None
        result = self.invoke(self.targets.inbound_function, event)
        if result.error:
            return f"inbound_email failed again for {', '.join(ids)}: {result.error}"
        return None

    # ------------------------------------------------------------------ SES events (bounces...)
    def _mail_feedback_one(self, record: dict[str, Any]) -> str | None:
        event = record["requestPayload"]
        ids = [r["Sns"]["MessageId"] for r in event["Records"]]
        if self.dry_run:
            return None
        result = self.invoke(self.targets.mail_feedback_function, event)
        if result.error:
            return f"mail_feedback failed again for SNS message {', '.join(ids)}: {result.error}"
        return None

    # ------------------------------------------------------------------ stream consumers
    def _stream_one(self, record: dict[str, Any], mapping: str, function: str, name: str) -> str | None:
        """A stream mapping's failure: its records read back from the stream, filtered as that
        mapping (the template's logical id) filters, handed to its function again."""
        info = record["DDBStreamBatchInfo"]
        try:
            records = self._stream_records(info)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in GONE:
                return (
                    f"the stream no longer holds records {info['startSequenceNumber']}..."
                    f"{info['endSequenceNumber']} of {info['shardId']} (kept 24 h): see docs/runbook.md"
                )
            raise
        batch = [r for r in records if self.mappings[mapping].accepts(r)]
        if not batch:
            return None  # nothing in the range is for this function
        if self.dry_run:
            return None
        result = self.invoke(function, {"Records": batch})
        if result.error:
            return f"{name} failed again: {result.error}"
        failures = result.payload.get("batchItemFailures") if isinstance(result.payload, dict) else None
        if failures:
            ids = ", ".join(str(f.get("itemIdentifier")) for f in failures)
            return f"{name} still failed for records {ids}"
        return None

    def _stream_records(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        """The records of the failed batch, from the table's stream, in Lambda's event shape."""
        stream_arn = info.get("streamArn") or self.targets.stream_arn
        first, last = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
        iterator = self.streams.get_shard_iterator(
            StreamArn=stream_arn,
            ShardId=info["shardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=info["startSequenceNumber"],
        )["ShardIterator"]
        region = stream_arn.split(":")[3]
        found: list[dict[str, Any]] = []
        while iterator:
            page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            for raw in page["Records"]:
                sequence = int(raw["dynamodb"]["SequenceNumber"])
                if sequence > last:
                    return found
                if sequence >= first:
                    found.append(lambda_record(raw, stream_arn=stream_arn, region=region))
            if not page["Records"]:
                return found
            iterator = page.get("NextShardIterator")
        return found


# --queue names -> Redrive's methods.
QUEUES = {
    "inbound": "inbound",
    "notifications": "notifications",
    "events": "events",
    "mail-feedback": "mail_feedback",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="the CloudFormation stack name")
    parser.add_argument("--queue", choices=[*QUEUES, "all"], default="all")
    parser.add_argument("--dry-run", action="store_true", help="read and check, invoke and delete nothing")
    parser.add_argument("--limit", type=int, default=None, help="at most this many messages per queue")
    args = parser.parse_args(argv)
    redrive = Redrive(
        Targets.of_stack(args.stack), invoke=lambda_invoker(), dry_run=args.dry_run, limit=args.limit
    )
    clean = True
    for name, method in QUEUES.items():
        if args.queue not in (name, "all"):
            continue
        report = getattr(redrive, method)()
        print(f"{name}: {dict(report.outcomes) or 'queue empty'}")
        for message_id, reason in report.kept:
            print(f"  kept {message_id}: {reason}")
        clean = clean and report.clean
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
