"""Runs on the EventBridge schedule: closes WAITING tickets whose customer stayed silent past
AUTO_CLOSE_HOURS, then records the reminders due AUTO_CLOSE_REMINDER_HOURS before a close (the
mails go out from the table's stream). "Now" is the scheduled event's `time`, so a run is
reproducible. Closes come first: a reminder whose close is already due is not sent."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.observability import logger, metrics
from helpdesk.runtime import auto_close_reminder, auto_closer

service = auto_closer()
reminders = auto_close_reminder()


@logger.inject_lambda_context
@metrics.log_metrics
@event_parser(model=EventBridgeModel)
def lambda_handler(event: EventBridgeModel, context: LambdaContext) -> dict[str, Any]:
    report = service.run(event.time)
    reminded = reminders.run(event.time)
    metrics.add_metric(name="TicketsAutoClosed", unit=MetricUnit.Count, value=report.closed)
    metrics.add_metric(name="AutoCloseSkipped", unit=MetricUnit.Count, value=report.skipped)
    metrics.add_metric(name="AutoCloseReminders", unit=MetricUnit.Count, value=reminded.reminded)
    logger.info("auto-close run", extra={"event_id": event.id, "at": event.time.isoformat(), **vars(report)})
    logger.info("auto-close reminder run", extra={"event_id": event.id, **vars(reminded)})
    return {
        "closed": report.closed,
        "skipped": report.skipped,
        "due": report.due,
        "items_read": report.items_read,
        "reminders": {
            "due": reminded.due,
            "reminded": reminded.reminded,
            "skipped": reminded.skipped,
            "items_read": reminded.items_read,
        },
    }
