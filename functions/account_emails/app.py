"""/account/emails: the account's e-mail addresses. Customers add their own, and each stays
pending until its owner confirms it from the mail we send it (POST /account/emails/confirm, which
needs no sign-in: the link or code is the proof). Only confirmed addresses authorize mail."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.clock import to_iso
from helpdesk.domain.models import AuthorizedEmail
from helpdesk.http.api import ERROR_RESPONSES, RATE_LIMITED_RESPONSE, create_api, current_caller, request_time
from helpdesk.http.schemas import (
    AddEmailRequest,
    AuthorizedEmailOut,
    AuthorizedEmailsOut,
    ConfirmedEmailOut,
    ConfirmEmailRequest,
    UndeliverableOut,
)
from helpdesk.observability import logger, metrics
from helpdesk.runtime import account_service, address_confirmation

app = create_api()
service = account_service()


def _out(email: AuthorizedEmail) -> AuthorizedEmailOut:
    return AuthorizedEmailOut(
        email=email.email,
        added_at=to_iso(email.added_at),
        primary=email.primary,
        status="pending" if email.pending else "confirmed",
        sign_in=email.sign_in,
        expires_at=to_iso(email.expires_at) if email.expires_at else None,
        undeliverable=UndeliverableOut.of(email.undeliverable),
    )


@app.get(
    "/account/emails",
    summary="List the account's e-mail addresses",
    tags=["account"],
    responses={
        200: {"description": "The addresses, pending and confirmed, oldest first; the primary is marked."},
        **ERROR_RESPONSES,
    },
)
def list_emails() -> AuthorizedEmailsOut:
    caller = current_caller(app)
    service.record_sign_in(caller, request_time(app))
    return AuthorizedEmailsOut(items=[_out(e) for e in service.emails(caller, request_time(app))])


@app.post(
    "/account/emails",
    summary="Add an e-mail address (pending until its owner confirms it)",
    tags=["account"],
    responses={
        202: {
            "description": "Pending: a confirmation mail was sent to the address (again, if it was pending)."
        },
        200: {"description": "It already is a confirmed address of the account."},
        **ERROR_RESPONSES,
        429: RATE_LIMITED_RESPONSE,
    },
)
def add_email(request: Annotated[AddEmailRequest, Body()]) -> Response[AuthorizedEmailOut]:
    email, mailed = address_confirmation().request(current_caller(app), request.email, request_time(app))
    return Response(
        status_code=202 if mailed else 200,
        content_type=content_types.APPLICATION_JSON,
        body=_out(email),
    )


@app.post(
    "/account/emails/confirm",
    summary="Confirm an address with the link's token or the mail's code (no sign-in needed)",
    tags=["account"],
    responses={
        200: {"description": "Confirmed (also when it already was, on this account)."},
        **ERROR_RESPONSES,
        429: RATE_LIMITED_RESPONSE,
    },
)
def confirm_email(request: Annotated[ConfirmEmailRequest, Body()]) -> ConfirmedEmailOut:
    now = request_time(app)
    if request.token is not None:
        address = address_confirmation().confirm_token(request.token, now)
    else:
        address = address_confirmation().confirm_code(request.email or "", request.code or "", now)
    return ConfirmedEmailOut(email=address)


@app.post(
    "/account/emails/<email>/reconfirm",
    summary="Confirm again an address our mail no longer reaches (it bounced or complained)",
    tags=["account"],
    responses={
        202: {"description": "Pending again: a new confirmation mail was sent to the address."},
        200: {"description": "The address receives our mail: nothing to confirm again."},
        **ERROR_RESPONSES,
        429: RATE_LIMITED_RESPONSE,
    },
)
def reconfirm_email(email: str) -> Response[AuthorizedEmailOut]:
    address, mailed = address_confirmation().reconfirm(current_caller(app), email, request_time(app))
    return Response(
        status_code=202 if mailed else 200,
        content_type=content_types.APPLICATION_JSON,
        body=_out(address),
    )


@app.delete(
    "/account/emails/<email>",
    summary="Remove an e-mail address (at once)",
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
