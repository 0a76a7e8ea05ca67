"""POST /tickets: a customer opens a ticket, or an operator opens one for a customer who called
or chatted. It starts OPEN ("Abierto")."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, request_time
from helpdesk.http.schemas import OpenTicketRequest, TicketOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import account_service, file_service, ticket_service, tickets_for_customers
from helpdesk.services.tickets_for_customers import refuse_operator_fields

app = create_api()
service = ticket_service()

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="idempotency-key",
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key when retrying: the retry returns the same ticket.",
    ),
]


@app.post(
    "/tickets",
    summary="Open a ticket",
    tags=["tickets"],
    responses={201: {"description": "The new ticket."}, **ERROR_RESPONSES},
)
def open_ticket(
    request: Annotated[OpenTicketRequest, Body()], idempotency_key: IdempotencyKey = None
) -> tuple[TicketOut, int]:
    caller = current_caller(app)
    if caller.is_operator:
        # An operator's uploads belong to a ticket (POST /uploads): a new one has none yet.
        with file_service().attaching(caller, None, request.attachments) as attachments:
            ticket = tickets_for_customers().open(
                caller,
                account_id=request.account_id,
                channel=request.channel,
                department=request.department,
                subject=request.subject,
                body=request.body,
                now=request_time(app),
                idempotency_key=idempotency_key,
                attachments=attachments,
            )
        metrics.add_metric(name="TicketOpened", unit=MetricUnit.Count, value=1)
        return TicketOut.of(ticket), 201
    refuse_operator_fields(request.account_id, request.channel)
    # The verified sign-in e-mail becomes a confirmed address first, so the receipt reaches it.
    account_service().record_sign_in(caller, request_time(app), complete=False)
    with file_service().attaching(caller, None, request.attachments) as attachments:
        ticket = service.open_ticket(
            caller,
            department=request.department,
            subject=request.subject,
            body=request.body,
            now=request_time(app),
            idempotency_key=idempotency_key,
            attachments=attachments,
        )
    metrics.add_metric(name="TicketOpened", unit=MetricUnit.Count, value=1)
    return TicketOut.of(ticket, customer_view=True), 201


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
