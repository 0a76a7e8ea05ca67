"""Runs on the EventBridge schedule: closes WAITING tickets whose customer stayed silent past
AUTO_CLOSE_HOURS. "Now" is the scheduled event's `time`, so a run is reproducible."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.observability import logger, metrics
from helpdesk.runtime import auto_closer

service = auto_closer()


@logger.inject_lambda_context
@metrics.log_metrics
@event_parser(model=EventBridgeModel)
def lambda_handler(event: EventBridgeModel, context: LambdaContext) -> dict[str, Any]:
    report = service.run(event.time)
    metrics.add_metric(name="TicketsAutoClosed", unit=MetricUnit.Count, value=report.closed)
    metrics.add_metric(name="AutoCloseSkipped", unit=MetricUnit.Count, value=report.skipped)
    logger.info("auto-close run", extra={"event_id": event.id, "at": event.time.isoformat(), **vars(report)})
    return {
        "closed": report.closed,
        "skipped": report.skipped,
        "due": report.due,
        "items_read": report.items_read,
    }
