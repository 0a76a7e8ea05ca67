"""GET /tickets/{id}: a ticket with its messages, oldest first; for operators also its SLA clock
and the customer's addresses our mail no longer reaches."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import (
    ERROR_RESPONSES,
    create_api,
    current_caller,
    reader_language,
    request_time,
    with_etag,
)
from helpdesk.http.schemas import TicketThreadOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import customer_mail, ticket_service

app = create_api()
service = ticket_service()
mail = customer_mail()


@app.get(
    "/tickets/<id>",
    summary="Read a ticket and its thread",
    tags=["tickets"],
    responses={200: {"description": "The ticket; ETag carries its version."}, **ERROR_RESPONSES},
)
def get_ticket(id: str) -> Response[TicketThreadOut]:  # noqa: A002 - the route's path parameter
    caller = current_caller(app)
    thread = service.get_ticket(caller, id)
    sla = service.sla_of(caller, thread.ticket, request_time(app))
    language = reader_language(app.current_event.headers)
    undeliverable = mail.undeliverable(caller, thread.ticket)  # operators: one more Query
    customer_view = not caller.is_operator
    body = TicketThreadOut.of_thread(thread, sla, language, undeliverable, customer_view=customer_view)
    return with_etag(body, thread.ticket.version, language=language)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
