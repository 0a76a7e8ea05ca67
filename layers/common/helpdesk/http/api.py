"""The resolver every API function uses: validation on, request size limited, the body read as
UTF-8 JSON, identity and time taken from the event, and every error turned into a JSON body with a
code and a sentence in the reader's language (helpdesk.http.messages). This is the only module that
knows which HTTP status each domain error is."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader

from helpdesk.clock import from_epoch_ms
from helpdesk.config import settings
from helpdesk.domain.errors import (
    Conflict,
    FieldProblem,
    HelpdeskError,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidValue,
    MergeRefused,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    RequestTooLarge,
    TooManyRequests,
)
from helpdesk.domain.limits import MAX_DISPLAY_NAME
from helpdesk.domain.models import Caller, Role
from helpdesk.domain.text import one_line
from helpdesk.http import messages
from helpdesk.http.messages import Language
from helpdesk.http.schemas import ErrorOut, GatewayErrorOut
from helpdesk.observability import logger

HTTP_STATUS: dict[type[HelpdeskError], int] = {
    InvalidInput: 400,
    NotAuthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    RequestTooLarge: 413,
    InvalidValue: 422,
    MergeRefused: 422,
    IdempotencyKeyReused: 422,
    TooManyRequests: 429,
}

# The sentence for an error whose reason the catalogue does not know, by status.
_GENERIC = {
    401: "generic_not_authenticated",
    403: "generic_forbidden",
    404: "generic_not_found",
    409: "generic_conflict",
    429: "generic_rate_limited",
}


_CONTENT_LANGUAGE: dict[str, OpenAPIResponseHeader] = {
    "Content-Language": {
        "description": "The language of the error's message and details (es or en, from Accept-Language).",
        "schema": {"type": "string", "enum": ["es", "en"]},
    }
}


def _errors(description: str, model: Any = ErrorOut) -> OpenAPIResponse:
    return {
        "description": description,
        "headers": _CONTENT_LANGUAGE,
        "content": {"application/json": {"model": model}},
    }


# Error responses every route may give, for the OpenAPI document. 401 comes from API Gateway's JWT
# authorizer (its own body) before the function runs; 413 from API Gateway above its 10 MB payload
# limit, from the function above the API's own limit.
ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    400: _errors("Malformed request (bad JSON, text that is not UTF-8, cursor or header)."),
    401: _errors(
        'No valid token: the JWT authorizer answers {"message": "Unauthorized"} and a '
        "WWW-Authenticate header saying why.",
        GatewayErrorOut | ErrorOut,
    ),
    403: _errors("The caller's role may not do this."),
    404: _errors("No such ticket on the caller's account."),
    409: _errors("The ticket's status or version does not allow this."),
    413: _errors("The request body is too large.", ErrorOut | GatewayErrorOut),
    422: _errors("The request body or a parameter is not valid."),
}
# Only the routes that count requests answer 429.
RATE_LIMITED_RESPONSE = _errors("Too many requests of this kind for now; try again later.")


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    *,
    language: Language,
) -> Response[Any]:
    """The error body; Content-Language says which language its sentences are in."""
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message, "details": details or []}},
        headers={"Content-Language": language},
    )


def reader_language(headers: Mapping[str, str] | None) -> Language:
    """The language of the person reading the answer, from the request's Accept-Language."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "accept-language"), None)
    return messages.negotiate(value)


