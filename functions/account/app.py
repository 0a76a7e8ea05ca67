"""/account: the customer account's preferences (today: the language of the mail it receives)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller
from helpdesk.http.schemas import AccountOut, AccountUpdate
from helpdesk.observability import logger
from helpdesk.runtime import account_service

app = create_api()
service = account_service()


@app.get(
    "/account",
    summary="Read the account's preferences",
    tags=["account"],
    responses={200: {"description": "The account's preferences."}, **ERROR_RESPONSES},
)
def read_account() -> AccountOut:
    account, language = service.language(current_caller(app))
    return AccountOut(account_id=account, language=language)


@app.put(
    "/account",
    summary="Change the account's preferences",
    tags=["account"],
    responses={200: {"description": "The account's preferences as saved."}, **ERROR_RESPONSES},
)
def update_account(request: Annotated[AccountUpdate, Body()]) -> AccountOut:
    account, language = service.set_language(current_caller(app), request.language)
    return AccountOut(account_id=account, language=language)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
