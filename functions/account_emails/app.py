"""/account/emails: the e-mail addresses authorized to open and answer the account's tickets by
mail. Customers manage their own; the oldest address is the account's primary one."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.clock import to_iso
from helpdesk.domain.models import AuthorizedEmail
from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, request_time
from helpdesk.http.schemas import AddEmailRequest, AuthorizedEmailOut, AuthorizedEmailsOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import account_service

app = create_api()
service = account_service()


def _out(email: AuthorizedEmail) -> AuthorizedEmailOut:
    return AuthorizedEmailOut(email=email.email, added_at=to_iso(email.added_at), primary=email.primary)


@app.get(
    "/account/emails",
    summary="List authorized e-mail addresses",
    tags=["account"],
    responses={200: {"description": "The addresses, the primary (oldest) first."}, **ERROR_RESPONSES},
)
def list_emails() -> AuthorizedEmailsOut:
    emails = service.emails(current_caller(app))
    return AuthorizedEmailsOut(items=[_out(e) for e in emails])


@app.post(
    "/account/emails",
    summary="Authorize an e-mail address",
    tags=["account"],
    responses={
        201: {"description": "Authorized now."},
        200: {"description": "It already was."},
        **ERROR_RESPONSES,
    },
)
def add_email(request: Annotated[AddEmailRequest, Body()]) -> Response[AuthorizedEmailOut]:
    email, added = service.add_email(current_caller(app), request.email, request_time(app))
    return Response(
        status_code=201 if added else 200,
        content_type=content_types.APPLICATION_JSON,
        body=_out(email),
    )


@app.delete(
    "/account/emails/<email>",
    summary="Remove an authorized e-mail address",
    tags=["account"],
    responses={204: {"description": "Removed (no body).", "content": {}}, **ERROR_RESPONSES},
)
def remove_email(email: str) -> Response[None]:
    service.remove_email(current_caller(app), email)
    return Response(status_code=204, content_type=None, body=None)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
