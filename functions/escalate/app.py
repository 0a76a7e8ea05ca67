"""Runs on the EventBridge schedule: alerts on response targets due within the warning window and
on those breached, once per target and stage. "Now" is the scheduled event's `time`, so a run is
reproducible."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.observability import logger, metrics
from helpdesk.runtime import escalator

service = escalator()


@logger.inject_lambda_context
@metrics.log_metrics
@event_parser(model=EventBridgeModel)
def lambda_handler(event: EventBridgeModel, context: LambdaContext) -> dict[str, Any]:
    report = service.run(event.time)
    metrics.add_metric(name="SlaWarnings", unit=MetricUnit.Count, value=report.warned)
    metrics.add_metric(name="SlaBreaches", unit=MetricUnit.Count, value=report.breached)
    logger.info("escalation run", extra={"event_id": event.id, "at": event.time.isoformat(), **vars(report)})
    return dict(vars(report))
