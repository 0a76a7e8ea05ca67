"""GET /departments: the departments tickets can be opened to, from the stack's configuration,
named in the reader's language (Accept-Language, as the API's messages)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.config import settings
from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, reader_language
from helpdesk.http.schemas import DepartmentOut, DepartmentsOut
from helpdesk.observability import logger

app = create_api()


@app.get(
    "/departments",
    summary="List departments",
    tags=["departments"],
    responses={
        200: {"description": "The departments a ticket can be opened to, named in the reader's language."},
        **ERROR_RESPONSES,
    },
)
def departments() -> DepartmentsOut:
    current_caller(app)  # signed-in users only, like every other route
    language = reader_language(app.current_event.headers)
    return DepartmentsOut(
        items=[DepartmentOut(id=d.id, name=d.name_in(language)) for d in settings().departments]
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
