"""One logger and one metrics object for the whole process, imported everywhere, and how a
decision is recorded: logged with the ticket id appended to the logger's keys, and counted as one
metric whose dimensions say which decision it was (not a metric name per decision).

No Tracer: it imports the X-Ray SDK even when tracing is off, which costs more cold start than
this service's handlers themselves (see docs/decisions.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger()
metrics = Metrics()


def record_decision(metric: str, ticket_id: str | None, dimensions: dict[str, str], **details: Any) -> None:
    """Log the decision (its dimensions and details, with the ticket id appended to the logger's
    keys) and count one `metric` with those dimensions."""
    with logger.append_context_keys(ticket_id=ticket_id):
        logger.info(metric, extra={**dimensions, **details})
    count(metric, **dimensions)


def count(metric: str, **dimensions: str) -> None:
    """One `metric`, with its own dimensions (a single-metric EMF blob, so dimensions do not leak
    into the function's other metrics)."""
    with single_metric(
        name=metric,
        unit=MetricUnit.Count,
        value=1,
        namespace=metrics.namespace,
        default_dimensions=_defaults(),
    ) as one:
        for name, value in dimensions.items():
            one.add_dimension(name=name, value=value)


def _defaults() -> dict[str, Any]:
    return dict(metrics.default_dimensions)
