"""Reads the tickets table's change stream and publishes what happened to tickets (opened, public
message added, closed with its reason, reopened, merged) to the stack's EventBridge bus for integrations
(helpdesk.services.event_publishing). A record that fails is reported back
(ReportBatchItemFailures) and retried by the stream; one already published is not published again."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.observability import count, logger, metrics, record_decision
from helpdesk.runtime import event_publisher
from helpdesk.services.event_publishing import PublishOutcome
from helpdesk.store.stream import events_of

service = event_publisher()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def publish(record: DynamoDBRecord) -> None:
    for event in events_of(record.raw_event, default_time=datetime.now(UTC)):
        try:
            decision = service.publish(event)
        except Exception:
            logger.exception("publishing failed", extra={"event_id": record.event_id})
            count("EventPublishingFailed")
            raise
        if decision.outcome is PublishOutcome.NOT_PUBLISHED:
            continue
        record_decision(
            "EventPublished",
            decision.ticket_id,
            {"outcome": decision.outcome.value, "kind": decision.detail_type or "none"},
        )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=publish, processor=processor, context=context)
    )
