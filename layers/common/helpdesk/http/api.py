"""The resolver every API function uses: validation on, request size limited, identity and time
taken from the event, and every error turned into a JSON body with a code and a sentence.
This is the only module that knows which HTTP status each domain error is."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header

from helpdesk.clock import from_epoch_ms
from helpdesk.config import settings
from helpdesk.domain.errors import (
    Conflict,
    HelpdeskError,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidValue,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    RequestTooLarge,
)
from helpdesk.domain.models import Caller, Role
from helpdesk.http.schemas import ErrorOut
from helpdesk.observability import logger

HTTP_STATUS: dict[type[HelpdeskError], int] = {
    InvalidInput: 400,
    NotAuthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    RequestTooLarge: 413,
    InvalidValue: 422,
    IdempotencyKeyReused: 422,
}

# Error responses every route may give, for the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {"application/json": {"model": ErrorOut}},
    }
    for status, description in {
        400: "Malformed request (bad JSON, cursor or header).",
        401: "No valid token.",
        403: "The caller's role may not do this.",
        404: "No such ticket on the caller's account.",
        409: "The ticket's status or version does not allow this.",
        413: "The request body is too large.",
        422: "The request body or a parameter is not valid.",
    }.items()
}


def error_response(
    status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message, "details": details or []}},
    )


class HelpdeskApi(APIGatewayHttpResolver):
    """The Powertools resolver, refusing oversized bodies before anything parses them (request
    validation runs ahead of every middleware, so these checks sit in front of `resolve`)."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        body = event.get("body") or ""
        size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
        limit = settings().max_request_bytes
        if size > limit:
            message = f"The request is {size:,} bytes; the most this API accepts is {limit:,} bytes."
            return {
                "statusCode": 413,
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "body": json.dumps(
                    {"error": {"code": RequestTooLarge.code, "message": message, "details": []}}
                ),
                "isBase64Encoded": False,
            }
        headers = event.get("headers") or {}
        if body and "json" not in headers.get("content-type", ""):
            # This API speaks only JSON: read any body as JSON (curl -d labels it a form), so a
            # missing header never turns a good request into a confusing "field is required".
            event = {**event, "headers": {**headers, "content-type": "application/json"}}
        return super().resolve(event, context)


def create_api() -> HelpdeskApi:
    app = HelpdeskApi(enable_validation=True)

    @app.exception_handler(HelpdeskError)
    def _domain_error(error: HelpdeskError) -> Response[Any]:
        status = next((code for cls, code in HTTP_STATUS.items() if isinstance(error, cls)), 400)
        logger.info("request refused", extra={"code": error.code, "status": status})
        return error_response(status, error.code, error.message, error.details)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[Any]:
        details = [_describe(e) for e in error.errors()]
        if any(e.get("type") == "json_invalid" for e in error.errors()):
            return error_response(400, "malformed_json", "The request body is not valid JSON.", details)
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        return error_response(422, "invalid_request", f"The request is not valid. {summary}.", details)

    @app.not_found
    def _no_route(_error: NotFoundError) -> Response[Any]:
        return error_response(404, "no_such_route", "There is no such address in this API.")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.exception("unexpected error")
        return error_response(
            500, "internal_error", "Something went wrong on our side. Nothing was lost; please try again."
        )

    return app


def _describe(error: Any) -> dict[str, str]:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(location) or "body"
    message = str(error.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "is not a field you can set"
    elif error.get("type") == "missing":
        message = "is required"
    return {"field": field, "message": message}


# -------------------------------------------------------------------- event helpers
def current_caller(app: APIGatewayHttpResolver) -> Caller:
    """The caller, from the JWT claims the authorizer verified. Operators are members of the
    operators group; a customer's account is the custom:account_id claim."""
    authorizer = app.current_event.request_context.authorizer
    claims: dict[str, Any] = (authorizer.jwt_claim if authorizer else None) or {}
    if not claims or not claims.get("sub"):
        raise NotAuthenticated("Sign in first: this request carries no valid token.")
    name = str(claims.get("email") or claims.get("cognito:username") or claims["sub"])
    if settings().operators_group in _groups(claims.get("cognito:groups")):
        return Caller(role=Role.OPERATOR, name=name)
    account = claims.get("custom:account_id")
    return Caller(role=Role.CUSTOMER, name=name, account_id=str(account) if account else None)


def _groups(claim: object) -> set[str]:
    """cognito:groups reaches an HTTP API either as a JSON list or as a string "[a b]"."""
    if isinstance(claim, list):
        return {str(g) for g in claim}
    if isinstance(claim, str):
        return {g for g in re.split(r"[\s,]+", claim.strip().strip("[]")) if g}
    return set()


def request_time(app: APIGatewayHttpResolver) -> datetime:
    """When API Gateway received the request: the domain's "now"."""
    return from_epoch_ms(int(app.current_event.request_context.time_epoch))


IfMatch = Annotated[
    str | None,
    Header(
        alias="if-match",
        max_length=64,
        description='The ticket version you loaded (its ETag, e.g. "3"). When the ticket has '
        "changed since, the request is refused with 409 and nothing is saved.",
    ),
]


def expected_version(if_match: str | None) -> int | None:
    """The version from an If-Match header ("3", "\"3\"" or W/"3"), or None without one."""
    if if_match is None or not if_match.strip():
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput(
            'If-Match must be the ticket version you loaded, e.g. If-Match: "3".',
            details=[{"field": "If-Match", "message": "Not a ticket version."}],
        )
    return int(text)


def with_etag(body: Any, version: int) -> Response[Any]:
    """A 200 JSON response carrying the ticket's version as its ETag (what If-Match sends back)."""
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"ETag": f'"{version}"'},
    )
