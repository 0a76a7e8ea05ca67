"""POST /tickets/{id}/merge: an operator merges a duplicate ticket into another of the same account."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
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
from helpdesk.http.schemas import MergeRequest, TicketOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import ticket_merger

app = create_api()
service = ticket_merger()


@app.post(
    "/tickets/<id>/merge",
    summary="Merge a ticket into another of the same account (operators)",
    tags=["tickets"],
    responses={
        200: {"description": "The merged ticket: closed, reason merged, with merged_into; ETag its version."},
        **ERROR_RESPONSES,
    },
)
def merge(
    id: str,  # noqa: A002 - the route's path parameter
    request: Annotated[MergeRequest, Body()],
    if_match: IfMatch = None,
) -> Response[TicketOut]:
    ticket = service.merge(
        current_caller(app),
        id,
        into=request.into,
        now=request_time(app),
        expected_version=expected_version(if_match),
    )
    metrics.add_metric(name="TicketMerged", unit=MetricUnit.Count, value=1)
    return with_etag(TicketOut.of(ticket), ticket.version)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