class HelpdeskApi(APIGatewayHttpResolver):
    """The Powertools resolver, refusing oversized and undecodable bodies before anything parses
    them (request validation runs ahead of every middleware, so these checks sit in front of
    `resolve`): a body must be UTF-8 text, whether API Gateway passed it as text or as base64."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        language = reader_language(event.get("headers"))
        body = event.get("body") or ""
        size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
        limit = settings().max_request_bytes
        if size > limit:
            return _early_refusal(
                413,
                RequestTooLarge.code,
                messages.text("request_too_large", language, size=size, limit=limit),
                language,
            )
        if event.get("isBase64Encoded") and body:
            try:
                raw = base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError):
                message = messages.text("body_not_base64", language)
                return _early_refusal(400, "malformed_body", message, language)
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                message = messages.text("body_not_utf8", language, position=error.start)
                return _early_refusal(400, "malformed_body", message, language)
            event = {**event, "body": body, "isBase64Encoded": False}
        headers = event.get("headers") or {}
        if body and "json" not in headers.get("content-type", ""):
            # This API speaks only JSON: read any body as JSON (curl -d labels it a form), so a
            # missing header never turns a good request into a confusing "field is required".
            event = {**event, "headers": {**headers, "content-type": "application/json"}}
        return super().resolve(event, context)


def _early_refusal(status: int, code: str, message: str, language: Language) -> dict[str, Any]:
    """An error answered before the resolver runs, in the shape error_response gives."""
    logger.info("request refused", extra={"code": code, "status": status})
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON, "Content-Language": language},
        "body": json.dumps({"error": {"code": code, "message": message, "details": []}}, ensure_ascii=False),
        "isBase64Encoded": False,
    }


def create_api() -> HelpdeskApi:
    app = HelpdeskApi(enable_validation=True)

    def language() -> Language:
        return reader_language(app.current_event.headers)

    @app.exception_handler(HelpdeskError)
    def _domain_error(error: HelpdeskError) -> Response[Any]:
        status = next((code for cls, code in HTTP_STATUS.items() if isinstance(error, cls)), 400)
        logger.info("request refused", extra={"code": error.code, "reason": error.reason, "status": status})
        lang = language()
        details = [_field_problem(problem, lang) for problem in error.details]
        return error_response(status, error.code, _sentence(error, status, lang), details, language=lang)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[Any]:
        lang = language()
        problems = error.errors()
        broken_json = next((e for e in problems if e.get("type") == "json_invalid"), None)
        if broken_json is not None:
            # Its loc is ("body", <character position>): a position, not a field.
            position = next((p for p in broken_json.get("loc", ()) if isinstance(p, int)), 0)
            message = messages.text("malformed_json", lang, position=position)
            return error_response(400, "malformed_json", message, language=lang)
        details = [_field_problem(_validation_problem(e), lang) for e in problems]
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        message = messages.text("invalid_request", lang, summary=summary)
        return error_response(422, "invalid_request", message, details, language=lang)

    @app.not_found
    def _no_route(_error: NotFoundError) -> Response[Any]:
        lang = language()
        return error_response(404, "no_such_route", messages.text("no_such_route", lang), language=lang)

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.exception("unexpected error")
        lang = language()
        return error_response(500, "internal_error", messages.text("internal_error", lang), language=lang)

    return app


def _sentence(error: HelpdeskError, status: int, language: Language) -> str:
    if messages.has(error.reason):
        return messages.text(error.reason, language, **error.params)
    # A reason missing from the catalogue is a bug (a test looks for them); still answer in words.
    logger.warning("no catalogue sentence for this reason", extra={"reason": error.reason})
    return messages.text(_GENERIC.get(status, "generic_invalid"), language)


def _field_problem(problem: FieldProblem, language: Language) -> dict[str, str]:
    reason = problem.reason if messages.has(problem.reason) else "not_valid"
    return {"field": problem.field, "message": messages.text(reason, language, **problem.params)}


# pydantic's error types, as the catalogue's field problems (with the limit the sentence names).
_VALIDATION_REASONS: dict[str, tuple[str, str | None]] = {
    "missing": ("required", None),
    "extra_forbidden": ("not_settable", None),
    "string_too_short": ("too_short", "min_length"),
    "string_too_long": ("too_long", "max_length"),
    "string_type": ("not_text", None),
    "int_type": ("not_integer", None),
    "int_parsing": ("not_integer", None),
    "int_from_float": ("not_integer", None),
    "bool_type": ("not_boolean", None),
    "bool_parsing": ("not_boolean", None),
    "greater_than_equal": ("too_small", "ge"),
    "less_than_equal": ("too_big", "le"),
    "string_pattern_mismatch": ("bad_characters", None),
    "literal_error": ("one_of", None),
    "enum": ("one_of", None),
    "model_type": ("not_object", None),
    "model_attributes_type": ("not_object", None),
    "dict_type": ("not_object", None),
    "list_type": ("not_list", None),
    "too_long": ("too_many_items", "max_length"),
    # raised by the request models' own validators (helpdesk.http.schemas)
    "empty": ("empty", None),
    "control_characters": ("control_characters", None),
    "token_or_code": ("token_or_code", None),
    "null_not_allowed": ("not_null", None),
}


def _validation_problem(error: Any) -> FieldProblem:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(location) or "body"
    kind = str(error.get("type", ""))
    reason, limit_name = _VALIDATION_REASONS.get(kind, ("not_valid", None))
    context = error.get("ctx") or {}
    params: dict[str, str | int] = {}
    if limit_name is not None:
        params["limit"] = int(context.get(limit_name, 0))
    if kind == "string_too_short" and params.get("limit") == 1:
        reason, params = "empty", {}
    if reason == "one_of":
        params["choices"] = ", ".join(re.findall(r"'([^']*)'", str(context.get("expected", ""))))
    return FieldProblem(field, reason, params)


# -------------------------------------------------------------------- event helpers
def current_caller(app: APIGatewayHttpResolver) -> Caller:
    """The caller, from the JWT claims the authorizer verified. Operators are members of the
    operators group; a customer's account is the custom:account_id claim."""
    authorizer = app.current_event.request_context.authorizer
    claims: dict[str, Any] = (authorizer.jwt_claim if authorizer else None) or {}
    if not claims or not claims.get("sub"):
        raise NotAuthenticated("not_signed_in")
    sub = str(claims["sub"])
    email = str(claims["email"]) if claims.get("email") else None
    # The display name: the user's `name` attribute, else the address, never empty.
    name = _display_name(claims.get("name")) or email or str(claims.get("cognito:username") or sub)
    if settings().operators_group in _groups(claims.get("cognito:groups")):
        return Caller(role=Role.OPERATOR, name=name, id=sub, email=email)
    account = claims.get("custom:account_id")
    # The identity provider proved this address (it sent the user a code): it counts as confirmed.
    verified = claims.get("email_verified") in (True, "true") and email
    return Caller(
        role=Role.CUSTOMER,
        name=name,
        account_id=str(account) if account else None,
        verified_email=str(verified) if verified else None,
        id=sub,
        email=email,
    )


