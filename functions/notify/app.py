"""Reads the tickets table's change stream and mails customers (the receipt, operator replies,
the auto-close notice and the close confirmation) and operators (new tickets, customer answers,
tickets handed to them, colleagues' notes, SLA alerts). Powertools' batch utility reports a
record that fails back (ReportBatchItemFailures), and the stream retries it; a mail already sent
is never sent twice (markers per record, and per record and operator)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.observability import count, logger, metrics, record_decision
from helpdesk.runtime import notifier, staff_notifier
from helpdesk.services.notifications import NotificationOutcome
from helpdesk.services.staff_notifications import StaffOutcome
from helpdesk.store.stream import event_of

service = notifier()
staff = staff_notifier()
# A batch whose every record failed is reported like any other (the stream retries those records),
# not raised: raising would retry the records that did succeed too.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)

_QUIET = frozenset({NotificationOutcome.NOT_NOTIFIED, NotificationOutcome.DUPLICATE})


def notify(record: DynamoDBRecord) -> None:
    event = event_of(record.raw_event, default_time=datetime.now(UTC))
    try:
        decision = service.handle(event)
        # After the customer's mail: a retried record skips what was sent (both keep markers).
        staff_decision = staff.handle(event)
    except Exception:
        logger.exception("notification failed", extra={"event_id": record.event_id})
        count("NotificationFailed")
        raise
    if decision.outcome not in _QUIET:
        dimensions = {"outcome": decision.outcome.value}
        if decision.reason:
            dimensions["kind"] = decision.reason
        record_decision("Notification", decision.ticket_id, dimensions, recipients=decision.recipients)
    if staff_decision.outcome is not StaffOutcome.NOT_NOTIFIED:
        staff_dimensions = {"outcome": staff_decision.outcome.value}
        if staff_decision.kind:
            staff_dimensions["kind"] = staff_decision.kind.value
        record_decision(
            "StaffNotification",
            staff_decision.ticket_id,
            staff_dimensions,
            recipients=staff_decision.recipients,
        )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=notify, processor=processor, context=context)
    )
