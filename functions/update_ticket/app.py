"""PATCH /tickets/{id}: an operator sets a ticket's priority and/or tags."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.domain.attributes import Priority
from helpdesk.http.api import (
    ERROR_RESPONSES,
    IfMatch,
    create_api,
    current_caller,
    expected_version,
    request_time,
    with_etag,
)
from helpdesk.http.schemas import TicketAttributesRequest, TicketOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import ticket_attributes, ticket_service

app = create_api()
service = ticket_attributes()
tickets = ticket_service()


@app.patch(
    "/tickets/<id>",
    summary="Set a ticket's priority and tags (operators)",
    tags=["tickets"],
    responses={200: {"description": "The changed ticket; ETag carries its new version."}, **ERROR_RESPONSES},
)
def update_ticket(
    id: str,  # noqa: A002 - the route's path parameter
    request: Annotated[TicketAttributesRequest, Body()],
    if_match: IfMatch = None,
) -> Response[TicketOut]:
    caller = current_caller(app)
    now = request_time(app)
    ticket = service.update(
        caller,
        id,
        now=now,
        priority=Priority(request.priority) if request.priority else None,
        tags=request.tags,
        expected_version=expected_version(if_match),
    )
    return with_etag(TicketOut.of(ticket, tickets.sla_of(caller, ticket, now)), ticket.version)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
