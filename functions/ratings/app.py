"""Customer satisfaction: the close mail's one-click links rate that closing of the ticket good or
bad (POST /ratings/lookup shows what a link rates, PUT /ratings records or changes the rating);
both work without signing in: the signed token, scoped to the ticket and the closing, is the
proof. A signed-in customer rates their closed ticket with PUT /tickets/{id}/rating."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.clock import to_iso
from helpdesk.domain.models import RatingValue
from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, request_time
from helpdesk.http.schemas import (
    ClosingToRateOut,
    RateByLinkRequest,
    RateRequest,
    RatingLookupRequest,
    RatingOut,
)
from helpdesk.observability import count, logger, metrics
from helpdesk.runtime import rating_service

app = create_api()
# The service is made on first use: it needs the signing key (Secrets Manager), which the
# OpenAPI generator, importing every handler, has no access to.


@app.post(
    "/ratings/lookup",
    summary="What a rating link rates, and the rating so far (no sign-in needed)",
    tags=["ratings"],
    responses={200: {"description": "The ticket's closing and its rating, if any."}, **ERROR_RESPONSES},
)
def lookup(request: Annotated[RatingLookupRequest, Body()]) -> ClosingToRateOut:
    found = rating_service().closing_of(request.token, request_time(app))
    return ClosingToRateOut(
        ticket_id=found.ticket.id,
        subject=found.ticket.subject,
        status=found.ticket.status.value,
        closed_at=to_iso(found.closed_at),
        expires_at=to_iso(found.expires_at),
        rating=RatingOut.of(found.rating) if found.rating else None,
    )


@app.put(
    "/ratings",
    summary="Rate a closing from the mail's link, or change the rating (no sign-in needed)",
    tags=["ratings"],
    responses={200: {"description": "The rating as recorded."}, **ERROR_RESPONSES},
)
def rate_by_link(request: Annotated[RateByLinkRequest, Body()]) -> RatingOut:
    now = request_time(app)
    rating = rating_service().rate(request.token, RatingValue(request.rating), request.comment, now)
    count("Rating", rating=rating.value.value)
    return RatingOut.of(rating)


@app.put(
    "/tickets/<id>/rating",
    summary="Rate your closed ticket, or change the rating (customers)",
    tags=["ratings"],
    responses={200: {"description": "The rating of the ticket's current closing."}, **ERROR_RESPONSES},
)
def rate(id: str, request: Annotated[RateRequest, Body()]) -> RatingOut:  # noqa: A002 - the path parameter
    caller = current_caller(app)
    now = request_time(app)
    rating = rating_service().rate_as(caller, id, RatingValue(request.rating), request.comment, now)
    count("Rating", rating=rating.value.value)
    return RatingOut.of(rating)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
