"""POST /tickets/{id}/assign: an operator takes a ticket, hands it to another operator, or
leaves it unassigned."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
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
from helpdesk.http.schemas import AssignRequest, TicketOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import assignment_service
from helpdesk.services.assignment import ABSENT

app = create_api()
service = assignment_service()


@app.post(
    "/tickets/<id>/assign",
    summary="Assign a ticket (operators)",
    tags=["tickets"],
    responses={200: {"description": "The assigned ticket."}, **ERROR_RESPONSES},
)
def assign(
    id: str,  # noqa: A002 - the route's path parameter
    request: Annotated[AssignRequest | None, Body()] = None,
    if_match: IfMatch = None,
) -> Response[TicketOut]:
    caller = current_caller(app)
    # {"assignee": null} unassigns; no body, or a body without "assignee", means "I take it".
    named = request is not None and "assignee" in request.model_fields_set
    ticket = service.assign(
        caller,
        id,
        assignee=request.assignee if request is not None and named else ABSENT,
        now=request_time(app),
        expected_version=expected_version(if_match),
    )
    return with_etag(TicketOut.of(ticket), ticket.version)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
