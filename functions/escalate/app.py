"""Runs on the EventBridge schedule: alerts on response targets due within the warning window and
on those breached, once per target and stage. "Now" is the scheduled event's `time`, so a run is
reproducible."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.clock import from_iso
from helpdesk.observability import logger, metrics
from helpdesk.runtime import escalator

service = escalator()


@logger.inject_lambda_context
@metrics.log_metrics
# The event as Powertools' data class, not its parser: the parser's pydantic models of every event
# source, built at import, were most of this function's own cold start (docs/decisions.md, "Cold start").
@event_source(data_class=EventBridgeEvent)
def lambda_handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    now = from_iso(event.time)
    report = service.run(now)
    metrics.add_metric(name="SlaWarnings", unit=MetricUnit.Count, value=report.warned)
    metrics.add_metric(name="SlaBreaches", unit=MetricUnit.Count, value=report.breached)
    logger.info("escalation run", extra={"event_id": event.get_id, "at": now.isoformat(), **vars(report)})
    return dict(vars(report))
