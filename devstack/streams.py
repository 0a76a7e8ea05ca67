"""The Lambda event source mapping for the tickets table's stream, played locally: reads the
stream through the DynamoDB Streams API (DynamoDB Local's for the local stack, moto's in the
tests), keeps only the records the mapping's FilterCriteria lets through, and invokes the
function with batches shaped exactly as Lambda delivers them.

Failures are handled as Lambda does for a stream: a batch whose invocation raises is retried
whole; with ReportBatchItemFailures, the batch is retried from the first failed record. After
MaximumRetryAttempts (here retried at once, not after a backoff) the batch is logged and skipped,
where AWS would send it to the mapping's on-failure destination."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from devstack.template import template

log = logging.getLogger("devstack.streams")

# Lambda retries a failing stream batch until the record expires (24 h) when the template says
# -1; locally that would spin forever, so unlimited becomes this many.
LOCAL_MAX_RETRIES = 5
# A drain stops after this many read-and-deliver rounds even if the function keeps writing.
MAX_ROUNDS = 20
# How often the stream's shard list is read again for new shards (DynamoDB rolls shards over).
SHARD_REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class StreamMapping:
    """A function's `Type: DynamoDB` event on the table's stream, as the template declares it."""

    function_id: str
    starting_position: str = "LATEST"
    batch_size: int = 100
    maximum_retry_attempts: int = -1
    report_batch_item_failures: bool = False
    filters: tuple[dict[str, Any], ...] = ()
    on_failure: str | None = None

    @property
    def retries(self) -> int:
        limit = self.maximum_retry_attempts
        return LOCAL_MAX_RETRIES if limit < 0 else min(limit, LOCAL_MAX_RETRIES)

    def accepts(self, record: Mapping[str, Any]) -> bool:
        """Lambda event filtering: no filters pass everything, otherwise any one pattern must match."""
        return not self.filters or any(matches(pattern, record) for pattern in self.filters)


def stream_mappings(table_id: str = "TicketsTable") -> list[StreamMapping]:
    """Every function event reading `table_id`'s stream (Stream: !GetAtt <table>.StreamArn)."""
    mappings = []
    for logical_id, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource["Properties"].get("Events", {}).values():
            props = event.get("Properties", {})
            if event["Type"] == "DynamoDB" and props.get("Stream") == {"Fn::GetAtt": [table_id, "StreamArn"]}:
                mappings.append(_mapping(logical_id, props))
    return mappings


def _mapping(function_id: str, props: dict[str, Any]) -> StreamMapping:
    patterns = props.get("FilterCriteria", {}).get("Filters", [])
    destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    return StreamMapping(
        function_id=function_id,
        starting_position=props.get("StartingPosition", "LATEST"),
        batch_size=int(props.get("BatchSize", 100)),
        maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
        report_batch_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
        filters=tuple(json.loads(f["Pattern"]) for f in patterns),
        on_failure=json.dumps(destination) if destination else None,
    )


