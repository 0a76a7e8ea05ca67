"""GET/POST /canned-replies, PUT/DELETE /canned-replies/{id}: the operators' canned replies."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import (
    ERROR_RESPONSES,
    IfMatch,
    create_api,
    current_caller,
    expected_version,
    request_time,
)
from helpdesk.http.schemas import CannedRepliesOut, CannedReplyOut, CannedReplyRequest
from helpdesk.observability import logger, metrics
from helpdesk.runtime import canned_replies

app = create_api()
service = canned_replies()


@app.get(
    "/canned-replies",
    summary="List canned replies (operators), by title",
    tags=["canned replies"],
    responses={
        200: {"description": "Every canned reply, or a department's and the general ones."},
        **ERROR_RESPONSES,
    },
)
def list_canned_replies(
    department: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
) -> CannedRepliesOut:
    replies = service.list(current_caller(app), department=department)
    return CannedRepliesOut(items=[CannedReplyOut.of(r) for r in replies])


@app.post(
    "/canned-replies",
    summary="Save a new canned reply (operators)",
    tags=["canned replies"],
    responses={201: {"description": "The canned reply as saved."}, **ERROR_RESPONSES},
)
def create_canned_reply(request: Annotated[CannedReplyRequest, Body()]) -> tuple[CannedReplyOut, int]:
    reply = service.create(
        current_caller(app),
        title=request.title,
        body=request.body,
        department=request.department,
        now=request_time(app),
    )
    return CannedReplyOut.of(reply), 201


@app.put(
    "/canned-replies/<id>",
    summary="Change a canned reply (operators); If-Match: its version",
    tags=["canned replies"],
    responses={200: {"description": "The canned reply as saved."}, **ERROR_RESPONSES},
)
def update_canned_reply(
    id: str,  # noqa: A002 - the route's path parameter
    request: Annotated[CannedReplyRequest, Body()],
    if_match: IfMatch = None,
) -> CannedReplyOut:
    reply = service.update(
        current_caller(app),
        id,
        title=request.title,
        body=request.body,
        department=request.department,
        now=request_time(app),
        expected_version=expected_version(if_match),
    )
    return CannedReplyOut.of(reply)


@app.delete(
    "/canned-replies/<id>",
    summary="Delete a canned reply (operators)",
    tags=["canned replies"],
    responses={204: {"description": "Deleted (no body).", "content": {}}, **ERROR_RESPONSES},
)
def delete_canned_reply(id: str) -> Response[None]:  # noqa: A002 - the route's path parameter
    service.delete(current_caller(app), id)
    return Response(status_code=204, content_type=None, body=None)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
