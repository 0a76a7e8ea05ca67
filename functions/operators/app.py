"""/operators: the operator directory (operators only) and one's own preferences."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.domain.operators import StaffNotice
from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, request_time
from helpdesk.http.schemas import OperatorOut, OperatorSettingsOut, OperatorSettingsUpdate, OperatorsOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import operator_directory

app = create_api()
directory = operator_directory()


@app.get(
    "/operators",
    summary="List the operators (operators)",
    tags=["operators"],
    responses={200: {"description": "Every operator, by name, for assignment pickers."}, **ERROR_RESPONSES},
)
def list_operators() -> OperatorsOut:
    return OperatorsOut(items=[OperatorOut.of(o) for o in directory.listing(current_caller(app))])


@app.get(
    "/operators/me",
    summary="Read your operator settings (operators)",
    tags=["operators"],
    responses={200: {"description": "Your departments, staff mails and their language."}, **ERROR_RESPONSES},
)
def read_my_settings() -> OperatorSettingsOut:
    return OperatorSettingsOut.of_settings(directory.me(current_caller(app)))


@app.put(
    "/operators/me",
    summary="Change your operator settings (operators)",
    tags=["operators"],
    responses={200: {"description": "Your settings as saved."}, **ERROR_RESPONSES},
)
def update_my_settings(request: Annotated[OperatorSettingsUpdate, Body()]) -> OperatorSettingsOut:
    operator = directory.update_me(
        current_caller(app),
        departments=request.departments,
        notices=[StaffNotice(n) for n in request.notifications],
        language=request.language,
        now=request_time(app),
    )
    return OperatorSettingsOut.of_settings(operator)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
