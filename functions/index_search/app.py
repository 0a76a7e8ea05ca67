"""Keeps the word index in step with the tickets: reads the table's stream (ticket items only)
and, when a ticket's searchable words grew, writes the index entries of the new words' prefixes.
Writing an entry twice writes the same item, so a redelivered record does no harm; a record
that fails is reported back (ReportBatchItemFailures) and retried by the stream."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.observability import count, logger, metrics
from helpdesk.runtime import search_indexer
from helpdesk.store.stream import words_added_of

service = search_indexer()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def index(record: DynamoDBRecord) -> None:
    event = words_added_of(record.raw_event)
    try:
        written = service.handle(event)
    except Exception:
        logger.exception("indexing failed", extra={"event_id": record.event_id})
        count("SearchIndexFailed")
        raise
    if written:
        logger.debug("indexed", extra={"ticket_id": event.ticket_id if event else None, "entries": written})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=index, processor=processor, context=context)
    )
