"""Reads the tickets table's change stream (ticket and rating items, by its FilterCriteria) and keeps
the reports' aggregates: each record's additions and its marker in one transaction, so a
redelivered record counts once. A record that fails is reported back (ReportBatchItemFailures)
and the stream retries it; after the retries it goes to ReportFailures."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.observability import count, logger, metrics
from helpdesk.runtime import report_aggregator
from helpdesk.services.reports import AggregationOutcome
from helpdesk.store.stream import rating_change_of, ticket_change_of

service = report_aggregator()
# As in notify: a batch whose every record failed is reported, not raised.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def aggregate(record: DynamoDBRecord) -> None:
    change = ticket_change_of(record.raw_event) or rating_change_of(record.raw_event)
    if change is None:
        return
    try:
        outcome = service.handle(change)
    except Exception:
        logger.exception("report aggregation failed", extra={"event_id": record.event_id})
        count("ReportAggregationFailed")
        raise
    if outcome is AggregationOutcome.DUPLICATE:
        logger.info("stream record counted before", extra={"event_id": record.event_id})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=aggregate, processor=processor, context=context)
    )
