"""POST /tickets/{id}/replies: a reply (customer or operator) or an operator's internal note."""

from typing import Annotated, Any

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
)
from helpdesk.http.schemas import MessageOut, ReplyRequest
from helpdesk.observability import logger, metrics
from helpdesk.runtime import file_service, ticket_service

app = create_api()
service = ticket_service()


@app.post(
    "/tickets/<id>/replies",
    summary="Reply to a ticket, or add an internal note",
    tags=["tickets"],
    responses={201: {"description": "The message as stored."}, **ERROR_RESPONSES},
)
def reply(
    id: str,  # noqa: A002 - the route's path parameter
    request: Annotated[ReplyRequest, Body()],
    if_match: IfMatch = None,
) -> tuple[MessageOut, int]:
    caller = current_caller(app)
    with file_service().attaching(caller, id, request.attachments) as attachments:
        message = service.reply(
            caller,
            id,
            body=request.body,
            internal=request.internal,
            now=request_time(app),
            expected_version=expected_version(if_match),
            attachments=attachments,
        )
    kind = "InternalNote" if request.internal else f"{caller.role.value.capitalize()}Reply"
    metrics.add_metric(name=kind, unit=MetricUnit.Count, value=1)
    return MessageOut.of(message), 201


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
