"""Reads the tickets table's change stream and mails customers: the receipt, operator replies,
the auto-close notice and the close confirmation. A record that fails is reported back
(ReportBatchItemFailures) and retried by the stream; one already sent is never sent twice."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.notifications import Change
from helpdesk.observability import logger, metrics
from helpdesk.runtime import notifier

service = notifier()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        change = Change.of(record, default_time=datetime.now(UTC))
        try:
            outcome = service.handle(change)
        except Exception:
            logger.exception("notification failed", extra={"event_id": change.event_id})
            metrics.add_metric(name="NotificationFailed", unit=MetricUnit.Count, value=1)
            failures.append(
                {"itemIdentifier": record.get("dynamodb", {}).get("SequenceNumber", change.event_id)}
            )
            continue
        if outcome not in ("not_notified", "duplicate"):
            metrics.add_metric(name=f"Notification_{outcome}", unit=MetricUnit.Count, value=1)
    return {"batchItemFailures": failures}