# ---------------------------------------------------------------- event filtering
def matches(pattern: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """The subset of Lambda's filter rule syntax a stream filter uses: nested keys, value lists,
    and the prefix, suffix, equals-ignore-case, anything-but, exists and numeric operators."""
    for key, rule in pattern.items():
        present = key in data
        value = data.get(key)
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not matches(rule, value):
                return False
        elif not any(_matches_one(matcher, present, value) for matcher in rule):
            return False
    return True


def _matches_one(matcher: Any, present: bool, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if not isinstance(matcher, dict):
        return present and matcher in values
    (operator, operand), *_ = matcher.items()
    if operator == "exists":
        return present is bool(operand)
    if not present:
        return False  # every other operator needs the field, anything-but included
    tests: dict[str, Callable[[Any], bool]] = {
        "prefix": lambda v: isinstance(v, str) and v.startswith(operand),
        "suffix": lambda v: isinstance(v, str) and v.endswith(operand),
        "equals-ignore-case": lambda v: isinstance(v, str) and v.lower() == str(operand).lower(),
        "anything-but": lambda v: v not in (operand if isinstance(operand, list) else [operand]),
        "numeric": lambda v: _numeric(operand, v),
    }
    if operator not in tests:
        raise ValueError(f"filter operator {operator!r} is not supported locally")
    return any(tests[operator](v) for v in values)


def _numeric(conditions: Sequence[Any], value: Any) -> bool:
    if not isinstance(value, (int, float)):
        return False
    compare: dict[str, Callable[[float, float], bool]] = {
        "=": lambda a, b: a == b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    pairs = zip(conditions[::2], conditions[1::2], strict=True)
    return all(compare[op](float(value), float(bound)) for op, bound in pairs)


# ---------------------------------------------------------------- the event
def aws_stream_arn(arn: str, region: str, account_id: str) -> str:
    """A stream ARN as AWS spells it for a table in `region` and `account_id` (DynamoDB Local
    names "ddblocal" and 000000000000 whatever the request said)."""
    return re.sub(r"^arn:aws:dynamodb:[^:]*:[^:]*:", f"arn:aws:dynamodb:{region}:{account_id}:", arn)


def lambda_record(
    record: Mapping[str, Any], *, stream_arn: str, region: str, read_at: datetime | None = None
) -> dict[str, Any]:
    """A stream record as Lambda hands it to the function: eventVersion 1.1, the table's region,
    eventSourceARN, and ApproximateCreationDateTime in epoch seconds (boto3 parsed it to a
    datetime; moto reports eventVersion 1.0 and us-east-1, DynamoDB Local "ddblocal").

    `read_at`, when given, is the creation time: DynamoDB Local rounds its stamp down to the
    minute (AWS to the second), and it stamps the real time, not the stack's clock; the poller
    reads a record moments after its write and passes the stack's time of that first read."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = int((read_at or created).timestamp())
    order = ("ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber", "SizeBytes")
    dynamodb = {key: change[key] for key in (*order, "StreamViewType") if key in change}
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


# ---------------------------------------------------------------- the poller
class StreamPoller:
    """One event source mapping: its shard iterators, the records read but not yet delivered, and
    the retry count of the batch at their head. drain() may be called from any thread; one drain
    runs at a time (under `lock`), as Lambda delivers one batch per shard at a time, in order.
    `event_source_arn` is the ARN the function is told (by default the one read from)."""

    def __init__(
        self,
        *,
        client: Any,
        stream_arn: str,
        region: str,
        mapping: StreamMapping,
        invoke: Callable[[dict[str, Any]], Any],
        lock: threading.RLock | None = None,
        event_source_arn: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.mapping = mapping
        self._now = now  # the stack's clock: when a record was read
        self._client = client
        self._stream_arn = stream_arn
        self._event_source_arn = event_source_arn or stream_arn
        self._region = region
        self._invoke = invoke
        self._lock = lock or threading.RLock()
        self._pending: list[dict[str, Any]] = []
        self._attempts = 0
        self._known_shards: set[str] = set()
        self._shards_read_at = 0.0
        with self._lock:
            self._iterators: dict[str, str] = {}
            self._open_shards(mapping.starting_position)

    def drain(self) -> int:
        """Deliver everything the stream holds now, including what the deliveries write; returns
        how many records were handed to the function (retries not counted)."""
        delivered = 0
        with self._lock:
            for _ in range(MAX_ROUNDS):
                self._pending += [r for r in self._read() if self.mapping.accepts(r)]
                if not self._pending:
                    return delivered
                while self._pending:
                    delivered += self._deliver_head()
            log.warning(
                "%s: the stream still had records after %d rounds", self.mapping.function_id, MAX_ROUNDS
            )
        return delivered

    def _open_shards(self, position: str) -> None:
        """Start reading every shard not seen before: the ones there at the start from
        `position`; the ones that appear later (a shard rolls over into a child) from their
        first record, TRIM_HORIZON, as Lambda does."""
        stream = self._client.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        self._shards_read_at = time.monotonic()
        for shard in stream["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id in self._known_shards:
                continue
            self._known_shards.add(shard_id)
            if position == "LATEST" and "EndingSequenceNumber" in shard.get("SequenceNumberRange", {}):
                continue  # closed before we started: nothing in it is new
            self._iterators[shard_id] = self._client.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType=position
            )["ShardIterator"]

    def _read(self) -> list[dict[str, Any]]:
        if time.monotonic() - self._shards_read_at >= SHARD_REFRESH_SECONDS:
            self._open_shards("TRIM_HORIZON")
        records: list[dict[str, Any]] = []
        for shard_id, iterator in list(self._iterators.items()):
            while True:
                page = self._client.get_records(ShardIterator=iterator, Limit=1000)
                read_at = self._now()
                records += [
                    lambda_record(r, stream_arn=self._event_source_arn, region=self._region, read_at=read_at)
                    for r in page["Records"]
                ]
                next_iterator = page.get("NextShardIterator")
                if not next_iterator:  # a closed shard, fully read: its child comes next
                    del self._iterators[shard_id]
                    self._shards_read_at = 0.0
                    break
                self._iterators[shard_id] = iterator = next_iterator
                if not page["Records"]:
                    break
        return records

    def _deliver_head(self) -> int:
        """Invoke the function with the batch at the head of the queue; drop what is done."""
        batch = self._pending[: self.mapping.batch_size]
        first_failed = self._first_failure(batch)
        if first_failed is None:
            del self._pending[: len(batch)]
            self._attempts = 0
            return len(batch)
        if self._attempts < self.mapping.retries:
            self._attempts += 1
            del self._pending[:first_failed]  # Lambda checkpoints the records before the failure
            return first_failed
        log.error(
            "%s: %d stream record(s) still failing after %d retries, skipped (in AWS: sent to %s)",
            self.mapping.function_id,
            len(batch),
            self._attempts,
            self.mapping.on_failure or "nowhere: no on-failure destination",
        )
        del self._pending[: len(batch)]
        self._attempts = 0
        return len(batch)

    def _first_failure(self, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first record to retry, or None when the whole batch succeeded."""
        try:
            result = self._invoke({"Records": batch})
        except Exception:
            log.exception("%s raised on a batch of %d stream record(s)", self.mapping.function_id, len(batch))
            return 0
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return None
        if not self.mapping.report_batch_item_failures:
            log.warning(
                "%s reported batchItemFailures, but its event lacks FunctionResponseTypes: "
                "[ReportBatchItemFailures], so Lambda ignores them (as done here)",
                self.mapping.function_id,
            )
            return None
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        failed = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
        if any(identifier not in sequence for identifier in failed):
            return 0  # Lambda treats an unknown or empty identifier as a failure of the whole batch
        return min(sequence.index(identifier) for identifier in failed)
