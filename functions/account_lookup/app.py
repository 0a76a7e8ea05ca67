"""GET /accounts/lookup: operators find a customer account by a confirmed address or by its id."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller
from helpdesk.http.schemas import AccountCardOut, AccountEmailOut
from helpdesk.observability import logger
from helpdesk.runtime import account_lookup

app = create_api()
service = account_lookup()


@app.get(
    "/accounts/lookup",
    summary="Find a customer account (operators)",
    tags=["account"],
    responses={
        200: {"description": "The account and its confirmed addresses."},
        **ERROR_RESPONSES,
        404: {
            **ERROR_RESPONSES[404],
            "description": "No account has that address confirmed, or no such account.",
        },
    },
)
def lookup(
    email: Annotated[
        str | None,
        Query(max_length=254, description="An address confirmed on the account (pending ones never match)."),
    ] = None,
    account_id: Annotated[str | None, Query(max_length=128, description="The account's id.")] = None,
) -> AccountCardOut:
    card = service.find(current_caller(app), email=email, account_id=account_id)
    return AccountCardOut(
        account_id=card.account_id,
        emails=[AccountEmailOut(email=e.email, primary=e.primary, sign_in=e.sign_in) for e in card.emails],
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
