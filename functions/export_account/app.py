"""GET /account/export: the customer's tickets with every public message, as JSON, page by page
(Lambda answers at most 6 MB: services/export.py keeps each page well under it)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, reader_language
from helpdesk.http.schemas import AccountExportOut, ExportedTicketOut
from helpdesk.observability import logger
from helpdesk.runtime import account_export

app = create_api()
service = account_export()


@app.get(
    "/account/export",
    summary="Download the account's tickets",
    tags=["account"],
    responses={
        200: {"description": "A page of the account's tickets with their public messages."},
        **ERROR_RESPONSES,
    },
)
def export_account(
    cursor: Annotated[
        str | None, Query(max_length=4096, description="next_cursor of the previous page.")
    ] = None,
) -> AccountExportOut:
    page = service.page(current_caller(app), cursor)  # the account's customer only
    language = reader_language(app.current_event.headers)
    return AccountExportOut(
        account_id=page.account_id,
        tickets=[
            ExportedTicketOut.of_customer(entry.ticket, entry.messages, entry.first_message, language)
            for entry in page.tickets
        ],
        next_cursor=page.next_cursor,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
