"""POST /tickets/{id}/close: the customer or an operator closes an OPEN or WAITING ticket."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import (
    ERROR_RESPONSES,
    IfMatch,
    create_api,
    current_caller,
    expected_version,
    request_time,
    with_etag,
)
from helpdesk.http.schemas import TicketOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import ticket_service

app = create_api()
service = ticket_service()


@app.post(
    "/tickets/<id>/close",
    summary="Close a ticket",
    tags=["tickets"],
    responses={200: {"description": "The closed ticket."}, **ERROR_RESPONSES},
)
def close(id: str, if_match: IfMatch = None) -> Response[TicketOut]:  # noqa: A002 - path parameter
    caller = current_caller(app)
    ticket = service.close(caller, id, now=request_time(app), expected_version=expected_version(if_match))
    metrics.add_metric(name="TicketClosed", unit=MetricUnit.Count, value=1)
    return with_etag(TicketOut.of(ticket, customer_view=not caller.is_operator), ticket.version)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