def _display_name(claim: object) -> str | None:
    """A `name` claim as one line of at most MAX_DISPLAY_NAME characters (users may write it)."""
    if not isinstance(claim, str):
        return None
    return one_line(claim)[:MAX_DISPLAY_NAME].strip() or None


def _groups(claim: object) -> set[str]:
    """The whole group names in cognito:groups. A JWT authorizer hands a list claim to Lambda as
    one string, "[a b]" (space-separated inside one pair of brackets); a list arrives as itself
    where the event was not stringified. Nothing else is split: "support,operators" is one name."""
    if isinstance(claim, list):
        return {g for g in claim if isinstance(g, str)}
    if isinstance(claim, str) and claim.startswith("[") and claim.endswith("]"):
        return set(claim[1:-1].split())
    if isinstance(claim, str):
        return {claim} if claim else set()
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
        raise InvalidInput("bad_if_match", details=[FieldProblem("If-Match", "not_a_version")])
    return int(text)


def with_etag(body: Any, version: int, *, language: Language | None = None) -> Response[Any]:
    """A 200 JSON response carrying the ticket's version as its ETag (what If-Match sends back);
    `language`: the language of the sentences it carries (Content-Language)."""
    headers = {"ETag": f'"{version}"'}
    if language is not None:
        headers["Content-Language"] = language
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)
