"""POST /uploads: a presigned S3 POST for one file that a customer or an operator will attach to
a ticket they open or answer (the message then names its upload_id)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller
from helpdesk.http.schemas import UploadGrantOut, UploadRequest
from helpdesk.observability import logger
from helpdesk.runtime import file_service

app = create_api()
service = file_service()


@app.post(
    "/uploads",
    summary="Upload a file to attach",
    tags=["tickets"],
    responses={201: {"description": "The form to POST the file with, and its upload_id."}, **ERROR_RESPONSES},
)
def upload(request: Annotated[UploadRequest, Body()]) -> tuple[UploadGrantOut, int]:
    grant = service.grant(
        current_caller(app),
        ticket_id=request.ticket_id,
        name=request.name,
        content_type=request.content_type,
        size=request.size,
    )
    return UploadGrantOut.of(grant), 201


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
